"""Answer composition on inline texts: every ask answered from a sentence that states it, in scope."""

from __future__ import annotations

from assistant.answer.compose import compose
from assistant.answer.passages import rank_passages
from assistant.answer.say import fact_phrase
from assistant.ingest.facts import extract_facts, extract_fields
from assistant.models import Clause, Document, Hit
from assistant.prompts import render, templates
from assistant.understand.asks import read_asks
from assistant.understand.query import Query
from assistant.understand.regions import Place
from assistant.understand.terms import KeyTerm


def doc(id_: str, region: str, topic: str = "") -> Document:
    return Document(id=id_, title=f"{region}优化营商环境方案", issuer="", doc_number="", date="2023-04-25",
                    region=region, source_file="f.txt", line_start=1, line_end=9, topic=topic)


def clause(text: str, doc_id: str = "d", path: str = "1.") -> Clause:
    fields = extract_fields(text)
    return Clause(id=f"{doc_id}:{path}", doc_id=doc_id, path=path, headings=(), text=text, page=None,
                  source_file="f", line_start=1, line_end=1, facts=extract_facts(text, fields, "2023-04-25"),
                  fields=fields)


def query(question: str, terms: dict[str, float], regions: tuple[str, ...] = (),
          scope: frozenset[str] = frozenset()) -> Query:
    return Query(question, question, Place(regions, scope), (), read_asks(question),
                 tuple(KeyTerm(t, w) for t, w in terms.items()))


def hits(*clauses: Clause) -> list[Hit]:
    return [Hit(c, 1.0 / n, n) for n, c in enumerate(clauses, 1)]


def answer(q: Query, clauses: list[Clause], docs: dict[str, Document], elsewhere: list[Clause] = ()):  # type: ignore[assignment]
    return compose(q, hits(*clauses), docs, min_coverage=0.4, elsewhere=lambda: hits(*elsewhere))


def first_sentence(text: str) -> str:
    return text.split("。")[0]


def test_every_template_renders():
    fields = {"scope": "西安", "fact": "0.5个工作日办结", "n": 1, "lead": "市监分局", "responsible": "", "units": "税务局",
              "labels": "办理时限", "quote": "原文", "items": "x", "related": "", "title": "t", "path": "1.",
              "date": "2023年4月25日", "today": "2026年11月23日", "status": "已废止", "replacement": "",
              "where": "西安", "asked": "办理时限", "region": "西安", "value": "2023年9月底前", "own": "a", "others": "b", "written": "西按", "read": "西安"}
    for name in templates():
        assert "{" not in render(name, **fields)


def test_the_sentence_that_states_the_asked_fact_is_the_answer():
    c = clause("1. 提升企业开办效率。统一办事指南，精简办事材料。全面实现企业开办全流程“1 个工作日”办结。\n牵头单位：市监分局")
    q = query("开办企业要多久？", {"企业开办": 3.0, "效率": 1.0})
    a = answer(q, [c], {"d": doc("d", "泾河新城")})
    assert not a.abstained
    assert "1 个工作日" in first_sentence(a.text) and first_sentence(a.text).startswith("泾河新城：")
    assert "精简办事材料" not in a.text
    fact = next(f for f in c.facts if f.type == "time_limit")
    assert fact_phrase(c, fact) == "全面实现企业开办全流程“1 个工作日”办结"


def test_a_title_line_never_answers_a_fact_question():
    title = clause("（一）优化企业开办服务", path="(一)")
    body = clause("推行企业开办“一网通办”，全程办理时间压缩至0.5个工作日。", path="(一)1.")
    q = query("企业开办要几天？", {"企业开办": 3.0, "办理": 1.0})
    a = answer(q, [title, body], {"d": doc("d", "西安")})
    assert a.citations[0].clause.id == body.id and "0.5个工作日" in first_sentence(a.text)


def test_two_asks_are_both_answered_each_with_its_citation():
    count = clause("到2024年底，全市建成政务服务驿站32个，打通服务群众“最后一公里”。", path="3.")
    q = query("驿站建几个？什么时候建好？", {"驿站": 5.0, "政务服务": 1.0})
    a = answer(q, [count], {"d": doc("d", "西安")})
    lead = first_sentence(a.text)
    assert "32个" in lead and "2024年底" in lead


def test_a_part_the_documents_do_not_state_is_named():
    c = clause("推行用气报装“零材料”，用户通过电话即可申请报装。", path="2.")
    q = query("报装燃气要几天？电话能不能报？", {"报装": 3.0, "燃气": 2.0, "用气": 2.0, "电话": 2.0})
    a = answer(q, [c], {"d": doc("d", "泾河新城")})
    assert a.abstained, "a time-limit ask with no time limit in scope is not answered from a sentence without one"


def test_a_named_regions_silence_is_said_and_other_regions_are_labelled():
    other = clause("企业开办全流程压缩至1个工作日。", doc_id="jh", path="1.")
    docs = {"jh": doc("jh", "泾河新城"), "nx": doc("nx", "宁夏")}
    q = query("宁夏开办企业要多久？", {"企业开办": 3.0}, regions=("宁夏",), scope=frozenset({"宁夏"}))
    a = answer(q, [], docs, elsewhere=[other])
    assert a.abstained
    assert a.text.startswith("现有宁夏文件中未找到办理时限的明确规定")
    assert "不适用于宁夏" in a.text and "泾河新城：" in a.text


def test_an_off_topic_question_gets_no_unrelated_reading():
    c = clause("推进政务服务“一网通办”，提升办事便利度。")
    q = query("这周末天气怎么样？", {"周末": 7.0, "天气": 7.0})
    a = answer(q, [c], {"d": doc("d", "西安")})
    assert a.abstained and not a.citations and "可参考" not in a.text


def test_a_department_is_read_from_the_item_lines():
    c = clause("5. 推行简易注销。简易注销公告时间压缩至20天。\n牵头单位：市监分局\n责任单位：税务局、政务中心\n完成时限：2023年6月底前")
    q = query("简易注销这项工作哪个部门牵头？什么时候完成？", {"简易注销": 5.0})
    lead = first_sentence(answer(q, [c], {"d": doc("d", "泾河新城")}).text)
    assert "市监分局" in lead and "2023年6月底前" in lead


def test_the_named_regions_own_rule_ranks_before_its_provinces():
    province = clause("全省工程建设项目全流程审批时限压减至60个工作日以内。", doc_id="gs", path="1.")
    city = clause("全市工程建设项目审批时限压减至55个工作日以内。", doc_id="ln", path="4.")
    docs = {"gs": doc("gs", "甘肃"), "ln": doc("ln", "陇南")}
    q = query("陇南工程建设项目审批时限多少个工作日？", {"工程建设项目": 3.0, "审批": 1.0, "时限": 1.0},
              regions=("陇南",), scope=frozenset({"陇南", "甘肃"}))
    ranked = rank_passages(q, q.asks[0], hits(province, city), docs)
    assert ranked[0].clause.id == city.id
    assert answer(q, [province, city], docs).citations[0].clause.id == city.id


def test_a_fact_about_another_matter_does_not_answer():
    from dataclasses import replace

    from assistant.lexicon.concepts import Concept

    c = clause("推行“不动产登记+市政公共服务”联动办理，工程建设项目全流程审批时限压减至60个工作日。", path="5.")
    registration = Concept.of("登记财产", ("登记财产", "不动产登记"), "登记财产")
    q = replace(query("不动产登记要多久？", {"不动产登记": 5.0}), concepts=(registration,), subjects=(registration,))
    a = answer(q, [c], {"d": doc("d", "兰州")})
    assert a.abstained, "the 60 days are the approval time of construction projects, not of registration"


def test_an_item_of_a_list_is_not_the_questions_subject():
    from assistant.understand.query import _listed

    text = "营业执照、刻章、社保和公积金登记多长时间办完"
    start = text.index("社保")
    assert _listed(text, start, start + 2)
    assert not _listed("社保要多久", 0, 2)


def test_a_sentence_may_name_its_subject_by_the_head_noun_alone():
    from dataclasses import replace

    from assistant.lexicon.concepts import Concept

    c = clause("可申请个人创业担保贷款，贷款最高额度20万元，期限最长不超过3年。", path="6.")
    loans = Concept.of("创业担保贷款", ("创业担保贷款", "创业贷款"))
    q = replace(query("创业担保贷款能贷多少？", {"创业担保贷款": 5.0}), concepts=(loans,), subjects=(loans,))
    assert "20万元" in first_sentence(answer(q, [c], {"d": doc("d", "甘肃")}).text)


def test_parts_about_different_subjects_are_answered_each_for_its_own():
    from dataclasses import replace

    from assistant.lexicon.concepts import Concept

    opening = clause("全面实现企业开办全流程1个工作日办结。", doc_id="kb", path="1.")
    bankruptcy = clause("简易破产案件一般在6个月内审结。", doc_id="pc", path="2.")
    docs = {"kb": doc("kb", "泾河新城", "开办企业"), "pc": doc("pc", "泾河新城", "办理破产")}
    kb = Concept.of("开办企业", ("开办企业", "企业开办"), "开办企业")
    pc = Concept.of("办理破产", ("办理破产", "破产"), "办理破产")
    tax = Concept.of("纳税", ("纳税",), "纳税")
    q = replace(query("开办企业要多久？破产要多久？纳税要多久？", {"开办企业": 5.0, "破产": 5.0, "纳税": 5.0}),
                concepts=(kb, pc, tax), subjects=(kb, pc, tax))
    a = answer(q, [opening, bankruptcy], docs)
    lead = first_sentence(a.text)
    assert "1个工作日" in lead and "6个月" in lead
    assert "文件未写明纳税的办理时限" in a.text


# -- what the answer says of itself: its state, the parts missing, the sentences it used ----------
def test_an_answer_says_whether_it_answered_all_part_or_nothing():
    c = clause("全面实现企业开办全流程“1 个工作日”办结。", path="1.")
    docs = {"d": doc("d", "泾河新城")}
    whole = answer(query("开办企业要多久？", {"企业开办": 3.0}), [c], docs)
    assert whole.state == "answered" and whole.missing == ()
    part = answer(query("开办企业要多久？咨询电话是多少？", {"企业开办": 3.0}), [c], docs)
    assert part.state == "partial" and part.missing == ("联系电话",)
    assert "文件未写明联系电话" in part.text
    none = answer(query("这周末天气怎么样？", {"周末": 7.0, "天气": 7.0}), [c], docs)
    assert none.state == "not_found"


def test_the_sentences_an_answer_used_are_recorded_with_their_clause():
    c = clause("统一办事指南，精简办事材料。全面实现企业开办全流程“1 个工作日”办结。", path="1.")
    a = answer(query("开办企业要多久？", {"企业开办": 3.0}), [c], {"d": doc("d", "西安")})
    (clause_id, start, end), = a.used
    assert clause_id == c.id and "1 个工作日" in c.text[start:end] and "精简办事材料" not in c.text[start:end]
    # the citations it refers to, not every candidate listed
    other = clause("推进政务服务“一网通办”。", path="2.")
    a = answer(query("开办企业要多久？", {"企业开办": 3.0}), [c, other], {"d": doc("d", "西安")})
    assert [x.clause.id for x in a.used_citations] == [c.id] and len(a.citations) == 2


def test_a_value_the_question_states_is_its_condition_not_its_answer():
    """"突破1亿元的企业奖励多少" asks for the reward; the 1亿元 it names is the condition."""
    c = clause("1. 对年进出口额首次突破1亿元的跨境电商企业，一次性奖励50万元。\n牵头单位：区商务局")
    q = query("跨境电商企业进出口额突破1亿元奖励多少？", {"跨境电商": 3.0, "进出口额": 2.0})
    a = answer(q, [c], {"d": doc("d", "雁塔区")})
    assert "50万元" in first_sentence(a.text), a.text
    # asking about a value the question already gives still answers with it
    q = query("跨境电商企业奖励是不是50万元？", {"跨境电商": 3.0, "奖励": 2.0})
    assert "50万元" in first_sentence(answer(q, [c], {"d": doc("d", "雁塔区")}).text)


def test_a_year_asked_is_answered_only_by_a_sentence_of_that_year():
    c = clause("2022年，国家高新技术企业达到8700家。2025年，力争高新技术企业达到1.2万家。")
    d = {"d": doc("d", "西安")}
    a = answer(query("2025年高新技术企业要达到多少家？", {"高新技术企业": 3.0}), [c], d)
    assert "1.2万家" in first_sentence(a.text) and "8700" not in first_sentence(a.text)
    c22 = clause("2022年，国家高新技术企业达到8700家。")
    assert answer(query("2025年高新技术企业要达到多少家？", {"高新技术企业": 3.0}), [c22], d).abstained


def test_a_price_per_unit_is_not_answered_by_another_units_price():
    c = clause("对居民非电网直供电终端用户，严格执行0.39元/千瓦时目录电价。")
    q = query("居民用的天然气多少钱一方？", {"居民": 1.0, "天然气": 3.0})
    assert answer(q, [c], {"d": doc("d", "哈密")}).abstained


def test_the_fact_whose_own_words_name_the_subject_answers():
    far = clause("对新引进的在证券交易所主板上市的企业，在我市设立区域总部，实缴注册资本不低于5000万元，"
                 "正式运营一年后，一次性给予300万元奖励。", path="5.")
    near = clause("企业在主板首次发行股票上市，一次性给予200万元奖励。", path="16.")
    q = query("企业在主板上市，一次性奖多少钱？", {"企业": 1.0, "主板": 6.0, "上市": 4.0, "一次性": 1.0})
    a = answer(q, [far, near], {"d": doc("d", "白银")})
    assert "200万元" in first_sentence(a.text) and "300万元" not in first_sentence(a.text)


def test_a_heading_alone_never_answers_even_a_how_question():
    heading = clause("25.持续优化不动产登记办理", path="25.")
    q = query("不动产登记怎么办理？", {"不动产登记": 3.0, "办理": 1.0})
    assert answer(q, [heading], {"d": doc("d", "西安")}).abstained


def test_a_contact_in_a_closing_aside_is_said_as_the_aside_states_it():
    c = clause("建设知识产权检索分析工具，为企业提供检索服务。（知识产权处，李四，87654321）")
    phone = next(f for f in c.facts if f.type == "phone")
    assert fact_phrase(c, phone) == "知识产权处，李四，87654321"


def test_a_long_quote_drops_a_closing_aside_without_a_stated_fact():
    from assistant.answer.say import _without_aside
    s = "推进工程建设项目审批制度改革，全流程审批时间压缩至60个工作日以内。（市住建局牵头，年底前完成）"
    assert _without_aside(s, 0, 20, []) == s[: s.index("（")]
    assert _without_aside(s, 0, 200, []) == s  # short enough to quote whole


def test_of_two_contacts_in_a_clause_the_one_whose_sentence_names_the_subject_is_given():
    c = clause("扩大代理服务范围，向县级园区延伸。（服务处，张三，11112222）建设专利导航平台，"
               "为企业提供免费的专利导航服务。（服务处，李四，33334444）")
    q = query("免费的专利导航服务找谁？电话多少？", {"专利导航": 4.0, "免费": 1.0})
    a = answer(q, [c], {"d": doc("d", "陕西")})
    assert "33334444" in first_sentence(a.text) and "11112222" not in first_sentence(a.text)


def test_the_entries_of_a_list_come_only_from_a_passage_of_that_list():
    plan = clause("2025年，围绕政务服务场景应用，实现一批重点事项高效办成。", path="一、")
    q = query("2025年度重点事项清单里有哪些事项？", {"重点事项": 3.0, "2025": 1.0, "清单": 2.0})
    assert q.asks[0].container == "清单"
    assert answer(q, [plan], {"d": doc("d", "西安")}).abstained
    listed = clause("2025年重点事项清单：新生儿出生、企业开办、二手房转移登记。", path="附表")
    assert not answer(q, [listed], {"d": doc("d", "西安")}).abstained


def _entry() -> Clause:
    text = ("阶段：准入；“一件事”名称：开办书店“一件事”；具体事项：营业执照核验；责任单位：★市市场监管局\n"
            "具体事项：出版物零售许可；责任单位：市文旅局\n"
            "具体事项：消防安全检查；责任单位：市消防救援支队")
    c = clause(text, path="附表1-2")
    fields = (("阶段", "准入"), ("“一件事”名称", "开办书店“一件事”"), ("具体事项", "营业执照核验"),
              ("责任单位", "★市市场监管局"))
    return Clause(**{**c.__dict__, "fields": fields, "facts": extract_facts(text, fields, "2024-01-01")})


def test_a_table_entrys_name_speaks_for_each_row_so_the_row_asked_gives_its_unit():
    q = query("开书店的消防安全检查在“一件事”里归哪个单位？", {"书店": 5.0, "开办": 2.0, "消防安全": 5.0, "检查": 2.0, "一件事": 2.0})
    a = answer(q, [_entry()], {"d": doc("d", "西安")})
    assert "市消防救援支队" in first_sentence(a.text) and "市场监管局" not in first_sentence(a.text)


def test_a_question_for_the_lead_gets_the_entrys_lead_whichever_row_is_quoted():
    q = query("开书店走“一件事”，牵头部门是哪个？", {"书店": 5.0, "开办": 2.0, "一件事": 2.0})
    assert q.asks[0].lead
    a = answer(q, [_entry()], {"d": doc("d", "西安")})
    assert "市市场监管局" in first_sentence(a.text) and "文旅局" not in first_sentence(a.text)


def test_a_units_row_names_what_it_is_responsible_for():
    from dataclasses import replace

    from assistant.lexicon.concepts import Concept
    text = ("阶段：准入；“一件事”名称：开办运输企业“一件事”；具体事项：营业执照核验；责任单位：市市场监管局\n"
            "具体事项：车辆信息核验；责任单位：市公安局\n"
            "具体事项：道路货物运输经营许可；责任单位：★市交通局")
    fields = (("阶段", "准入"), ("“一件事”名称", "开办运输企业“一件事”"), ("具体事项", "营业执照核验"),
              ("责任单位", "市市场监管局"))
    c = Clause(**{**clause(text, path="附表1-2").__dict__, "fields": fields,
                  "facts": extract_facts(text, fields, "2024-01-01")})
    freight = Concept.of("道路运输", ("道路货物运输",))
    q = replace(query("开运输企业，道路货物运输经营许可是哪个部门牵头？", {"运输": 3.0, "道路货物运输": 5.0, "经营许可": 3.0}),
                concepts=(freight,), subjects=(freight,))
    a = answer(q, [c], {"d": doc("d", "西安")})
    assert "市交通局" in first_sentence(a.text) and "市场监管局" not in first_sentence(a.text)


def test_a_containing_regions_count_is_not_the_named_places_count():
    province = clause("加速扩张创新效应，新增高新技术企业3500家。")
    from dataclasses import replace

    q = query("金台区今年高新技术企业要新增多少家？", {"高新技术企业": 5.0, "新增": 1.0})
    q = replace(q, place=Place(("金台区",), frozenset({"金台区", "宝鸡", "陕西"}), ("金台区",)))
    assert answer(q, [province], {"d": doc("d", "陕西")}).abstained
    own = clause("金台区新增高新技术企业35家。")
    assert "35家" in answer(q, [own], {"d": doc("d", "陕西")}).text  # a provincial text naming the place


def test_a_heading_or_a_question_in_a_clause_is_answered_by_what_follows_it():
    faq = clause("问：到本市运输防疫物资需要什么文件？答：出具车辆通行证或送货单证即可通行。", path="其他")
    q = query("到本市运输防疫物资需要什么文件？", {"运输": 2.0, "防疫物资": 4.0, "文件": 1.0})
    a = answer(q, [faq], {"d": doc("d", "上海")})
    assert "车辆通行证" in a.text
    heading = clause("五、实施交通检疫。", path="五、")
    q2 = query("怎样实施交通检疫？", {"交通": 2.0, "检疫": 4.0})
    assert answer(q2, [heading], {"d": doc("d", "攀枝花")}).abstained


def test_a_question_for_the_ceiling_gets_the_figure_stated_as_one():
    c = clause("新引进投资1亿元以上项目，按投资额1%给予一次性奖励，最高不超过1000万元。")
    q = query("投个1亿多的项目，最多能奖多少？", {"投资": 2.0, "项目": 1.0, "奖励": 2.0})
    assert q.asks[-1].cap
    assert "1000万元" in first_sentence(answer(q, [c], {"d": doc("d", "白银")}).text)


def test_a_short_numbered_item_that_states_a_fact_is_no_heading():
    item = clause("1. 招标文件公示不少于5日。", path="一、1.")
    q = query("招标文件公示几天？", {"招标文件": 4.0, "公示": 2.0})
    assert "5日" in first_sentence(answer(q, [item], {"d": doc("d", "陕西")}).text)


def test_a_rule_read_out_goes_on_with_the_sentences_of_its_paragraph():
    c = clause("实施交通检疫。在机场、火车站设立联合检疫站，对入境人员进行体温检测登记。对体温异常者实施临时隔离。\n"
               "二、其他事项。", path="五、")
    q = query("怎样实施交通检疫？", {"交通": 2.0, "检疫": 4.0})
    text = answer(q, [c], {"d": doc("d", "攀枝花")}).text
    assert "联合检疫站" in text and "临时隔离" in text and "其他事项" not in text


def test_a_date_asked_for_each_month_is_answered_by_a_recurring_date_never_a_one_off_one():
    once = clause("9月底前组织开展全市督导检查，对落实不到位的单位进行督办。", path="1.")
    monthly = clause("各单位工作落实情况请于每月23日前报市政府办公厅。", path="2.")
    q = query("各单位落实情况每个月几号前要报？", {"落实": 2.0, "报": 1.0})
    assert q.asks[0].periodic
    a = answer(q, [once, monthly], {"d": doc("d", "西安")})
    assert "每月23日前" in first_sentence(a.text) and "9月底前" not in first_sentence(a.text)
    alone = answer(q, [once], {"d": doc("d", "西安")})
    assert alone.abstained  # a one-off date does not answer "每个月几号"
    # without 每…, a one-off date answers as before
    assert not answer(query("各单位落实情况几号前要报？", {"落实": 2.0}), [once], {"d": doc("d", "西安")}).abstained


def test_citation_one_is_the_clause_of_the_first_fact_not_of_a_part_asking_none():
    context = clause("推行“多段式”联合验收、“一枚印章管验收”等改革，提升审批服务效能。", path="1.")
    measure = clause("推行“多段式”联合验收和“一枚印章管验收”。（省住建厅负责）", path="2.")
    q = query("甘肃的“多段式”联合验收怎么推行？是哪个厅负责？", {"多段式": 5.0, "联合验收": 3.0, "推行": 1.0})
    assert [a.needs_fact for a in q.asks] == [False, True]  # the first part asks no fact
    a = answer(q, [context, measure], {"d": doc("d", "甘肃")})
    assert not a.abstained
    assert a.citations[0].clause.id == measure.id
    assert "省住建厅" in first_sentence(a.text) and "[1]" in first_sentence(a.text)


def test_who_a_thing_is_handed_to_is_the_unit_it_is_sent_to_not_the_lead():
    c = clause("各单位于每月10日前将工作进展报市发展改革委。（市政府办公厅牵头，各部门配合）")
    q = query("各单位的工作进展报给哪个部门？", {"工作进展": 4.0, "单位": 1.0})
    assert q.asks[0].recipient
    lead = first_sentence(answer(q, [c], {"d": doc("d", "西安")}).text)
    assert "市发展改革委" in lead and "市政府办公厅" not in lead
    # 向…提交 hands it too; asked who leads, the lead answers as before
    c2 = clause("请于6月底前向市市场监管局提交申请，由市商务局牵头审核。")
    assert "市市场监管局" in first_sentence(answer(query("申请交给谁？", {"申请": 4.0}), [c2], {"d": doc("d", "西安")}).text)
    q_lead = query("各单位的工作进展哪个部门牵头？", {"工作进展": 4.0, "单位": 1.0})
    assert not q_lead.asks[0].recipient
    assert "市政府办公厅" in first_sentence(answer(q_lead, [c], {"d": doc("d", "西安")}).text)


def test_two_facts_asked_of_one_measure_are_read_from_the_clause_that_states_both():
    listing = clause("推行“多段式”联合验收、“一枚印章管验收”、“用地清单制”等改革，审批时限压减至60个工作日内。"
                     "（省住建厅、省自然资源厅牵头，各地按职责分工负责）", doc_id="a", path="36.")
    measure = clause("推行“多段式”联合验收和“一枚印章管验收”。（省住建厅负责，6月底前完成）", doc_id="b", path="(四)")
    docs = {"a": doc("a", "甘肃"), "b": doc("b", "甘肃")}
    q = query("甘肃推“多段式”联合验收，是哪个厅负责？要求几月底前完成？", {"多段式": 5.0, "联合验收": 3.0})
    a = answer(q, [listing, measure], docs)
    assert not a.abstained
    assert [c.clause.id for c in a.citations][:1] == [measure.id]
    assert "省自然资源厅" not in first_sentence(a.text) and "6月底前" in first_sentence(a.text)


def test_a_name_put_in_quotes_is_what_an_answer_must_say():
    from dataclasses import replace

    other = clause("复制推广改革举措的工作进展，请各有关部门每季度报送市营商办。（市发展改革委牵头）", path="1.")
    named = clause("推行“一照多址”改革，企业在同一县域内增设经营场所免于办理分支机构登记。（市市场监管局牵头）", path="2.")
    q = query("复制推广的“一照多址”改革，牵头单位是哪个部门？", {"复制推广": 2.0, "一照多址": 6.0, "改革": 1.0, "部门": 1.0})
    q = replace(q, terms=tuple(replace(t, quoted=t.text == "一照多址") for t in q.terms))
    assert answer(q, [other], {"d": doc("d", "嘉峪关")}).abstained
    a = answer(q, [other, named], {"d": doc("d", "嘉峪关")})
    assert not a.abstained and "市市场监管局" in first_sentence(a.text)


def test_the_documents_own_title_is_never_an_answer():
    from dataclasses import replace as with_

    from assistant.answer.passages import _bare, is_title

    title = _bare("某市住房和城乡建设局关于做好汛期建筑工地安全生产的工作提示")
    assert is_title("某市住房和城乡建设局关于做好汛期建筑工地安全生产的工作提示", title)
    assert is_title("某省：延长小微企业社保缴费期限", _bare("某省延长小微企业社保缴费期限"))
    assert not is_title("各施工单位依据《建设工程安全生产管理条例》等规定，落实汛期安全责任。", title)
    assert not is_title("工作提示", title)  # a few words of the title are no title
    text = "某市住房和城乡建设局关于做好汛期建筑工地安全生产的工作提示\n各施工单位依据《建设工程安全生产管理条例》等规定，落实汛期巡查值守，保障工地安全。"
    c = clause(text)
    docs = {"d": with_(doc("d", "某市"), title="某市住房和城乡建设局关于做好汛期建筑工地安全生产的工作提示")}
    a = answer(query("汛期建筑工地安全依靠哪些规定？", {"汛期": 5.0, "建筑工地": 3.0, "安全": 1.0, "规定": 1.0}), [c], docs)
    assert "建设工程安全生产管理条例" in a.text


def test_a_date_opening_a_sentence_governs_its_parts_and_each_asked_value_is_said_with_its_matter():
    c = clause("2024 年底前，组织各单位开展事项梳理；按照改革要求，梳理供热报装业务流程，整合报装“一张表单”。"
               "2025 年底前，实现供热过户与不动产过户登记集成办理。")
    docs = {"d": doc("d", "某市")}
    q = query("供热报装的“一张表单”和供热过户一起办，这两件事分别定在什么时候前完成？",
              {"供热": 4.0, "报装": 3.0, "一张表单": 5.0, "过户": 4.0})
    assert q.asks[0].each
    lead = first_sentence(answer(q, [c], docs).text)
    assert "2024 年底前：梳理供热报装业务流程" in lead  # governed across the semicolon and "2025 年底前：实现供热过户" in lead
    assert lead.index("2024") < lead.index("2025")
    # asked for one date, the one bound to the subject is said alone
    one = first_sentence(answer(query("供热过户集成办理什么时候前完成？", {"供热": 4.0, "过户": 4.0}), [c], docs).text)
    assert "2025 年底前" in one and "2024" not in one


def test_a_quoted_name_not_answered_offers_only_the_clauses_that_speak_of_it():
    from dataclasses import replace

    named = clause("阶段：出生；“一件事”名称：新生儿出生“一件事”；具体事项：户口登记；责任单位：市公安局", path="2-9")
    other = clause("阶段：退休；“一件事”名称：退休“一件事”；具体事项：达到法定退休年龄领取养老金；责任单位：市人社局", path="3-13")
    q = query("通过“出生一件事”办户口，对孩子年龄和父母情况有什么要求？",
              {"孩子": 7.0, "年龄": 7.0, "父母": 7.0, "出生一件事": 5.0, "户口": 3.0})
    q = replace(q, terms=tuple(replace(t, quoted=t.text == "出生一件事") for t in q.terms))
    a = answer(q, [other, named], {"d": doc("d", "西安")})
    assert a.abstained
    assert [c.clause.id for c in a.citations] == [named.id]  # not the 退休 row that shares 年龄
