"""The page's HTML and Markdown, rendered from a turn record: escaping, the three states of the
answer box, [n] links, highlighted sentences, the copy text and the Markdown export."""

from __future__ import annotations

import re

from assistant.errors import EmptyQuestion
from assistant.models import Answer, Citation, Clause, ClauseInContext, Department, Document, Fact
from web.ui import render
from web.ui.handlers import region_choices
from web.ui.layout import storage_secret

DOC = Document(id="d", title="泾河新城开办企业方案", issuer="泾河新城管委会", doc_number="陕泾河发〔2023〕15号",
               date="2023-04-25", region="泾河新城", source_file="internal_file.txt", line_start=1, line_end=9)
TEXT = "统一办事指南。全面实现企业开办全流程“1 个工作日”办结。<script>x</script>"
CLAUSE = Clause(id="d:1.", doc_id="d", path="二、(一)1.", headings=("二、主要任务",), text=TEXT, page=7,
                source_file="internal_file.txt", line_start=3, line_end=4)
OTHER = Clause(id="d:2.", doc_id="d", path="二、(一)2.", headings=(), text="推行“一网通办”。", page=7,
               source_file="internal_file.txt", line_start=5, line_end=5)
START = TEXT.index("全面")
FACT = Fact("time_limit", "1 个工作日", "1 工作日", TEXT.index("1 个"), TEXT.index("办结"))


def make_answer(text: str = "泾河新城：全面实现企业开办全流程“1 个工作日”办结[1]。原文：“…”[1]", abstained: bool = False,
                missing: tuple[str, ...] = (), filtered: bool = False) -> Answer:
    return Answer("开办企业要多久？<b>", text, abstained,
                  (Citation(1, CLAUSE, DOC, 1.0), Citation(2, OTHER, DOC, 0.5)), ((FACT, CLAUSE.id),),
                  missing=missing, used=((CLAUSE.id, START, TEXT.index("<script>")),),
                  departments=(Department("牵头", "市监分局", "市场监督管理局泾河新城分局", CLAUSE.id),),
                  filtered=filtered)


def in_context(clause_id: str) -> ClauseInContext:
    clause = CLAUSE if clause_id == CLAUSE.id else OTHER
    return ClauseInContext(clause, DOC, None, OTHER if clause is CLAUSE else None)


def test_the_answer_box_has_three_states():
    answered = render.answer_box_html(render.turn_record(make_answer(), 1), live=True)
    assert "state-answered" in answered and "答案要点" in answered and 'data-live="1"' in answered
    assert '<a class="cite" href="#card-1"' in answered and 'class="cite-chip" href="#card-1"' in answered
    assert "牵头" in answered and "市场监督管理局泾河新城分局" in answered and "copy-answer" in answered
    partial = render.answer_box_html(render.turn_record(make_answer(missing=("联系电话",)), 1))
    assert "state-partial" in partial and "部分解答" in partial and "文件未写明：</strong>联系电话" in partial
    said = "现有西安文件中未找到办理时限的明确规定。如需进一步确认，请咨询相关主管部门或12345政务服务便民热线。"
    not_found = render.answer_box_html(render.turn_record(make_answer(said, True, filtered=True), 2,
                                                          {"地区": "西安", "文件": ""}))
    assert "state-not_found" in not_found and "未找到明确规定" in not_found and "cite-chip" not in not_found
    assert "热线坐席" in not_found and "筛选条件（地区：西安）" in not_found
    shown = re.sub(r"<textarea.*?</textarea>", "", not_found, flags=re.S)  # not the copy text
    assert shown.count("12345") == 1  # the citizens' line, not repeated from the answer text
    # the filter is named only when it, not the question, set the scope
    named = render.answer_box_html(render.turn_record(make_answer(said, True), 2, {"地区": "西安"}))
    assert "筛选条件" not in named


def test_user_and_source_text_is_escaped_everywhere():
    record = render.turn_record(make_answer(), 1)
    chat = render.conversation_html([record])
    cards = render.cards_html(record, in_context)
    for html in (chat, cards, render.answer_box_html(record)):
        assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in cards and "&lt;b&gt;" in chat


def test_cards_highlight_the_sentences_used_and_name_no_internal_file():
    cards = render.cards_html(render.turn_record(make_answer(), 1), in_context)
    assert 'id="card-1"' in cards and 'id="card-2"' in cards
    assert '<mark class="used">全面实现企业开办全流程“</mark><mark class="fact used">1 个工作日”</mark>' in cards
    assert "internal_file" not in cards and "第 3" not in cards
    assert "来源：《泾河新城开办企业方案》 · 陕泾河发〔2023〕15号 · 第7页 · 条款 二、(一)1." in cards
    card_one, card_two = cards.split('id="card-2"')
    assert " open" in card_one and " open" not in card_two  # the card the answer used is open


def test_the_copy_text_is_plain_with_the_sources_used_and_the_department():
    copy = render.turn_record(make_answer(), 1)["copy"]
    assert copy.startswith("泾河新城：全面实现") and "<" not in copy.split("原文")[0]
    assert "部门：牵头：市监分局（市场监督管理局泾河新城分局）" in copy
    assert "[1] 《泾河新城开办企业方案》" in copy and "[2]" not in copy  # only what the answer used


def test_older_turns_link_their_own_sources_and_export_as_markdown():
    first, second = render.turn_record(make_answer(), 1), render.turn_record(make_answer(), 2)
    chat = render.conversation_html([first, second])
    assert 'href="#t1-src-1"' in chat and 'id="t1-src-1"' in chat  # an older turn: its own source list
    assert chat.count('href="#card-1"') == 2  # the latest: the cards (two markers in its text)
    markdown = render.conversation_markdown([first, second])
    assert markdown.count("## 问：开办企业要多久？<b>") == 2 and "**答案要点**：泾河新城" in markdown
    assert "- [1] 《泾河新城开办企业方案》 陕泾河发〔2023〕15号" in markdown and "部门：牵头：市监分局" in markdown


def test_a_mistake_is_a_message_beside_the_box():
    html = render.error_html(EmptyQuestion("the question is empty", "问题不能为空。"))
    assert 'role="alert"' in html and "问题不能为空" in html


def test_highlight_merges_nothing_it_should_not():
    assert render.highlight("abcdef", [(1, 4)], [(2, 3)]) == 'a<mark class="used">b</mark><mark class="fact used">c</mark><mark class="used">d</mark>ef'
    assert render.highlight("a<b", [], []) == "a&lt;b"
    assert render.highlight("abc", [(2, 99)], []) == "abc"  # a span past the end is ignored


def test_regions_are_offered_as_a_tree():
    choices = region_choices([("陕西", 0), ("西安", 1), ("泾河新城", 2), ("宁夏", 0)])
    assert choices[0] == ("全部地区", "")
    assert [value for _label, value in choices[1:]] == ["陕西", "西安", "泾河新城", "宁夏"]
    assert choices[3][0] == "\u3000\u3000└ 泾河新城" and choices[4][0] == "宁夏"


def test_a_stored_conversation_is_checked_before_it_is_rendered():
    good = render.turn_record(make_answer(), 1)
    hostile = {**good, "turn": '1"><img src=x onerror=alert(1)>'}
    bad_citation = {**good, "citations": [{**good["citations"][0], "n": '1"><img src=x onerror=alert(1)>'}]}
    missing = {k: v for k, v in good.items() if k != "question"}
    state = {"turns": [hostile, bad_citation, missing, "x", good, {**good, "state": "<b>"}]}
    assert render.turns_of(state) == [good]
    assert render.turns_of({"turns": "x"}) == [] and render.turns_of(None) == [] and render.turns_of([]) == []
    assert render.turns_of({"turns": [{**good, "turn": True}]}) == []  # a bool is not a turn number


def test_the_key_fact_is_the_first_sentence_outside_quotes():
    assert render.first_sentence("甲：“全程网办。2小时办结。”[1]。原文：…") == "甲：“全程网办。2小时办结。”[1]。"
    assert render.first_sentence("没有句号") == "没有句号"


def test_the_browser_storage_key_survives_a_restart(tmp_path):
    first = storage_secret(tmp_path / "data")
    assert len(first) == 64 and storage_secret(tmp_path / "data") == first
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert storage_secret(blocked) != storage_secret(blocked)  # not writable: a fresh key each time
