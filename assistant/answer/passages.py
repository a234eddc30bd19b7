"""Rank by what is asked: the retrieved clauses re-ranked at sentence level.

For each ask of the question, every passage (one sentence, or two adjacent ones) of the candidate
clauses is scored on the question's key terms it states, the terms its clause's title and
headings state, the words of the ask's own part, and the clause's retrieval rank as a prior. A
fact ask (time limit, department, count …) is answered only by a passage holding a fact of that
type; a title or heading alone never answers one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.lexicon.patterns import field_name_group
from assistant.lexicon.text import closing_aside, heading_rank, norm, sentences
from assistant.lexicon.words import either, words
from assistant.models import Clause, Document, Fact, Hit
from assistant.understand.asks import Ask, years_in
from assistant.understand.query import Query
from assistant.understand.terms import KeyTerm

# The 牵头单位 / 责任单位 / 完成时限 lines under an item: what they say holds for the whole item.
_ITEM_LINE = re.compile(r"^[ \t]*" + field_name_group() + r"[^\n]*", re.MULTILINE)

PRIOR = 0.6  # weight of the retrieval rank against what the passage itself states
FACT_BONUS = 0.6
NAMED_REGION = 0.3
# A measure with its own 牵头单位 / 完成时限 is what an operator reads out; an overview (总体目标)
# that repeats its figure comes second.
ITEM_BONUS = 0.25
PART_WEIGHT = 0.5
BIND_WEIGHT = 0.5  # a fact whose own words name the subject before one whose sentence names it far away
# Asks whose facts speak for their whole item, not for the words beside them: "（区政府办牵头）"
# closes the measure it belongs to.
UNBOUND_ASKS = frozenset({"department"})
CONTEXT_WEIGHT = 0.5
LEAD_BONUS = 0.3


@dataclass(frozen=True)
class Passage:
    hit: Hit
    start: int  # offsets into clause.text
    end: int
    facts: tuple[Fact, ...]  # facts of the asked types the passage states, in text order
    relevance: float  # share of the question's key terms the passage (and its clause's headings) state
    score: float

    @property
    def clause(self) -> Clause:
        return self.hit.clause

    @property
    def text(self) -> str:
        return self.clause.text[self.start : self.end].strip()


@lru_cache(maxsize=65536)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans of a clause text (cached: each clause is cut once per process)."""
    spans = sentences(text)
    return tuple(spans) if spans else ((0, len(text)),)


@lru_cache(maxsize=65536)
def item_lines(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the 牵头单位 / 责任单位 / 完成时限 lines of a clause."""
    return tuple((m.start(), m.end()) for m in _ITEM_LINE.finditer(text))


def in_item_line(clause: Clause, position: int) -> tuple[int, int] | None:
    return next(((s, e) for s, e in item_lines(clause.text) if s <= position < e), None)


def facts_of(clause: Clause, types: tuple[str, ...], start: int, end: int) -> tuple[Fact, ...]:
    """The clause's facts of `types` inside [start, end); then those of its item lines and table
    fields, which hold for the whole item."""
    candidates = clause.facts
    inline = sorted((f for f in candidates if f.type in types and start <= f.start < end), key=lambda f: f.start)
    lines = item_lines(clause.text)
    # a lead unit (★, "牵头") leads the whole item, whichever row names it
    item = [f for f in candidates if f.type in types and f not in inline and f.start >= 0
            and (f.type == "lead_unit" or any(s <= f.start < e for s, e in lines))]
    order = {t: i for i, t in enumerate(types)}
    fields = sorted((f for f in candidates if f.type in types and f.start < 0), key=lambda f: order[f.type])
    return tuple(inline + governing(clause, types, start, inline + item) + sorted(item, key=lambda f: f.start) + fields)


def governing(clause: Clause, types: tuple[str, ...], start: int, taken: list[Fact]) -> list[Fact]:
    """A deadline that opens the sentence a passage continues ("2024 年底前，组织…；按照…整合“一张
    表单”。"): it governs every part of its sentence, the ones after a semicolon too."""
    if "deadline" not in types:
        return []
    text = clause.text
    opening = max(text.rfind(ch, 0, start) for ch in "。！？\n") + 1
    return [f for f in clause.facts if f.type == "deadline" and opening <= f.start < start and f not in taken
            and not text[opening : f.start].strip() and text[f.end : f.end + 1] in "，,"]


# A unit something is handed to: right after a verb of handing ("报区职转和营商办", "报送给…"), or
# after 向 ("向市场监管局提交"); not one it is copied to (抄送).
_HANDED_TO = re.compile(f"(?<!抄)(?:{either(words().recipient_said)})(?:给|至|到)?\\s*$")


def handed_to(text: str, fact: Fact) -> bool:
    """Whether `text` hands something to the unit `fact` names ("…前报区职转和营商办")."""
    return fact.start >= 0 and _HANDED_TO.search(text, max(0, fact.start - 4), fact.start) is not None


SEGMENT_BREAK = "，,；;：:。\n"


def segment_span(text: str, start: int, end: int, breaks: str = SEGMENT_BREAK) -> tuple[int, int]:
    """The stretch of text around [start, end) up to the nearest break (a comma, a sentence end)."""
    left = max((text.rfind(ch, 0, start) for ch in breaks), default=-1) + 1
    rights = [text.find(ch, end) for ch in breaks]
    return left, min((r for r in rights if r >= 0), default=len(text))


_ROW = re.compile(r"[^：:\n，,。；;]{1,12}[：:][^\n]*[；;][^：:\n，,。；;]{1,12}[：:]")


def own_words(text: str, fact: Fact, reach: bool) -> tuple[int, int]:
    """The words a fact is said about: its own segment (and, with `reach`, the one before it in its
    sentence); in a table row of columns ("具体事项：…；责任单位：市交通局"), its row; in an aside
    that closes a sentence ("…检索分析工具。（公共服务处，艾娜，63916865）"), the sentence it closes."""
    start, end = text.rfind("\n", 0, fact.start) + 1, text.find("\n", fact.end)
    end = len(text) if end < 0 else end
    if _ROW.match(text, start, end):
        return start, end
    aside = closing_aside(text, fact.start)
    if aside:
        return max((s for s, _e in sentence_spans(text) if s <= aside[0]), default=0), aside[1]
    left, right = segment_span(text, fact.start, fact.end)
    if reach and left > 0 and text[left - 1] in "，,：:":
        left = segment_span(text, left - 1, left - 1)[0]
    return left, right


def about_subject(query: Query, clause: Clause, fact: Fact, context_speaks: bool) -> bool:
    """A fact answers only when it is said about the question's subject: its own stretch of text
    names a key term, or the clause's plan or headings are about the concept asked."""
    if fact.start < 0 or context_speaks:
        return True
    left, right = own_words(clause.text, fact, reach=False)
    words = norm(clause.text[left:right])
    return any(t.found_in(words) or any(h in words for h in heads(t)) for t in query.terms)


def binding(query: Query, clause: Clause, fact: Fact) -> float:
    """How closely a fact is bound to the question's subject: the share of the key terms' weight
    named in the fact's own segment or the one before it in its sentence ("企业在主板首次发行股票
    上市，一次性给予200万元奖励" binds 200万元 to 上市; a term named five segments earlier binds little)."""
    total = sum(t.weight for t in query.terms)
    if fact.start < 0 or not total:
        return 0.0
    left, right = own_words(clause.text, fact, reach=True)
    words = norm(clause.text[left:right])
    return sum(t.weight for t in query.terms if t.found_in(words) or any(h in words for h in heads(t))) / total


def heads(term: KeyTerm) -> tuple[str, ...]:
    """The head nouns of a compound term and its alternatives: Chinese compounds end in their
    head (创业担保贷款 → 贷款, 不动产登记 → 登记), which a sentence may repeat alone."""
    return tuple({w[-2:] for w in (term.text, *term.alternatives) if len(w) >= 4})


@lru_cache(maxsize=65536)
def entry_end(text: str) -> int:
    """Where the name of a table entry of several rows ends: its first row up to the first column
    its other rows also fill ("阶段：…；“一件事”名称：开办餐饮店“一件事”；|具体事项：…"); 0 when
    `text` is not such an entry. The name holds for every row, so it speaks for none in particular."""
    lines = text.split("\n")
    if len(lines) < 2 or "：" not in lines[1]:
        return 0
    column = lines[1].split("：", 1)[0].strip() + "："
    at = lines[0].find(column)
    return at if at > 0 else 0


def context_of(clause: Clause, document: Document) -> str:
    return norm(" ".join([document.title, document.topic, document.region, *clause.headings]))


def says_nothing(sentence: str) -> bool:
    """A sentence that states nothing (when it holds no fact): a short numbered heading
    ("四、安全平安过节。") or a question ("问：到上海运输防疫物资需要什么文件？")."""
    sentence = sentence.strip()
    if sentence.endswith(("？", "?")):
        return True
    return len(sentence) <= 30 and heading_rank(sentence) > 0 and sentence.count("，") + sentence.count(",") == 0


def is_heading_only(clause: Clause) -> bool:
    """A clause that is just a title or heading line: short, no sentence end, no facts."""
    if len(clause.text) > 80:
        return False
    text = norm(clause.text)
    return len(text) < 40 and not any(ch in text for ch in "。；;") and not any(f.start >= 0 for f in clause.facts)


_NOT_ALNUM = re.compile(r"[\W_]+")


def _bare(text: str) -> str:
    """Text without spaces and punctuation: what a title and a line are compared by."""
    return _NOT_ALNUM.sub("", text)


@lru_cache(maxsize=65536)
def is_title(sentence: str, title: str) -> bool:
    """A sentence that is the document's title (or a part of it, or the title with a few words
    around it): "北京市市场监督管理局关于…保障电梯安全运行的工作提示" under that title says nothing."""
    bare = _bare(sentence)
    # most of the title, or the title with a few words around it (a date, "通知如下")
    return len(title) >= 6 and ((bare in title and len(bare) >= 0.6 * len(title))
                                or (title in bare and len(bare) <= len(title) + 8))


@lru_cache(maxsize=262144)
def windows(text: str) -> tuple[tuple[int, int, bool, str], ...]:
    """The passages of a clause text, cut once: (start, end, two sentences?, normalised text) for
    every sentence and every two adjacent sentences of one paragraph (a table row or a new
    paragraph stands alone); the item lines are left out (they are quoted with their item)."""
    spans = sentence_spans(text)
    out = [(s, e, False) for s, e in spans]
    out += [(spans[i][0], spans[i + 1][1], True) for i in range(len(spans) - 1)
            if "\n" not in text[spans[i][1] : spans[i + 1][0] + 1]]
    lines = item_lines(text)
    return tuple((s, e, two, norm(text[s:e])) for s, e, two in out if not any(a <= s < b for a, b in lines))


Memo = dict[tuple[str, int, int], tuple[float, frozenset[int]]]


def _said(query: Query, clause: Clause, document: Document, start: int, text: str, memo: Memo,
          ) -> tuple[float, frozenset[int]]:
    """(relevance, the key terms the passage says) — the same for every ask, so kept in `memo`."""
    key = (clause.id, start, len(text))
    if key not in memo:
        terms = query.terms
        total = sum(t.weight for t in terms) or 1.0
        context = context_of(clause, document)
        named = entry_end(clause.text) if clause.fields else 0
        if named:  # a table entry's name is said by each of its rows alike, the first row no more
            text = norm(clause.text[:named]) + text[len(norm(clause.text[start:named])) if start < named else 0 :]
        said = frozenset(i for i, t in enumerate(terms) if t.found_in(text))
        in_context = sum(t.weight for i, t in enumerate(terms) if i not in said and t.found_in(context))
        memo[key] = ((sum(terms[i].weight for i in said) + CONTEXT_WEIGHT * in_context) / total, said)
    return memo[key]


def of_year(years: tuple[str, ...], clause: Clause, document: Document) -> bool:
    """Whether a clause can speak for one of the years a question names: the year is written in it,
    its headings or its document's title, or the document is of that year."""
    said = norm(" ".join((clause.text, *clause.headings, document.title))).replace(" ", "")
    return any(y in said or document.date_iso[:4] == y for y in years)


def first_sentence_of(text: str, start: int, end: int) -> str:
    """The sentence of `text` that holds position `start` (within [start, end))."""
    return next((text[s:e] for s, e in sentence_spans(text) if s <= start < e), text[start:end])


def sentence_of_year(years: tuple[str, ...], text: str) -> bool:
    """A sentence that names years speaks for one of `years` only if it names it ("2024年，…" does
    not answer for 2025); one that names none may (its clause and document say which year)."""
    said = set(years_in(text))
    return not said or bool(said & set(years))


def rank_passages(query: Query, ask: Ask, hits: Sequence[Hit], documents: dict[str, Document],
                  memo: Memo | None = None) -> list[Passage]:
    """Passages of `hits` that answer `ask`, best first. `memo` keeps what does not depend on the
    ask across the asks of one question."""
    memo = {} if memo is None else memo
    terms = query.terms
    part = norm(ask.part)
    part_terms = {i for i, t in enumerate(terms) if t.found_in(part)}
    part_total = sum(terms[i].weight for i in part_terms) or 1.0
    types = ask.fact_types
    out: list[Passage] = []
    for position, hit in enumerate(hits):
        clause = hit.clause
        if is_heading_only(clause):  # a title or heading never answers, not even "how"
            continue
        document = documents[clause.doc_id]
        if ask.years and not of_year(ask.years, clause, document):
            continue
        # a list's entries come from a passage of that list: one naming it, or under a heading or title that does
        listed = not ask.container or ask.container in norm(" ".join((*clause.headings, document.title)))
        prior = PRIOR / (1 + 0.25 * position)
        if ask.needs_fact and (item_lines(clause.text) or any(f.start < 0 for f in clause.facts)):
            prior += ITEM_BONUS
        named = document.region in query.place.names
        if named:
            prior += NAMED_REGION  # the named region's own rule before its province's
        context = context_of(clause, document)
        title = _bare(norm(document.title))
        context_speaks = not query.subjects or any(c.spoken_of(context, document.topic) for c in query.subjects)
        for start, end, two, text in windows(clause.text):
            if ask.years and not sentence_of_year(ask.years, first_sentence_of(clause.text, start, end)):
                continue
            if not listed and ask.container not in text:
                continue
            if not two and (says_nothing(clause.text[start:end]) or is_title(text, title)) and not any(
                    start <= f.start < end for f in clause.facts):
                continue  # a heading, a title or a question is answered by what follows it, never by itself
            if ask.aggregate and query.place.names and not named and not any(w in text for w in query.place.words):
                continue  # a province's count is the province's total, not the district's
            facts = facts_of(clause, types, start, end) if types else ()
            if ask.years:
                facts = tuple(f for f in facts if f.start < 0 or sentence_of_year(
                    ask.years, first_sentence_of(clause.text, f.start, f.start + 1)))
            if ask.recipient:  # "报给谁": the unit the text hands it to, not the one leading the work
                facts = tuple(f for f in facts if handed_to(clause.text, f))
            if ask.needs_fact:
                facts = tuple(f for f in facts if ask.fits(f) and about_subject(query, clause, f, context_speaks))
            if ask.needs_fact and not facts:
                continue
            relevance, said = _said(query, clause, document, start, text, memo)
            part_score = sum(terms[i].weight for i in said & part_terms) / part_total if part_terms else 0.0
            stated = [f for f in facts if start <= f.start < end]
            bonus = (FACT_BONUS if ask.needs_fact else FACT_BONUS / 3) if facts else 0.0
            bonus += 0.1 * min(2, max(0, len(stated) - 1))  # "分别…", "一整套": stating more of them
            bonus += 0.1 if stated else 0.0  # said in the sentence itself, not only by the item's fields
            if ask.lead and any(f.type == "lead_unit" for f in stated):
                bonus += LEAD_BONUS  # "哪家牵头": the row that names the lead
            if ask.needs_fact and stated and ask.type not in UNBOUND_ASKS:
                bound = {id(f): binding(query, clause, f) for f in facts}
                bonus += BIND_WEIGHT * max(bound[id(f)] for f in stated)
                # the fact bound to the subject is the one said first
                facts = tuple(sorted(facts, key=lambda f: -bound[id(f)]))
            score = prior + relevance + PART_WEIGHT * part_score + bonus
            if not named and any(w in text for w in query.place.words):
                score += NAMED_REGION  # a provincial rule that names the place asked about
            score -= 0.05 if two else 0.0  # a second sentence must earn its place
            out.append(Passage(hit, start, end, facts, relevance, score))
    out.sort(key=lambda p: -p.score)
    return out
