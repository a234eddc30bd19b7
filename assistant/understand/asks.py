"""What a question asks for: one or more asks, each a kind of fact (time limit, deadline,
department, amount, percentage, count, contact, platform, materials, conditions) or a procedure.

A question is cut into parts at its question marks and at commas that open a new question
("要准备哪些材料？打电话能不能报装？", "建几个，什么时候建好"); each part is read for the words that
say what it asks ("多久", "哪个部门", "电话"). Every ask keeps its part, so the answer can look
for each fact near that part's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.facts.time import EACH_OF, EVERY
from assistant.lexicon.words import either, fragments, words
from assistant.models import Fact

# Ask type → the fact types that answer it, best first. An empty tuple: any clause text answers.
FACT_TYPES: dict[str, tuple[str, ...]] = {
    "time_limit": ("time_limit",),
    "deadline": ("deadline",),
    "department": ("lead_unit", "responsible_unit", "department"),
    "amount": ("amount", "percent"),
    "percent": ("percent", "amount"),
    "count": ("count",),
    "quantity": ("percent", "amount", "count", "time_limit"),
    "frequency": ("frequency",),
    "contact": ("phone",),
    "platform": ("name",),
    "materials": ("material",),
    "conditions": ("condition",),
    "procedure": (),
}
# Asks whose answer must state a fact of their type; the others are answered by relevant text
# (a condition found is preferred, but "能不能…" is often answered by a rule without one).
SOFT_ASKS = frozenset({"conditions"})
FACT_ASKS = frozenset(k for k, v in FACT_TYPES.items() if v) - SOFT_ASKS
# Asks whose figures add up over a region ("新增高新技术企业3500家"): a containing region's figure is
# its own total, not the named place's.
AGGREGATE_ASKS = frozenset({"count"})

# How the answer names an ask it could not find ("文件未写明办理时限").
LABELS: dict[str, str] = words().ask_labels


def _cue_pattern(kind: str, cues: tuple[str, ...]) -> str:
    """The cues of one ask type as one alternation, with the words that may follow them
    ("谁来负责")."""
    tails = words().ask_cue_tails.get(kind)
    if not tails:
        return fragments(cues)
    return f"(?:{fragments(cues)})(?:来?(?:{fragments(tails)}))?"


# Ordered as in words.toml [ask.cues]: the first pattern that matches a stretch of the part claims
# it, so a more specific wording ("最迟多长时间" is a time limit) wins over a broader one ("最迟").
_COMPILED = tuple((kind, re.compile(_cue_pattern(kind, cues))) for kind, cues in words().ask_cues)
# Where a question opens a second question: a question mark, or a comma before an asking word.
_PART_BREAK = re.compile(r"[？?；;！!。]+")
_PROCEDURE = re.compile(either(words().procedure))
_DEADLINE_WITHIN_TIME_LIMIT = frozenset(words().deadline_within_time_limit)


_OBJECTS = words().ask_objects
_STRICT = {kind: re.compile(fragments(cues)) for kind, cues in words().ask_strict.items()}
_UNITS = words().ask_units
# "多少钱一方", "每吨多少钱", "元/立方米": the unit a price is asked per ("一方面" is no unit).
_PER_UNIT = re.compile(f"(?:每|一|/|／)(?:个)?({either(tuple(sorted(_UNITS, key=len, reverse=True)))})(?![面案式向法])")
_YEAR = re.compile(r"(20\d{2})\s*年")
_LEAD = re.compile(either(words().lead_asked))
_CAP = re.compile(either(words().cap_asked))
_PERIODIC = re.compile(either(words().periodic_asked))
# The period a wording asks for, by the characters that name it (半年 before 年).
_PERIODS = (("半年", "half-year"), ("季", "quarter"), ("月", "month"), ("年", "year"), ("周", "week"), ("旬", "ten-days"))
_RECIPIENT = re.compile(either(words().recipient_asked))
_EACH = re.compile(either(words().each_asked))
# "清单里都有哪些事项": a list noun, then within a few characters the words asking for its entries.
_CONTAINER = re.compile(f"({either(words().containers)})[^，,。？?]{{0,8}}?(?:{either(words().container_asks)})")


@dataclass(frozen=True)
class Ask:
    type: str  # a key of FACT_TYPES
    cue: str  # the words that asked it ("多久", "哪个部门")
    part: str  # the part of the question it belongs to
    strict: bool = False  # the cue takes its own type of figure only ("费率": a share, never a sum)
    unit: str = ""  # the unit a price is asked per ("多少钱一方" → 立方米)
    years: tuple[str, ...] = ()  # the years the part (or the question) names: "2025年" → ("2025",)
    container: str = ""  # the list whose entries are asked ("清单里有哪些" → 清单)
    lead: bool = False  # a department ask for the lead unit ("哪家牵头")
    cap: bool = False  # a figure ask for the ceiling ("最多能奖多少")
    periodic: str = ""  # the period a date is asked for ("每个月几号前": month): only a date recurring so answers
    recipient: bool = False  # a department asked as the one a thing is handed to ("报给谁")
    each: bool = False  # several values asked at once ("分别什么时候"): every one stated is said

    @property
    def fact_types(self) -> tuple[str, ...]:
        return (self.type,) if self.strict else FACT_TYPES[self.type]

    def fits(self, fact: Fact) -> bool:
        """Whether `fact` is the kind of figure asked: a price per the unit asked, if one was; a
        recurring date, if a date for each period was asked."""
        if self.periodic and fact.type == "deadline":
            return fact.normalized.startswith((EVERY + self.periodic, EACH_OF))
        if not self.unit or fact.type != "amount":
            return True
        per = _PER_UNIT.search(fact.normalized)
        return per is not None and _UNITS.get(per.group(1)) == self.unit

    @property
    def needs_fact(self) -> bool:
        return self.type in FACT_ASKS

    @property
    def aggregate(self) -> bool:
        return self.type in AGGREGATE_ASKS

    @property
    def label(self) -> str:
        return LABELS[self.type]


def period_asked(part: str) -> str:
    """The period a date is asked for ("每个月几号前" → month), empty when none is."""
    m = _PERIODIC.search(part)
    return next((name for chars, name in _PERIODS if chars in m.group(0)), "") if m else ""


def years_in(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.group(1) for m in _YEAR.finditer(text)))


def container_asked(text: str) -> str:
    """The list noun whose entries `text` asks for: "重点事项清单里都有哪些事项" → "清单"."""
    m = _CONTAINER.search(text)
    return m.group(1) if m else ""


def unit_asked(text: str) -> str:
    m = _PER_UNIT.search(text)
    return _UNITS[m.group(1)] if m else ""


def parts(question: str) -> list[str]:
    """The question cut where a new question starts: at question marks, and at commas that open
    one (the stretch after the comma carries its own asking word)."""
    out: list[str] = []
    for piece in _PART_BREAK.split(question):
        piece = piece.strip(" ，,、")
        if not piece:
            continue
        chunks = re.split(r"[，,]", piece)
        current = ""
        for chunk in chunks:
            if current and _cues(chunk) and _cues(current):
                out.append(current)
                current = chunk
            else:
                current = f"{current}，{chunk}" if current else chunk
        if current:
            out.append(current)
    return out or [question]


def _cues(text: str) -> list[tuple[str, str, int]]:
    """(ask type, cue, position) for every asking phrase in `text`, specific wording first."""
    taken = [False] * len(text)
    found: list[tuple[str, str, int]] = []
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found.append((kind, m.group(0), m.start()))
    return sorted(found, key=lambda c: c[2])


def read_asks(question: str) -> tuple[Ask, ...]:
    """Every ask of `question`, in the order asked; a question without asking words asks for the
    procedure ("营业执照怎么办" and "介绍一下…" alike)."""
    asks: list[Ask] = []
    for part in parts(question):
        cues = _cues(part)
        kinds = [k for k, _c, _p in cues]
        years = years_in(part) or years_in(question)
        for kind, cue, _pos in cues:
            # A bare 多少/目标 adds nothing next to a more specific ask of the same part, and a
            # yes/no wording adds nothing next to a fact ask.
            if kind == "quantity" and any(k in FACT_ASKS and k != "quantity" for k in kinds):
                continue
            if kind == "conditions" and any(k in FACT_ASKS for k in kinds):
                continue
            if kind == "deadline" and cue in _DEADLINE_WITHIN_TIME_LIMIT and "time_limit" in kinds:
                continue  # "最迟多长时间" asks for a time limit
            if any(a.type == kind and a.part == part for a in asks):
                continue
            strict = kind in _STRICT and bool(_STRICT[kind].search(cue))
            asks.append(Ask(kind, cue, part, strict, unit_asked(part) if kind in ("amount", "quantity") else "", years,
                            container_asked(part), kind == "department" and bool(_LEAD.search(part)),
                            kind in ("amount", "percent", "count", "quantity") and bool(_CAP.search(part)),
                            period_asked(part) if kind == "deadline" else "",
                            kind == "department" and bool(_RECIPIENT.search(part)),
                            kind in FACT_ASKS and bool(_EACH.search(part))))
        if not cues:
            how = _PROCEDURE.search(part)
            asks.append(Ask("procedure", how.group(0) if how else "", part, years=years, container=container_asked(part)))
    # The same fact asked twice in different parts stays twice (two values wanted); a procedure
    # part next to fact asks is kept only when it has words of its own.
    return tuple(asks)


def asking_words(question: str) -> list[str]:
    """Every asking phrase of the question ("能不能", "什么时候", "哪个部门"), what a part asks for
    ("压到多少小时": 小时): not its subject."""
    out: list[str] = []
    for part in parts(question):
        found = _cues(part)
        out += [cue for _kind, cue, _pos in found]
        for kind in dict.fromkeys(k for k, _c, _p in found):
            out += [w for w in _OBJECTS.get(kind, ()) if w in part and not any(w in o for o in out)]
    return out


def asking_cue(question: str) -> str:
    """The words that ask for a fact ("多久", "牵头单位"), empty when the question asks none."""
    return next((a.cue for a in read_asks(question) if a.needs_fact and a.cue), "")


def primary(asks: tuple[Ask, ...]) -> Ask:
    """The ask the answer leads with: the first fact ask, else the first ask."""
    return next((a for a in asks if a.needs_fact), asks[0]) if asks else Ask("procedure", "", "")
