"""Typed facts with the text span they come from.

- time_limit: "1个工作日办结", "2 小时内", "由45天压缩至20天" (normalized "45 days -> 20 days")
- deadline: "2023年9月底前" → 2023-09-30, "10月底前" (year from the document), "2023 年底前"
- lead_unit / responsible_unit: 牵头单位 / 责任单位 lines and fields, "（市税务局牵头" asides
- amount: money (万元, 亿元, 元) and shares (%, 个百分点), with their qualifier (不超过, 以上 …)

Matching runs on an NFKC form of equal length, so every span indexes the original text.
"""

from __future__ import annotations

import calendar
import re

from assistant.models import Fact
from assistant.text import nfkc_aligned

_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十半]{1,3})"
_UNIT = r"(个\s*工作日|工作日|个?\s*小时|天|日|分钟|个月|周)"
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0.5}
UNIT_NAMES = {"工作日": "working_days", "小时": "hours", "天": "days", "日": "days", "分钟": "minutes",
              "个月": "months", "周": "weeks"}

_REDUCED = re.compile(
    r"(?:由|从)\s*(?:原来的?|原)?\s*" + _NUM + r"\s*" + _UNIT + r"\s*(?:压缩|压减|缩短|减少|缩减|降)\s*(?:至|到|为)\s*"
    + _NUM + r"\s*" + _UNIT + r"\s*(以内|之内|内)?"
)
_LIMIT = re.compile(
    r"(?:(压缩|压减|缩短|缩减|控制|减少|降)\s*(?:至|到|在|为)\s*)?" + _NUM + r"\s*" + _UNIT
    + r"\s*(以内|之内|内)?\s*(办结|办理完毕|完成|办好|出证|到达|响应|回复|答复)?"
)
_YEAR_MONTH = re.compile(
    r"(?:(20\d\d)\s*年\s*)?(\d{1,2})\s*月\s*(底|末|中旬|上旬|下旬|\d{1,2}\s*日)?\s*(前|之前|以前)?"
)
_YEAR_END = re.compile(r"(20\d\d)\s*年\s*(底|年底|内|末)\s*(前|之前)?")
_AMOUNT = re.compile(
    r"(不超过|不低于|不少于|最高|最低|上限|以上|达到|超过|提高到|提升至|降至|低于)?\s*"
    r"(\d+(?:\.\d+)?)\s*(亿元|万元|元|%|％|个百分点|倍)\s*(以上|以下|以内|左右)?"
)
_FIELD_LINE = re.compile(r"(牵头单位|责任单位|配合单位|完成时限)\s*[：:]\s*([^；;\n）)]+)")
_LEAD_ASIDE = re.compile(r"[（(〔]\s*([^（()）〔〕。；]{2,60}?)\s*(?:牵头|负责)")


def _num(text: str) -> float:
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text in _CN:
        return float(_CN[text])
    if text.startswith("十"):
        return 10 + float(_CN.get(text[1:], 0))
    if "十" in text:
        tens, _, ones = text.partition("十")
        return float(_CN.get(tens, 1) * 10 + _CN.get(ones, 0))
    return 0.0


def _unit(text: str) -> str:
    for key, name in UNIT_NAMES.items():
        if key in text:
            return name
    return text


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def split_units(value: str) -> list[str]:
    """Departments listed in a field: "税务局、发展运行部" → ["税务局", "发展运行部"]."""
    return [p.strip() for p in re.split(r"[、，,；;\s]+|以及|和(?=[^，、]{2,}局)", value) if p.strip()]


def extract_fields(text: str) -> tuple[tuple[str, str], ...]:
    """牵头单位 / 责任单位 / 完成时限 as written after an item, and "（X牵头" asides."""
    fields: dict[str, str] = {}
    for m in _FIELD_LINE.finditer(text):
        fields.setdefault(m.group(1), m.group(2).strip())
    if "牵头单位" not in fields:
        for m in _LEAD_ASIDE.finditer(text):
            units = m.group(1)
            units = re.sub(r"^(由|请)", "", units)
            if re.search(r"(局|委|办|部|院|中心|厅|处|室|政府|公司|会|所|队|行|站|科|组)$", units):
                fields["牵头单位"] = units
                break
    return tuple(fields.items())


def _time_limits(text: str, norm_text: str) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for m in _REDUCED.finditer(norm_text):
        before = f"{_fmt(_num(m.group(1)))} {_unit(m.group(2))}"
        after = f"{_fmt(_num(m.group(3)))} {_unit(m.group(4))}"
        facts.append(Fact("time_limit", text[m.start() : m.end()], f"{before} -> {after}", m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _LIMIT.finditer(norm_text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        unit = _unit(m.group(3))
        # "3月" "5日" are dates; "10个月" is a duration; a bare 日 needs a verb or a 内 to count.
        if m.group(3).strip() == "日" and not (m.group(4) or m.group(5)):
            continue
        if re.search(r"[年月]\s*$", norm_text[max(0, m.start() - 1) : m.start()]):
            continue
        bound = "<= " if m.group(4) or m.group(1) else ""
        facts.append(Fact("time_limit", text[m.start() : m.end()].strip(),
                          f"{bound}{_fmt(_num(m.group(2)))} {unit}", m.start(), m.end()))
    return facts


def _deadline_iso(year: int, month: int, part: str) -> str:
    if "日" in part:
        day = int(re.sub(r"\D", "", part) or 1)
    elif part in ("上旬",):
        day = 10
    elif part in ("中旬",):
        day = 20
    else:
        day = calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}-{min(day, calendar.monthrange(year, month)[1]):02d}"


def _deadlines(text: str, norm_text: str, doc_year: int) -> list[Fact]:
    facts: list[Fact] = []
    for m in _YEAR_END.finditer(norm_text):
        year = int(m.group(1))
        facts.append(Fact("deadline", text[m.start() : m.end()].strip(), f"{year:04d}-12-31", m.start(), m.end()))
    for m in _YEAR_MONTH.finditer(norm_text):
        month = int(m.group(2))
        if not 1 <= month <= 12 or not (m.group(3) or m.group(4)):
            continue
        if not m.group(1) and not (m.group(4) or m.group(3) in ("底", "末")):
            continue
        year = int(m.group(1)) if m.group(1) else doc_year
        iso = _deadline_iso(year, month, (m.group(3) or "").replace(" ", ""))
        facts.append(Fact("deadline", text[m.start() : m.end()].strip(), iso, m.start(), m.end()))
    return sorted(facts, key=lambda f: f.start)


def _amounts(text: str, norm_text: str) -> list[Fact]:
    facts = []
    for m in _AMOUNT.finditer(norm_text):
        qualifier = (m.group(1) or "") + (m.group(4) or "")
        unit = m.group(3).replace("％", "%")
        value = f"{qualifier + ' ' if qualifier else ''}{m.group(2)}{unit}"
        facts.append(Fact("amount", text[m.start() : m.end()].strip(), value, m.start(), m.end()))
    return facts


def extract_facts(text: str, fields: tuple[tuple[str, str], ...], doc_date: str) -> tuple[Fact, ...]:
    norm_text = nfkc_aligned(text)
    doc_year = int(doc_date[:4]) if doc_date[:4].isdigit() else 2023
    facts = _time_limits(text, norm_text) + _deadlines(text, norm_text, doc_year) + _amounts(text, norm_text)
    for name, value in fields:
        if "牵头" in name:
            facts.append(Fact("lead_unit", value, "、".join(split_units(value))))
        elif "责任" in name or "主管部门" in name:
            facts.append(Fact("responsible_unit", value, "、".join(split_units(value))))
    return tuple(facts)
