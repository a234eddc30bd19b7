"""Lead and responsible units: 牵头单位 / 责任单位 lines and fields, "（市税务局牵头" asides."""

from __future__ import annotations

import re

from assistant.lexicon.patterns import field_name_group
from assistant.models import Fact

# units (lead_unit, responsible_unit)
_FIELD_LINE = re.compile(field_name_group() + r"\s*[：:]\s*([^；;\n）)]+)")
_LEAD_ASIDE = re.compile(r"[（(〔]\s*([^（()）〔〕。；]{2,60}?)\s*(?:牵头|负责)")


def split_units(value: str) -> list[str]:
    """Departments listed in a field: "税务局、发展运行部" → ["税务局", "发展运行部"]."""
    return [p.strip() for p in re.split(r"[、，,；;\s]+|以及|和(?=[^，、]{2,}局)", value) if p.strip()]


def extract_fields(text: str) -> tuple[tuple[str, str], ...]:
    """牵头单位 / 责任单位 / 完成时限 as written after an item, and "（X牵头" asides."""
    fields: dict[str, str] = {}
    for m in _FIELD_LINE.finditer(text):
        fields.setdefault(m.group(1), m.group(2).strip().rstrip("。；;"))  # "牵头单位：市人社局。" in running text
    if "牵头单位" not in fields:
        for m in _LEAD_ASIDE.finditer(text):
            units = m.group(1)
            units = re.sub(r"^(由|请)", "", units)
            if re.search(r"(局|委|办|部|院|中心|厅|处|室|政府|公司|会|所|队|行|站|科|组)$", units):
                fields["牵头单位"] = units
                break
    return tuple(fields.items())


def row_unit_facts(text: str) -> list[Fact]:
    """The units of a table's later rows, where they stand: a clause of several rows ("具体事项：贷款审批；
    责任单位：★住房公积金管理中心") names a unit for each row's item; the first row's units are the
    clause's fields (`unit_facts`)."""
    facts: list[Fact] = []
    seen: set[str] = set()
    for m in _FIELD_LINE.finditer(text):
        name = m.group(1)
        if name not in seen:
            seen.add(name)
            continue
        value = m.group(2).rstrip()
        start, end = m.start(2), m.start(2) + len(value)
        for fact in unit_facts(((name, value),)):
            at = value.find(fact.value)  # the ★-marked lead alone; the whole cell for the responsible
            s, e = (start + at, start + at + len(fact.value)) if at >= 0 else (start, end)
            facts.append(Fact(fact.type, text[s:e], fact.normalized, s, e))
    return facts


def unit_facts(fields: tuple[tuple[str, str], ...]) -> list[Fact]:
    """lead_unit / responsible_unit facts of a clause's fields (its lines and table columns)."""
    facts = []
    for name, value in fields:
        if "牵头" in name and "★" not in name:
            facts.append(Fact("lead_unit", value, "、".join(split_units(value))))
        elif "责任" in name or "主管部门" in name or "★" in name:
            # A list column where ★ marks the lead: "★市市场监管局、市税务局"
            marked = [u.lstrip("★") for u in split_units(value) if u.startswith("★")]
            if marked:
                facts.append(Fact("lead_unit", "、".join(marked), "、".join(marked)))
            facts.append(Fact("responsible_unit", value.replace("★", ""), "、".join(
                u.lstrip("★") for u in split_units(value))))
    return facts
