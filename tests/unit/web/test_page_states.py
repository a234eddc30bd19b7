"""The answer box shows what the answer decided: its state, "按上文理解为" only for a question the
service completed from the conversation, a deadline with its task and 已过 / 剩余 N 天, and the
departments grouped by region with names the PDF conversion split joined again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace

from assistant.models import Answer, Citation, Clause, Department, Document, Fact
from web.ui import render

XA = Document(id="xa", title="西安市优化营商环境方案", issuer="西安市政府", doc_number="市政发〔2023〕1号",
              date="2023-01-05", region="西安", source_file="xa.txt", line_start=1, line_end=9)
WB = replace(XA, id="wb", title="渭滨区优化营商环境措施", region="渭滨区", doc_number="渭政发〔2023〕2号")
TEXT = "（三）推进不动产登记全程网办，2023年6月底前实现一般登记3个工作日办结。"
DUE = TEXT.index("2023年6月底前")
DEADLINE = Fact("deadline", "2023年6月底前", "2023-06-30", DUE, DUE + len("2023年6月底前"))
LEAD = Fact("lead_unit", "市资源 规划局", "市资源规划局", -1, -1)
C1 = Clause(id="xa:1", doc_id="xa", path="一、(三)", headings=(), text=TEXT, page=None,
            source_file="xa.txt", line_start=3, line_end=3, facts=(DEADLINE, LEAD))
C2 = Clause(id="wb:1", doc_id="wb", path="二、", headings=(), text="由区资源规划分局负责。", page=None,
            source_file="wb.txt", line_start=3, line_end=3)


def answer(**kw: object) -> Answer:
    base = Answer("不动产登记多久？", "西安：2023年6月底前实现一般登记3个工作日办结[1]。渭滨区：区资源规划分局负责[2]。",
                  False, (Citation(1, C1, XA, 1.0), Citation(2, C2, WB, 0.9)), (),
                  used=((C1.id, TEXT.index("推进"), TEXT.index("网办") + 3),),
                  departments=(Department("牵头", "市资源 规划局", "", C1.id),
                               Department("责任", "区资源规划分局", "", C2.id)))
    return replace(base, **kw)  # type: ignore[arg-type]


def box(a: Answer, today: date = date(2026, 1, 1)) -> str:
    return render.answer_box_html(render.turn_record(a, 1), today=today)


def test_the_state_is_the_answers_and_a_standalone_rewrite_says_nothing_about_the_previous_turn():
    assert "未找到明确规定" in box(answer(abstained=True)) and "答案要点" not in box(answer(abstained=True))
    assert "部分解答" in box(answer(missing=("联系电话",)))
    standalone = box(answer(interpreted_as="西安不动产登记多久？"))
    assert "理解为" not in standalone
    followed = answer(interpreted_as="西安不动产登记多久？", follow_up="region")
    assert "按上文理解为：西安不动产登记多久？" in box(followed)
    assert "按上文理解为" in render.conversation_html([render.turn_record(followed, 1)])
    assert "按上文理解为" not in render.conversation_html([render.turn_record(answer(interpreted_as="x"), 1)])


def test_a_deadline_names_its_task_and_says_whether_it_has_passed():
    passed = box(answer())
    assert "推进不动产登记全程网办" in passed and "2023年6月底前" in passed and "（已过）" in passed
    assert "（剩余 30 天）" in box(answer(), today=date(2023, 5, 31))
    assert "今天到期" in box(answer(), today=date(2023, 6, 30))
    assert render.days_left("not a date") == ""
    assert 'class="deadlines"' not in box(answer(abstained=True))  # no deadline on a not-found answer


def test_departments_of_several_regions_are_grouped_and_split_names_joined():
    html = box(answer())
    assert 'class="departments by-region"' in html
    assert html.index('region-label">西安') < html.index("市资源规划局") < html.index('region-label">渭滨区')
    assert "市资源 规划局" not in html
    one = box(answer(departments=(Department("牵头", "市资源 规划局", "", C1.id),)))
    assert "by-region" not in one and "region-label" not in one and "市资源规划局" in one
    assert render.joined_name("Xi an 市资源 规划局") == "Xi an 市资源规划局"  # only between Chinese characters


def test_a_conversation_stored_before_the_new_fields_still_renders():
    record = render.turn_record(answer(), 1)
    old = {k: v for k, v in record.items() if k not in ("follow_up", "deadlines")}
    old["departments"] = [{k: v for k, v in d.items() if k != "region"} for d in old["departments"]]
    assert render.turns_of({"turns": [old]}) == [old]
    assert render.turns_of({"turns": [{**record, "deadlines": [{"iso": 1}]}]}) == []
    assert "答案要点" in render.answer_box_html(old)


def test_a_name_the_conversion_cut_into_two_departments_is_one_again():
    cut = (Department("责任", "市资源", "", C1.id), Department("责任", "规划局", "", C1.id),
           Department("责任", "市住建局", "", C1.id), Department("责任", "县", "", C1.id))
    names = [d.name for d in render.joined_departments(cut)]
    assert names == ["市资源规划局", "市住建局", "县"]
    other_clause = (Department("责任", "市资源", "", C1.id), Department("责任", "规划局", "", C2.id))
    assert [d.name for d in render.joined_departments(other_clause)] == ["市资源", "规划局"]


def test_a_deadline_in_a_field_of_its_own_names_the_clause_as_its_task():
    text = "1. 提升企业开办“一件事”效率。\n完成时限：2023 年 9 月底前"
    due = text.index("2023")
    fact = Fact("deadline", "2023 年 9 月底前", "2023-09-30", due, len(text))
    clause = replace(C1, text=text, facts=(fact,))
    html = box(answer(citations=(Citation(1, clause, XA, 1.0),), text="牵头单位：市监分局[1]。", used=()))
    assert ('<span class="task">提升企业开办“一件事”效率</span>：<span class="due">2023年9月底前</span>'
            '<span class="days passed">（已过）</span>') in html


def test_citation_markers_carry_the_sentence_they_cite_and_follow_ups_are_offered():
    record = render.turn_record(answer(), 1, suggest=render.suggestions(answer(), {"西安": "陕西"}.get))
    html = render.answer_box_html(record)
    assert 'data-quote="推进不动产登记全程网办' in html
    assert record["suggest"] == ["牵头单位是谁？", "完成时限是什么时候？", "那陕西呢？"]
    assert 'class="suggest" data-q="那陕西呢？"' in html and "猜你想问" in html
    asked = render.suggestions(answer(question="不动产登记由哪个部门牵头，什么时候截止？"))
    assert asked == []  # what was asked is not offered again, and no parent region is known
    assert render.suggestions(answer(abstained=True), {"西安": "陕西"}.get) == []


def test_each_answer_in_the_conversation_has_its_own_feedback():
    chat = render.conversation_html([render.turn_record(answer(), 1), render.turn_record(answer(), 2)])
    assert 'data-turn="1" data-rating="up"' in chat and 'data-turn="2" data-rating="down"' in chat


def test_the_parent_region_is_one_level_up_in_the_tree():
    from web.ui.handlers import parent_in

    tree = [("陕西", 0), ("西安", 1), ("泾河新城", 2), ("渭滨区", 2), ("宁夏", 0)]
    assert parent_in(tree, "渭滨区") == "西安" and parent_in(tree, "西安") == "陕西"
    assert parent_in(tree, "宁夏") == "" and parent_in(tree, "不在树中") == ""


def test_a_long_cited_span_previews_the_sentence_with_the_fact():
    text = "甲" * 130 + "。全面实现企业开办“1 个工作日”办结。" + "乙" * 20 + "。"
    at = text.index("1 个")
    fact = Fact("time_limit", "1 个工作日", "1 工作日", at, at + 6)
    clause = replace(C1, text=text, facts=(fact,))
    a = answer(citations=(Citation(1, clause, XA, 1.0),), text="1 个工作日[1]。", used=((clause.id, 0, len(text)),),
               facts=((fact, clause.id),))
    assert render.turn_record(a, 1)["citations"][0]["quote"] == "全面实现企业开办“1 个工作日”办结。"


def test_a_corrected_word_is_offered_as_did_you_mean():
    html = box(answer(corrected=(("西按", "西安"),)))
    assert "您是不是要找：<strong>西安</strong>" in html and "“西按”" in html
    assert "您是不是要找" not in box(answer())
    record = render.turn_record(answer(corrected=(("西按", "西安"),)), 1)
    assert render.turns_of({"turns": [{**record, "corrected": [["西按"]]}]}) == []


class ServiceOnItsOwnDay:
    """The service as the page sees it, its today fixed (as settings or a test fix it) to a day
    that is not this machine's; no clause can be opened (the cards say so)."""

    def __init__(self, today: date) -> None:
        self._today = today
        self.settings = SimpleNamespace(today=None, page_answer_delay_seconds=0)  # no date in the settings

    def today(self) -> date:
        return self._today

    def clause(self, clause_id: str) -> None:
        from assistant.errors import UnknownClause
        raise UnknownClause(f"no clause {clause_id}", "未找到该条款。")


def test_the_page_says_passed_or_days_left_by_the_services_today_not_its_own():
    from web.ui.handlers import Handlers

    state = {"turns": [render.turn_record(answer(), 1)]}
    before = Handlers(ServiceOnItsOwnDay(date(2023, 5, 31)), None)  # type: ignore[arg-type]
    box_before, _chat, _cards, _open, _state = before.restore(state)
    assert "（剩余 30 天）" in box_before and "已过" not in box_before  # this machine's calendar says 2026
    after = Handlers(ServiceOnItsOwnDay(date(2023, 7, 1)), None)  # type: ignore[arg-type]
    assert "（已过）" in after.restore(state)[0]
    assert "（已过）" in after.stopped(state)[0]  # every redraw of the box, not only a new answer
    assert "（剩余 30 天）" in before.loading(state)[0]
