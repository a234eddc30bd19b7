"""Follow-up resolution in the service layer, on the real corpus's regions and indicators."""

from __future__ import annotations

import pytest

from assistant.understand.conversation import Context, Turn

pytestmark = pytest.mark.integration

OPENING = "泾河新城开办企业要多久？"


@pytest.fixture(scope="module")
def resolver(assistant):  # type: ignore[no-untyped-def]
    return assistant.engine().follow_ups


def test_without_context_a_question_stands_alone(resolver):
    assert resolver.resolve("那渭滨区呢？", None).follow_up == ""


@pytest.mark.parametrize(("question", "kind", "expected"), [
    ("那渭滨区呢？", "region", "渭滨区开办企业要多久？"),
    ("渭滨区呢", "region", "渭滨区开办企业要多久？"),
    ("那获得电力呢？", "topic", "泾河新城获得电力多久？"),
    ("牵头单位是谁？", "clause", "泾河新城开办企业要多久，牵头单位是谁？"),
    ("这个什么时候要完成？", "clause", "泾河新城开办企业要多久，这个什么时候要完成？"),
    ("渭滨区热线工单直派机制是哪个单位牵头？", "", "渭滨区热线工单直派机制是哪个单位牵头？"),
    ("西安市获得用水要多久？", "", "西安市获得用水要多久？"),
])
def test_resolve(resolver, question, kind, expected):
    resolved = resolver.resolve(question, Context(OPENING, "jh2023-15-p2-01:二、(一)1."))
    assert (resolved.follow_up, resolved.question) == (kind, expected)
    if kind == "clause":
        assert resolved.pinned == "jh2023-15-p2-01:二、(一)1."
    if kind == "region":
        assert resolved.region == "渭滨区"


def test_a_chain_keeps_its_subject(assistant):
    history: list[Turn] = []
    for question in (OPENING, "那渭滨区呢？", "牵头单位是谁？"):
        answer = assistant.ask(question, history=history)
        history += [Turn("user", question), Turn("assistant", answer.text)]
    assert answer.follow_up == "clause"
    assert answer.citations[0].document.region == "渭滨区"
    assert "区行政审批局" in answer.text.split("。")[0]


def test_assistant_turns_and_blank_questions_are_ignored(assistant):
    history = [Turn("system", "你是助手"), Turn("user", "  "), Turn("user", OPENING), Turn("assistant", "渭滨区…")]
    answer = assistant.ask("牵头单位是谁？", history=history)
    assert "市监分局" in answer.text.split("。")[0]


def test_a_topic_concept_carries_a_follow_up(assistant):
    first = "渭滨区开办企业要几天？"
    answer = assistant.ask("那纳税呢？", history=[Turn("user", first)])
    assert answer.follow_up == "topic" and "渭滨区" in answer.interpreted_as
    assert answer.citations and answer.citations[0].document.region == "渭滨区"


def test_a_kept_context_answers_a_follow_up_without_reading_the_history_again(assistant, monkeypatch):
    """An answer returns what the conversation is about and its clause; sent back on the assistant
    turn, they give the follow-up the same answer as replaying the questions, with one search."""
    chain = (OPENING, "那渭滨区呢？", "牵头单位是谁？")
    replayed: list[Turn] = []
    kept: list[Turn] = []
    for question in chain:
        plain = assistant.ask(question, history=replayed)
        searches: list[object] = []
        backend = assistant.engine().backend()
        original = backend.search
        monkeypatch.setattr(backend, "search",
                            lambda request, seen=searches, search=original: seen.append(request) or search(request))
        answer = assistant.ask(question, history=kept)
        monkeypatch.undo()
        assert (answer.text, answer.follow_up, answer.subject) == (plain.text, plain.follow_up, plain.subject)
        assert len(searches) <= 2  # this question's search (and "elsewhere" when not found): nothing replayed
        replayed += [Turn("user", question), Turn("assistant", plain.text)]
        kept += [Turn("user", question), Turn("assistant", answer.text, answer.subject, answer.top_clause)]
    assert answer.follow_up == "clause" and "区行政审批局" in answer.text.split("。")[0]
    assert answer.subject == "渭滨区开办企业要多久？"


def test_a_kept_clause_the_index_lacks_is_not_pinned(assistant):
    history = [Turn("user", OPENING), Turn("assistant", "…", OPENING, "no-such-clause")]
    answer = assistant.ask("牵头单位是谁？", history=history)
    assert answer.follow_up == "clause" and answer.citations  # read in its context, answered by retrieval


def test_a_home_region_answers_questions_that_name_no_place(built_settings):
    from assistant.service.assistant import Assistant

    home = Assistant(built_settings.model_copy(update={"home_region": "渭滨"}))
    answer = home.ask("企业开办需要几个工作日？")
    assert answer.citations[0].document.region in ("渭滨区", "宝鸡", "陕西")
    assert "按渭滨区回答" in answer.text
    named = home.ask("泾河新城开办企业要多久？")  # a place named: the home region stays out of it
    assert named.citations[0].document.region == "泾河新城" and "按渭滨区回答" not in named.text
