"""A parser test per document style, on small inline texts."""

from pathlib import Path

from assistant.ingest.manifest import load_manifest
from assistant.ingest.split import split_source
from assistant.ingest.structure import parse_document
from assistant.lexicon.text import read_lines
from assistant.models import Document
from assistant.settings import REPO_ROOT

MANIFEST = load_manifest(REPO_ROOT / "corpus")


def doc(id_="d", date="2023-04-25") -> Document:
    return Document(id=id_, title="t", issuer="", doc_number="", date=date, region="西安", source_file="f.txt",
                    line_start=1, line_end=1)


def test_task_table_rows_are_clauses_with_fields_and_inherited_task():
    text = "\n".join([
        "序号\t陕西省《工作要点》部署任务\t西安市落实措施\t牵头单位\t责任单位\t完成时限\t备注",
        "<b>一、全链条优化审批</b>\t\t\t\t\t\t",
        "(三) 优化市场准入准营环境。\t5. 全面实施企业开办“一件事”改革。\t(11) 实现企业开办0.5个工作日办结。\t市市场监管局\t市公安局\t2022年12月底\t",
        "\t\t(12) 不断拓展平台功能。\t市市场监管局\t各区县\t2022年10月底\t",
    ])
    clauses = parse_document(doc(date="2022-07-27"), read_lines(text), "table")
    assert [c.path for c in clauses] == ["(三)5.(11)", "(三)5.(12)"]
    first, second = clauses
    assert first.field("牵头单位") == "市市场监管局"
    assert "0.5个工作日" in first.text and "牵头单位：市市场监管局" in first.text
    assert second.headings[-1].startswith("全面实施企业开办")  # inherited task
    assert ("deadline", "2022-10-31") in [(f.type, f.normalized) for f in second.facts]
    assert first.line_start == 3 and second.line_start == 4


def test_list_table_groups_rows_under_their_number():
    text = "\n".join([
        "序号\t“一件事”名称\t市级牵头部门\t涉及事项（环节）名称\t市级行业主管部门",
        "8\t网约车驾驶员资格\t市交通局\t网络预约出租汽车驾驶员资格考试（合格）\t市交通局",
        "\t\t\t网络预约出租汽车驾驶员证核发\t市交通局",
        "9\t危险化学品公司经营\t市应急管理局\t危险化学品经营许可\t市应急管理局",
    ])
    clauses = parse_document(doc(), read_lines(text), "table")
    assert [c.path for c in clauses] == ["附表1-8", "附表1-9"]
    assert "驾驶员证核发" in clauses[0].text
    assert clauses[0].field("牵头部门") == "市交通局"


def test_plan_items_keep_their_lead_and_deadline_lines():
    text = "\n".join([
        "二、主要任务", "", "（一）提升市场主体登记注册效率", "",
        "1. **提升企业开办“一件事”效率。**全面实现企业开办全流程“1 个工作日”办结。", "",
        "牵头单位：市监分局", "", "责任单位：税务局、政务中心", "", "完成时限：2023 年 9 月底前", "",
        "2. 提升企业名称申报核准效率。推行企业名称申报承诺制。", "", "责任单位：市监分局",
    ])
    clauses = parse_document(doc(), read_lines(text), "text")
    assert [c.path for c in clauses] == ["二、(一)1.", "二、(一)2."]
    first = clauses[0]
    assert first.headings == ("主要任务", "提升市场主体登记注册效率")
    assert first.field("牵头单位") == "市监分局"
    assert "**" not in first.text
    assert {"time_limit", "deadline", "lead_unit", "responsible_unit"} <= {f.type for f in first.facts}


def test_one_line_sections_with_lead_aside():
    text = "一、重点任务\n（六）提升服务\n66.健全平台服务机制。建立工单直派等机制。（区城市治理指挥中心牵头，各部门按职责分工负责）"
    [clause] = parse_document(doc(), read_lines(text), "text")
    assert clause.path == "一、(六)66."
    assert clause.field("牵头单位") == "区城市治理指挥中心"


def test_pdf_compilation_is_split_by_dated_titles_with_pages():
    text = "\n".join([
        "# Page 1479:", "八、西北", "（一）陕西",
        "1. 陕西省人民政府办公厅关于深入推进跨部门综合监管的实施", "意见（2023 年6 月3 日）",
        "# Page 1480:", "陕政办发〔2023〕11 号", "一、总体要求",
        "2023 年底前，建立跨部门综合监管重点事项清单管理和动态更", "新机制。",
        "（二）宁夏",
        "1. 银川市人民政府办公室关于印发银川市持续优化营商环境的实施方案的通知（2023",
        "年3 月1 日）", "# Page 1590:", "一、主要措施", "将平均办结时间由4 天压缩至4 小时内。",
    ])
    spec = next(s for s in MANIFEST.sources if s.split == "dated_titles")
    parts = split_source(spec, read_lines(text), MANIFEST)
    assert [(p.document.region, p.document.date, p.document.doc_number) for p in parts] == [
        ("陕西", "2023-06-03", "陕政办发〔2023〕11号"), ("银川", "2023-03-01", "")]
    assert parts[0].document.title == "陕西省人民政府办公厅关于深入推进跨部门综合监管的实施意见"
    clauses = parse_document(parts[0].document, parts[0].lines, "pdf")
    target = next(c for c in clauses if "动态更新机制" in c.text)
    assert "动态更新机制。" in target.text and target.page == 1480


def test_sub_plans_are_their_own_documents():
    text = "\n".join(["封面", "泾河新城落实营商环境突破年行动方案", "一、总体要求", "方案一", "",
                      "西咸新区泾河新城“开办企业”指标 营商环境突破提升方案", "一、总体目标", "x。"])
    spec = next(s for s in MANIFEST.sources if s.split == "plan_titles")
    parts = split_source(spec, read_lines(text), MANIFEST)
    kinds = [(p.document.kind, p.document.topic) for p in parts]
    assert kinds == [("notice", ""), ("plan", ""), ("sub_plan", "开办企业")]
    assert parts[2].document.parent_id == parts[1].document.id


def test_real_corpus_has_every_document(tmp_path: Path):
    from assistant.ingest.corpus import load_corpus

    corpus = load_corpus(REPO_ROOT / "corpus")
    docs = list(corpus.documents.values())
    assert len([d for d in docs if d.kind == "sub_plan"]) == 22
    assert len([d for d in docs if d.source_file.startswith("northwest")]) >= 36
    assert {"陕西", "西安", "泾河新城", "渭滨区", "宁夏", "银川", "甘肃", "兰州", "白银", "克拉玛依", "哈密"} <= {
        d.region for d in docs}
    ids = [c.id for c in corpus.clauses]
    assert len(ids) == len(set(ids))
    assert all(c.page for c in corpus.clauses if c.source_file.startswith("northwest"))


def test_list_table_rows_shifted_by_the_pdf_conversion_are_put_back():
    text = "\n".join([
        "阶段\t序号\t“一件事”名称\t具体事项\t责任单位",
        "生活\t12\t退休“一件事”\t养老金领取资格确认\t市人社局",
        "\t\t\t工伤认定\t市人社局",
        "\t退休\t13\t退役“一件事”\t退役军人信息采集",
        "\t\t\t优待证办理\t市退役军人局",
        "抚恤补助发放\t\t\t\t市民政局",
        "烈士褒扬金发放\t\t\t市退役军人局\t",
    ])
    clauses = parse_document(doc(), read_lines(text), "table")
    assert [c.path for c in clauses] == ["附表1-12", "附表1-13"]
    shifted = clauses[1]
    assert shifted.field("具体事项") == "退役军人信息采集"
    assert "具体事项：抚恤补助发放；责任单位：市民政局" in shifted.text
    assert "具体事项：烈士褒扬金发放；责任单位：市退役军人局" in shifted.text  # its unit shifted one column less
