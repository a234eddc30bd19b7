"""Conversation properties over generated questions (every region × topic, phrasings drawn by a
fixed seed, `assistant/eval/generated.py`):

(d) a standalone question — one that names its region and its topic — gets the same answer after
    any conversation as in a new one;
(e) small talk (谢谢, 你好, 天气) never searches, whatever came before, and leaves the subject of the
    conversation as it was;
(f) an operator's relay words (来电人问：…, 对方还想知道…) change nothing in the answer.
"""

from __future__ import annotations

import random

import pytest

from assistant.eval.generated import Cases, generate_for
from assistant.understand.conversation import Turn

pytestmark = pytest.mark.integration

SAMPLE = 40
HISTORIES = (
    ("泾河新城开办企业要多久？",),
    ("谢谢",),
    ("渭滨区获得电力要几天？", "那牵头单位是谁？"),
    ("来电人问：宁夏不动产登记要多久？",),
)
SMALL_TALK = ("谢谢", "好的，谢谢！", "你好", "再见", "今天天气怎么样？", "没有了，谢谢")
RELAYS = ("来电人问：", "对方还想知道", "他又问，", "群众来电反映，")


@pytest.fixture(scope="module")
def sample(assistant) -> list[str]:  # type: ignore[no-untyped-def]
    cases: Cases = generate_for(assistant)
    covered = [c.question for c in cases.singles]
    return random.Random(7).sample(covered, min(SAMPLE, len(covered)))


def _history(assistant, questions: tuple[str, ...]) -> list[Turn]:  # type: ignore[no-untyped-def]
    turns: list[Turn] = []
    for q in questions:
        answer = assistant.ask(q, history=turns)
        turns += [Turn("user", q), Turn("assistant", answer.text)]
    return turns


def test_d_a_standalone_question_is_answered_alike_after_any_conversation(assistant, sample):
    histories = [_history(assistant, h) for h in HISTORIES]
    differ = []
    for question in sample:
        alone = assistant.ask(question)
        for history in histories:
            after = assistant.ask(question, history=history)
            if (after.text, after.follow_up) != (alone.text, ""):
                differ.append(f"{question} after {history[0].content}: {after.interpreted_as or after.text[:40]}")
    assert not differ, "\n".join(differ[:8])


def test_e_small_talk_never_searches_and_keeps_the_subject(assistant, monkeypatch):
    backend = assistant.engine().backend()
    searches: list[object] = []
    original = backend.search
    for history_questions in ((), *HISTORIES):
        history = _history(assistant, history_questions)
        monkeypatch.setattr(backend, "search", lambda request, _o=original: searches.append(request) or _o(request))
        for message in SMALL_TALK:
            answer = assistant.ask(message, history=history)
            assert answer.small_talk and answer.state == "small_talk" and not answer.citations, message
        monkeypatch.setattr(backend, "search", original)
    assert searches == []
    first = "渭滨区开办企业要几天？"
    opening = assistant.ask(first)
    follow = assistant.ask("牵头单位是谁？", history=[Turn("user", first), Turn("assistant", opening.text),
                                                  Turn("user", "谢谢"), Turn("assistant", "不客气。")])
    assert follow.follow_up == "clause" and follow.citations[0].document.region == "渭滨区"


def test_f_relay_words_change_nothing(assistant, sample):
    differ = []
    for n, question in enumerate(sample):
        relay = RELAYS[n % len(RELAYS)]
        plain, relayed = assistant.ask(question), assistant.ask(relay + question)
        if relayed.text != plain.text:
            differ.append(f"{relay}{question}")
    assert not differ, "\n".join(differ[:8])
