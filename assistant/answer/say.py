"""How a found fact is said: its phrase, the sentence stating it, the quote around it, notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from assistant.answer.passages import Passage, in_item_line, segment_span, sentence_spans
from assistant.lexicon.text import closing_aside, norm
from assistant.lexicon.words import either, words
from assistant.models import Clause, Document, Fact
from assistant.prompts import render
from assistant.understand.asks import Ask
from assistant.understand.terms import KeyTerm

MAX_QUOTE = 120
# How a document states a ceiling ("最高不超过1000万元"): said first to "最多能奖多少".
CAP_SAID = re.compile(either(words().cap_said))

RULE_QUOTE = 300

def _window(text: str, start: int, end: int, size: int = MAX_QUOTE) -> str:
    if len(text) <= size:
        return text
    left = max(0, min(start - size // 3, len(text) - size))
    right = min(len(text), max(left + size, end))
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def fact_phrase(clause: Clause, fact: Fact) -> str:
    """The words around a fact up to the nearest comma or sentence end: "0.5个工作日办结"."""
    if fact.start < 0:
        return fact.value
    aside = closing_aside(clause.text, fact.start)
    if aside:  # "（公共服务处，艾娜，63916865）" is said as it stands
        return clause.text[aside[0] + 1 : aside[1] - 1].strip()
    left, right = segment_span(clause.text, fact.start, fact.end)
    phrase = clause.text[left:right].strip(" “”\n")
    if len(phrase) > 60:
        phrase = _window(phrase, fact.start - left, fact.end - left, 60)
    return phrase


def scope_label(document: Document) -> str:
    """Where a clause applies: the region, and the indicator plan for a sub-plan."""
    name = document.region
    if document.topic:
        name += f"“{document.topic}”方案"
    return name


def passed_deadline(clause: Clause, today: date) -> Fact | None:
    """The clause's latest deadline, when even that one lies before `today`."""
    deadlines = [f for f in clause.facts if f.type == "deadline" and len(f.normalized) == 10]
    if not deadlines:
        return None
    latest = max(deadlines, key=lambda f: f.normalized)
    return latest if latest.normalized < today.isoformat() else None


def notes(clause: Clause, document: Document, documents: dict[str, Document], today: date) -> str:
    """What a reader must know about the source: its date, a lapsed 完成时限, a lapsed document."""
    items = [render("dated", date=document.date_text)] if document.date else []
    if not document.in_force:
        successor = documents.get(document.superseded_by)
        replacement = render("replacement", title=successor.title) if successor else ""
        items.append(render("not_in_force", status=document.status, replacement=replacement))
    lapsed = passed_deadline(clause, today)
    if lapsed is not None:
        items.append(render("deadline_passed", value=lapsed.value, today=f"{today.year}年{today.month}月{today.day}日"))
    return render("notes", items="；".join(items)) if items else ""


def statement(ask: Ask, passage: Passage, terms: Sequence[KeyTerm] = ()) -> str:
    """The asked fact as the clause words it ("0.5个工作日办结", "牵头单位：市人社局")."""
    clause = passage.clause
    facts = [f for f in passage.facts if f.type in ask.fact_types]
    if not facts:
        return ""
    # A value the question itself states is its condition ("突破1亿元的企业奖励多少"), not its answer.
    facts = [f for f in facts if not _given(f, ask.part)] or facts
    if ask.cap:  # "最多能奖多少": the figure stated as a ceiling ("最高不超过1000万元") first
        facts = sorted(facts, key=lambda f: not (f.start >= 0 and CAP_SAID.search(clause.text[max(0, f.start - 6) : f.start])))
    if ask.type == "department":
        leads = [f for f in facts if f.type == "lead_unit"]
        if leads and ask.lead:  # "哪家牵头": the lead, not a row's own unit
            return _unit_statement(clause, leads[:1])
        inline = [f for f in facts if passage.start <= f.start < passage.end]
        if inline:  # the sentence itself names who: say it as it does
            segments = [_segment(clause.text, f.start, f.end) for f in inline[:2]]
            return "；".join(dict.fromkeys(segments))
        units = [f for f in facts if f.type in ("lead_unit", "responsible_unit")]
        if units:
            return _unit_statement(clause, units)
    if ask.each and len(facts) > 1:  # "分别什么时候": each value with what it is for, in text order
        said = [_each_phrase(clause, f, terms) for f in sorted(facts, key=lambda f: f.start)[:3]]
        # each that speaks of the question (a third value about another matter is left out)
        kept = [p for p in said if p and (not terms or any(t.found_in(norm(p)) for t in terms))]
        return "；".join(dict.fromkeys(kept or said[:1]))
    phrases: list[str] = []
    for fact in facts:
        phrase = fact_phrase(clause, fact)
        if not phrase or any(phrase in p or p in phrase for p in phrases):
            continue
        # The first fact answers; another joins it only when its own words speak of the question
        # (a list "企业开办…1个工作日，获得用水…7个工作日" gives the asked one, not all of them),
        # or when each of several is asked ("分别什么时候").
        if phrases and terms and not ask.each and not any(t.found_in(norm(phrase)) for t in terms):
            continue
        phrases.append(phrase)
        if len(phrases) == 3:
            break
    return "，".join(phrases)


def _each_phrase(clause: Clause, fact: Fact, terms: Sequence[KeyTerm], limit: int = 40) -> str:
    """One of several values asked at once, with what it is for: its own words, or, for a date that
    opens its sentence ("2024 年底前，…；…梳理水电气网报装业务流程"), the first words after it
    that name the question's subject: "2024 年底前：梳理水电气网报装业务流程"."""
    phrase = fact_phrase(clause, fact)
    text = clause.text
    if fact.start < 0 or text[max(0, fact.start - 1) : fact.start].strip() not in ("", "。", "；", ";", "\n"):
        return phrase  # the fact's own words say what it is for ("有外线工程办电时间压缩至5个工作日")
    ends = [text.find(ch, fact.end) for ch in "。！？\n"]
    end = min((e for e in ends if e >= 0), default=len(text))
    for m in re.finditer(r"[^，,；;：:]+", text[fact.end : end]):
        words = m.group(0).strip()
        if words and any(t.found_in(norm(words)) for t in terms):
            return f"{fact.value}：{words if len(words) <= limit else words[:limit] + '…'}"
    return phrase


def _given(fact: Fact, asked: str) -> bool:
    value = norm(fact.value).replace(" ", "")
    return len(value) > 1 and value in norm(asked).replace(" ", "")


_UNIT_BREAK = "（(，,；;。\n）)"

def _segment(text: str, start: int, end: int, limit: int = 60) -> str:
    left, right = segment_span(text, start, end, _UNIT_BREAK)
    found = text[left:right].strip()
    return found if len(found) <= limit else found[:limit].rstrip("、，, ") + "…"


def _unit_statement(clause: Clause, units: list[Fact]) -> str:
    """Who leads and who is responsible, as the clause words it: "市税务局牵头", "牵头单位：市人社局"."""
    lead = next((f for f in units if f.type == "lead_unit"), None)
    responsible = next((f for f in units if f.type == "responsible_unit"), None)
    pieces: list[str] = []
    if lead is not None and responsible is not None and responsible.normalized == lead.normalized:
        responsible = None
    for fact in (lead, responsible):
        if fact is None:
            continue
        position = clause.text.find(fact.value)
        if position >= 0 and "★" not in clause.text[max(0, position - 1) : position + len(fact.value)]:
            piece = _segment(clause.text, position, position + len(fact.value), 40 if lead and fact is not lead else 120)
        elif fact is lead:
            piece = render("units", lead=fact.value, responsible="")
        else:
            piece = render("units_only", units=fact.value)
        if piece not in pieces:
            pieces.append(piece)
    return "；".join(pieces)


def _dense_window(sentence: str, terms: Sequence[KeyTerm], size: int) -> tuple[int, int]:
    """Where in a long sentence the question's terms are densest: the stretch to quote."""
    if len(sentence) <= size:
        return 0, len(sentence)
    normalized = sentence.lower()
    starts = [0] + [i + 1 for i, ch in enumerate(sentence) if ch in "，,；;：:" and i + 1 < len(sentence) - size // 3]

    def weight(start: int) -> float:
        window = norm(normalized[start : start + size])
        return sum(t.weight for t in terms if t.found_in(window))

    best = max(starts, key=lambda s: (weight(s), -s))
    return best, min(len(sentence), best + size)


def _without_aside(sentence: str, offset: int, size: int, facts: Sequence[Fact]) -> str:
    """A sentence too long to quote whole loses its closing aside ("（区住建局牵头）") first, unless
    the aside holds a fact the answer states."""
    aside = closing_aside(sentence, len(sentence) - 1) if len(sentence) > size else None
    if aside is None or aside[1] != len(sentence) or any(offset + aside[0] <= f.start < offset + aside[1] for f in facts):
        return sentence
    return sentence[: aside[0]]


def quote(passage: Passage, size: int, used: Sequence[Fact] = (), terms: Sequence[KeyTerm] = (),
          whole: bool = False) -> str:
    """The passage as the source words it, around its facts, with the item lines (完成时限 …)
    whose facts the answer states; `whole` (a rule read out, not a fact): with the sentences of its
    paragraph that follow it, as far as `size` allows."""
    text = passage.clause.text
    start, end = passage.start, passage.end
    if whole:
        for s, e in sentence_spans(text):
            if s >= end and e - start <= size and "\n" not in text[end:s + 1] and not in_item_line(passage.clause, s):
                end = e
    inline = [f for f in passage.facts if start <= f.start < end]
    sentence = text[start:end].strip()
    offset = text.index(sentence, start) if sentence else start
    sentence = _without_aside(sentence, offset, size, [*inline, *used])
    if inline:
        quote = _window(sentence, inline[0].start - offset, inline[-1].end - offset, size)
    else:
        left, right = _dense_window(sentence, terms, size)
        quote = _window(sentence, left, right, size)
    lines: list[str] = []
    for fact in used:
        span = in_item_line(passage.clause, fact.start) if fact.start >= 0 and not start <= fact.start < end else None
        line = text[span[0] : span[1]].strip() if span else ""
        if len(line) > 40:
            line = line[:40].rstrip("、，, ") + "…"
        if line and line not in lines:
            lines.append(line)
    return " ".join([quote, *lines]).replace("\n", " ")
