"""The departments a cited clause names, in their roles, with abbreviations spelled out.

Roles: 牵头 (the clause's lead unit: a 牵头单位 column or line, ★ in a list, "（市税务局牵头）"),
责任 (its responsible units), 办理 (a department named in the sentences the answer used). Full
names come from `corpus/departments.toml`, which supervisors may edit.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.facts import split_units
from assistant.lexicon.text import norm
from assistant.models import Clause, Department, Document

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Abbreviations:
    """Abbreviation → full form; the longest abbreviation inside a name is the one spelled out."""

    table: tuple[tuple[str, str], ...] = ()

    @classmethod
    def load(cls, path: Path) -> Abbreviations:
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            log.warning("department abbreviations not read from %s: %s", path, exc)
            return cls()
        pairs = {norm(str(k)): str(v) for k, v in (data.get("abbreviations") or {}).items() if k and v}
        return cls(tuple(sorted(pairs.items(), key=lambda p: -len(p[0]))))

    def expand(self, name: str, region: str = "") -> str:
        """The full name of `name`, or "" when it has no abbreviation in the table. Only a name
        that ends with an abbreviation is spelled out (市人社局), so a name already written in
        full (市人民政府办公室, 市发展改革委员会) is left as it is."""
        key_name = norm(name)
        for short, full in self.table:
            if not key_name.endswith(short):
                continue
            if "{region}" in full:
                return full.replace("{region}", region)
            expanded = key_name[: len(key_name) - len(short)] + full
            return expanded if expanded != key_name else ""
        return ""


def of_clause(clause: Clause, document: Document, abbreviations: Abbreviations,
              used: Iterable[tuple[int, int]] = ()) -> tuple[Department, ...]:
    """The departments `clause` names: its lead and responsible units (columns, lines, asides),
    then those its `used` sentences name in running text, each once, in that order."""
    named: dict[str, Department] = {}

    def add(role: str, value: str) -> None:
        for unit in split_units(value):
            unit = unit.strip().lstrip("★")
            if unit and unit not in named:
                named[unit] = Department(role, unit, abbreviations.expand(unit, document.region), clause.id)

    for fact in clause.facts:
        if fact.type == "lead_unit":
            add("牵头", fact.value)
    for fact in clause.facts:
        if fact.type == "responsible_unit":
            add("责任", fact.value)
    for start, end in used:
        for fact in clause.facts:
            if fact.type == "department" and start <= fact.start and fact.end <= end:
                add("办理", fact.value)
    return tuple(named.values())


def of_answer(used: Iterable[tuple[str, int, int]], clauses: Mapping[str, Clause], documents: Mapping[str, Document],
              abbreviations: Abbreviations, limit: int = 6) -> tuple[Department, ...]:
    """The departments of the clauses an answer rests on, in the order the answer uses them."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for clause_id, start, end in used:
        spans.setdefault(clause_id, []).append((start, end))
    out: dict[tuple[str, str], Department] = {}
    for clause_id, clause_spans in spans.items():
        clause = clauses.get(clause_id)
        if clause is None:
            continue
        for dept in of_clause(clause, documents[clause.doc_id], abbreviations, clause_spans):
            out.setdefault((dept.role, dept.name), dept)
    return tuple(out.values())[:limit]
