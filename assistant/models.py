"""Domain objects: frozen dataclasses with stable, content-derived ids."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    issuer: str
    doc_number: str
    date: str
    region: str
    source_file: str
    line_start: int
    line_end: int
    kind: str = "document"  # "document" | "plan" | "sub_plan" | "notice"
    parent_id: str = ""
    topic: str = ""  # the indicator of a sub-plan: 开办企业, 获得电力 …
    title_only: bool = False
    date_precision: str = "day"  # "day" | "month" | "year": how much of `date` the source states
    status: str = "现行"  # 现行 | 已废止 | 被替代
    superseded_by: str = ""  # the document that replaces it
    status_changed_on: str = ""

    @property
    def in_force(self) -> bool:
        return self.status == "现行"

    @property
    def date_iso(self) -> str:
        """ISO 8601 as precise as the source: 2023-04-25, 2023-04, or 2023 when only the year is known."""
        if not self.date:
            return ""
        if self.date_precision == "year":
            return self.date[:4]
        if self.date_precision == "month":
            return self.date[:7]
        return self.date

    @property
    def date_text(self) -> str:
        """The date as a reader expects it: 2023年4月25日, or 2023年 when only the year is known."""
        if not self.date:
            return ""
        year, month, day = (self.date.split("-") + ["", ""])[:3]
        if self.date_precision == "year" or not month:
            return f"{year}年"
        if self.date_precision == "month" or not day:
            return f"{year}年{int(month)}月"
        return f"{year}年{int(month)}月{int(day)}日"


@dataclass(frozen=True)
class Fact:
    type: str  # time_limit | deadline | lead_unit | responsible_unit | amount
    value: str  # the text span as it stands in the clause
    normalized: str
    start: int = -1  # offsets into Clause.text, -1 when the fact comes from a table field
    end: int = -1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Clause:
    id: str
    doc_id: str
    path: str  # heading path, e.g. "二、（一）1."
    headings: tuple[str, ...]  # heading texts above the clause, outermost first
    text: str  # original characters, PDF line breaks repaired
    page: int | None
    source_file: str
    line_start: int
    line_end: int
    facts: tuple[Fact, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()  # table columns, e.g. (("牵头单位", "市人社局"),)

    def field(self, name: str) -> str:
        for key, value in self.fields:
            if name in key:
                return value
        return ""


@dataclass(frozen=True)
class Hit:
    clause: Clause
    score: float
    rank: int
    sources: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Citation:
    n: int
    clause: Clause
    document: Document
    score: float


@dataclass(frozen=True)
class Department:
    """A department a cited clause names, in its role: 牵头 (leads), 责任 (responsible), 办理
    (handles, named in the text); `full_name` spells out an abbreviation (市监分局 →
    市场监督管理局泾河新城分局), empty when the name is already plain."""

    role: str
    name: str
    full_name: str
    clause_id: str

    @property
    def plain(self) -> str:
        return f"{self.name}（{self.full_name}）" if self.full_name else self.name


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...]
    facts: tuple[tuple[Fact, str], ...]  # (fact, clause_id)
    latency_ms: float = 0.0
    interpreted_as: str = ""  # the standalone question a follow-up was read as
    follow_up: str = ""  # "" | region | topic | clause | context
    missing: tuple[str, ...] = ()  # what was asked and the documents do not state: "纳税的办理时限"
    used: tuple[tuple[str, int, int], ...] = ()  # (clause_id, start, end): the sentences the answer rests on
    departments: tuple[Department, ...] = ()  # who leads, is responsible or handles, per the cited clauses
    filtered: bool = False  # a filter (not the question) narrowed what was searched
    subject: str = ""  # what the conversation is about after this answer (a client sends it back, see Turn)
    small_talk: bool = False  # a reply to small talk (谢谢, 你好): nothing was searched
    corrected: tuple[tuple[str, str], ...] = ()  # a word read as the place or term it is close to: (written, read)

    @property
    def top_clause(self) -> str:
        """The clause the answer rests on first ("" for a not-found answer)."""
        return self.citations[0].clause.id if self.citations and not self.abstained else ""

    @property
    def state(self) -> str:
        """answered | partial (a part asked is not stated) | not_found | small_talk."""
        if self.small_talk:
            return "small_talk"
        if self.abstained:
            return "not_found"
        return "partial" if self.missing else "answered"

    @property
    def used_citations(self) -> tuple[Citation, ...]:
        """The citations the answer's text refers to ([n]), not every candidate listed."""
        said = {int(n) for n in re.findall(r"\[(\d+)\]", self.text)}
        return tuple(c for c in self.citations if c.n in said)


@dataclass(frozen=True)
class ClauseInContext:
    """A clause with its neighbours in the same document, for reading it where it stands."""

    clause: Clause
    document: Document
    previous: Clause | None
    next: Clause | None
