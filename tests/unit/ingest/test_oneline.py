"""A notice published as one line is cut into its items, paragraphs and sentences; web page
furniture is dropped; a long paragraph is cut at its sentence ends under `max_clause_chars`."""

from __future__ import annotations

import time

from assistant.ingest.oneline import LONG_LINE, cut_line, drop_boilerplate, unfold
from assistant.ingest.structure import cut_paragraph, parse_document
from assistant.lexicon.text import Paragraph, SourceLine, read_lines
from assistant.models import Document


def doc() -> Document:
    return Document(id="n", title="t", issuer="", doc_number="", date="2020-02-07", region="北京",
                    source_file="n.txt", line_start=1, line_end=1)


FILLER = "各单位要切实加强组织领导，明确责任分工，确保各项措施落到实处，不得推诿扯皮。"
ONE_LINE = (
    "北京市关于支持中小企业共渡难关的通知 各区人民政府，市政府各委、办、局：为贯彻落实党中央决策部署，现就有关事项通知如下："
    "一、减轻企业负担 （一）对承租国有企业房产的中小微企业，免收2月份房租。" + FILLER * 3
    + " （二）延期缴纳社会保险费，最长不超过6个月。牵头单位：市人力社保局。" + FILLER * 2
    + " 二、加大金融支持 1.对受疫情影响的企业不得盲目抽贷、断贷、压贷。" + FILLER * 2
    + " 2.融资担保费率降至1%以下。" + FILLER
    + " 北京市人民政府办公厅 2020年2月5日 扫一扫在手机打开当前页 [网络编辑：王某某] 【 打印本页】 【 关闭窗口】"
    " 相关稿件 北京出台十六条措施 北京市人民政府关于进一步支持企业发展的通知"
)


def test_a_one_line_notice_is_cut_into_its_numbered_items():
    assert len(ONE_LINE) > LONG_LINE
    lines = unfold(read_lines(ONE_LINE))
    assert all(line.number == 1 for line in lines)  # the pieces still cite the line they come from
    clauses = parse_document(doc(), lines, "text")
    paths = [c.path for c in clauses]
    assert paths == ["", "一、(一)", "一、(二)", "二、1.", "二、2."]
    second = clauses[2]
    assert second.text.startswith("（二）延期缴纳社会保险费") and second.field("牵头单位") == "市人力社保局"
    assert clauses[1].headings == ("减轻企业负担",)
    last = clauses[-1].text
    assert last.endswith("2020年2月5日")
    for furniture in ("扫一扫", "网络编辑", "打印本页", "关闭窗口", "相关稿件", "十六条措施"):
        assert all(furniture not in c.text for c in clauses), furniture


def test_items_glued_to_a_sentence_end_are_cut_too():
    text = "现就有关事项通知如下：一、" + FILLER * 8 + "二、" + FILLER * 8
    assert [p[:2] for p in cut_line(text)] == ["现就", "一、", "二、"]


def test_spaces_inside_a_sentence_and_numbers_inside_text_do_not_cut():
    text = "按照 国家要求，对2.5万户企业 减免房租" + FILLER * 20
    assert cut_line(text) == [text]
    assert cut_line("短的一行 不动") == ["短的一行 不动"]


def test_web_furniture_is_dropped_and_text_kept():
    assert drop_boilerplate("特此通知。 责任编辑：李润发 扫一扫在手机打开当前页") == "特此通知。"
    assert drop_boilerplate("（河南日报记者 张三）责任编辑：银新玉") == "（河南日报记者 张三）"
    assert drop_boilerplate("发布的营商环境政策让企业“扫一扫就知道”。") == "发布的营商环境政策让企业“扫一扫就知道”。"
    assert drop_boilerplate("编辑部门应当在3日内答复。") == "编辑部门应当在3日内答复。"
    # A 相关解读 early in a long text is text; only the page's closing list goes.
    body = "相关解读材料由市发展改革委负责发布。" + FILLER * 20
    assert drop_boilerplate(body) == body


def test_table_rows_and_short_lines_are_left_alone():
    lines = [SourceLine(1, "序号\t事项\t" + "甲" * 600, None), SourceLine(2, "一、企业开办1个工作日办结。", None)]
    assert unfold(lines) == lines


def test_a_long_paragraph_is_cut_at_sentence_ends():
    text = "".join(f"第{i}句话说明一项具体的支持措施和办理的时限要求。" for i in range(60))
    pieces = cut_paragraph(Paragraph(text, 3, 3, 2), 300)
    assert len(pieces) > 1 and "".join(p.text for p in pieces) == text
    assert all(len(p.text) <= 300 and p.text.endswith("。") for p in pieces)
    assert all((p.line_start, p.page) == (3, 2) for p in pieces)


def test_a_sentence_without_an_end_is_cut_at_a_comma_or_the_limit():
    text = "，".join(["企业开办全程网办"] * 400)
    pieces = cut_paragraph(Paragraph(text, 1, 1, None), 500)
    assert all(len(p.text) <= 500 for p in pieces) and "".join(p.text for p in pieces) == text
    assert all(p.text.endswith("，") for p in pieces[:-1])


def test_a_huge_single_line_parses_fast_into_bounded_clauses():
    text = ("企业开办全程网办" * 250_000)[:1_980_000]  # the 1.98 M-character line of issue 19
    start = time.monotonic()
    clauses = parse_document(doc(), unfold(read_lines(text)), "text", max_clause_chars=1000)
    # ~6 s on an idle machine, linear in the text (mostly fact extraction over 1,980 clauses); a
    # quadratic join or cut would take minutes. The bound leaves room for a loaded machine.
    assert time.monotonic() - start < 30
    assert max(len(c.text) for c in clauses) <= 1000
    assert sum(len(c.text) for c in clauses) == len(text)


def test_max_clause_chars_comes_from_the_settings(monkeypatch):
    from assistant.settings import get_settings

    monkeypatch.setenv("ASSISTANT_MAX_CLAUSE_CHARS", "200")
    get_settings.cache_clear()
    text = "".join(f"第{i}项措施按期完成。" for i in range(100))
    clauses = parse_document(doc(), read_lines(text), "text")
    assert len(clauses) > 1 and max(len(c.text) for c in clauses) <= 200


def test_a_news_items_headline_is_its_own_line_and_its_title():
    from assistant.ingest.metadata import _lines, _title

    body = "近日，县人社局拨付专项资金300万元，支持各乡镇做好返乡人员技能培训工作。"
    headline = "某县拨付专项资金300万元支持返乡人员技能培训"
    short = headline + " " + body
    assert cut_line(short, first=True) == [headline, body]
    assert cut_line(short) == [short]  # only a document's first line opens with a headline
    long = "某市：二十项举措稳住外贸基本盘 " + body + FILLER * 12
    assert cut_line(long, first=True)[0] == "某市：二十项举措稳住外贸基本盘"
    assert cut_line(long)[0].startswith("某市：二十项举措稳住外贸基本盘 近日，")
    assert _title(_lines(short)) == headline
    # a sentence before the first space is no headline
    sentence = "对受影响的企业，不得抽贷。 " + body
    assert cut_line(sentence, first=True) == [sentence]
    # the first line of a document of several lines: its later lines are left as they were
    lines = [SourceLine(1, short, None), SourceLine(2, "一、企业开办1个工作日办结 全程网办。", None)]
    assert [x.text for x in unfold(lines)] == [headline, body, "一、企业开办1个工作日办结 全程网办。"]
