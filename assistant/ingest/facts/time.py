"""Time limits ("1个工作日办结", "由45天压缩至20天", "当日办结") and deadlines ("2023年9月底前")."""

from __future__ import annotations

import calendar
import re

from assistant.ingest.facts.common import Span, fact, fmt, overlaps
from assistant.ingest.numerals import NUM, cn_number
from assistant.lexicon.patterns import table, words
from assistant.models import Fact

# a unit of time as one group, "个" allowed before the counted ones: "(个?\s*工作日|…|天|…)"
_UNIT = "(" + "|".join((r"个?\s*" if u in words("time", "counted") else "") + re.escape(u)
                       for u in words("time", "units")) + ")"
UNIT_NAMES: dict[str, str] = table("time", "unit_names")

# time_limit
_REDUCED = re.compile(
    r"(?:由|从)\s*(?:原来的?|原)?\s*" + NUM + r"\s*" + _UNIT + r"\s*(?:压缩|压减|缩短|减少|缩减|降)\s*(?:至|到|为)\s*"
    + NUM + r"\s*" + _UNIT + r"\s*(以内|之内|内)?"
)
_LIMIT = re.compile(
    r"(?:(压缩|压减|缩短|缩减|控制|减少|降)\s*(?:至|到|在|为)\s*)?" + NUM + r"\s*" + _UNIT
    + r"\s*(以内|之内|内)?\s*(办结|办理完毕|完成|办好|出证|到达|响应|回复|答复)?"
)
# "租赁期限不低于5年、不超过20年": a duration bounded on either side.
_BOUNDED = re.compile(r"(不低于|不少于|不短于|最短|至少|不超过|不高于|不长于|最长|最多)\s*" + NUM + r"\s*" + _UNIT)
_BOUND_SIGNS = {"不低于": ">=", "不少于": ">=", "不短于": ">=", "最短": ">=", "至少": ">="}
_SAME_DAY = re.compile(r"(?:当日|当天|即时|当场)\s*(?:办结|办理完毕|办好|出证|完成)|即来即办|立等可取|即办即结")

# deadline
_YEAR_MONTH = re.compile(
    r"(?:(20\d\d)\s*年\s*)?(\d{1,2})\s*月\s*(底|末|中旬|上旬|下旬|\d{1,2}\s*日)?\s*(前|之前|以前)?"
)
_YEAR_END = re.compile(r"(20\d\d)\s*年\s*(底|年底|内|末)\s*(前|之前)?")
_PERIOD = re.compile(
    r"(?:(20\d\d)\s*年\s*|(今年|本年|明年)\s*)?(上半年|下半年|第?\s*[一二三四1-4]\s*季度)\s*(末|底)?\s*(前|之前|以前)?"
)
_BARE_YEAR_END = re.compile(r"(?<![\d一二两三四五六七八九十百半几多每近])(今|本|明)?年\s*(内|底|末)\s*(前|之前|以前)?")
_YEAR_ONLY = re.compile(
    r"(?:(到|至|截至|截止|力争|争取|确保)\s*)?(?<!\d)(20\d\d)\s*年\s*(前|之前|以前)?"
    r"(?!\s*(?:\d|[一二三四五六七八九十]+\s*月|底|末|内|度|上半年|下半年|第|[一二三四1-4]\s*季|以来|起|开始|间|年))"
)
_QUARTER_END = {1: "03-31", 2: "06-30", 3: "09-30", 4: "12-31"}
# Recurring deadlines: "每月23日前", "每季度末", "每年12月底前", "于3月10日、6月10日、9月10日、12月10日前".
_MONTHLY = re.compile(r"每\s*个?\s*月\s*(\d{1,2})\s*[日号]\s*(?:前|之前|以前)?")
_PERIOD_EDGE = re.compile(r"每\s*个?\s*(季度|季|月|半年|年)\s*(末|底|初)\s*(?:前|之前|以前)?")
_YEARLY = re.compile(r"每\s*年\s*(\d{1,2})\s*月\s*(底|末|\d{1,2}\s*日)?\s*(?:前|之前|以前)")
_DAY = r"\d{1,2}\s*月(?:\s*\d{1,2}\s*日|\s*底|\s*末)?"
_DATE_LIST = re.compile(f"(?:{_DAY}\\s*[、和及]\\s*)+{_DAY}(\\s*(?:前|之前|以前))?")
_PERIOD_NAMES = {"季度": "quarter", "季": "quarter", "月": "month", "半年": "half-year", "年": "year"}
# How a recurring deadline is normalised: "every <period>: …", or a list of dates in the year
# ("each of: 03-10, 06-10"), which recurs every year.
EVERY = "every "
EACH_OF = "each of:"
_EDGE_NAMES = {"末": "end", "底": "end", "初": "start"}


def _month_day(text: str) -> str:
    """"3月10日" → "03-10", "6 月底" → "06-end", "12月" → "12"."""
    m = re.match(r"(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日|(底|末))?", text)
    if not m:
        return text
    month = f"{int(m.group(1)):02d}"
    return f"{month}-{int(m.group(2)):02d}" if m.group(2) else f"{month}-end" if m.group(3) else month


def recurring(text: str, norm_text: str) -> list[Fact]:
    """Deadlines that come back every month, quarter or year, normalised "every month: 23",
    "every quarter: end", "every year: 12-end", "each of: 03-10, 06-10, 09-10, 12-10"."""
    facts: list[Fact] = []
    for m in _MONTHLY.finditer(norm_text):
        facts.append(fact("deadline", text, m.start(), m.end(), f"{EVERY}month: {int(m.group(1))}"))
    for m in _PERIOD_EDGE.finditer(norm_text):
        facts.append(fact("deadline", text, m.start(), m.end(),
                          f"{EVERY}{_PERIOD_NAMES[m.group(1)]}: {_EDGE_NAMES[m.group(2)]}"))
    for m in _YEARLY.finditer(norm_text):
        facts.append(fact("deadline", text, m.start(), m.end(), f"{EVERY}year: {_month_day(m.group(0)[1:].lstrip('年 '))}"))
    for m in _DATE_LIST.finditer(norm_text):
        before = norm_text[max(0, m.start() - 2) : m.start()]
        if overlaps(m.start(), m.end(), [(f.start, f.end) for f in facts]):
            continue
        if not (m.group(1) or re.search(r"[于在]\s*$", before)):
            continue  # "3月、6月" alone may be anything; "于…" or "…前" makes it a deadline
        days = [_month_day(d) for d in re.findall(_DAY, m.group(0))]
        facts.append(fact("deadline", text, m.start(), m.end(), EACH_OF + " " + ", ".join(days)))
    return facts


def _unit(text: str) -> str:
    for key, name in UNIT_NAMES.items():
        if key in text:
            return name
    return text


def time_limits(text: str, norm_text: str) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[Span] = []
    for m in _REDUCED.finditer(norm_text):
        before = f"{fmt(cn_number(m.group(1)))} {_unit(m.group(2))}"
        after = f"{fmt(cn_number(m.group(3)))} {_unit(m.group(4))}"
        facts.append(Fact("time_limit", text[m.start() : m.end()], f"{before} -> {after}", m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _SAME_DAY.finditer(norm_text):
        facts.append(fact("time_limit", text, m.start(), m.end(), "0 days"))
        taken.append((m.start(), m.end()))
    for m in _BOUNDED.finditer(norm_text):
        if overlaps(m.start(), m.end(), taken) or re.search(r"[年月]\s*$", norm_text[max(0, m.start() - 1) : m.start()]):
            continue
        sign = _BOUND_SIGNS.get(m.group(1), "<=")
        unit = _unit(re.sub(r"\s", "", m.group(3)))
        if unit == _unit("年") and cn_number(m.group(2)) >= 100:
            continue  # "不超过2023年" is a year
        facts.append(fact("time_limit", text, m.start(), m.end(), f"{sign} {fmt(cn_number(m.group(2)))} {unit}"))
        taken.append((m.start(), m.end()))
    for m in _LIMIT.finditer(norm_text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        unit_text = re.sub(r"\s", "", m.group(3))
        unit = _unit(unit_text)
        # "3月" "5日" are dates; "10个月" is a duration; a bare 日 needs a verb or a 内 to count.
        if unit_text == "日" and not (m.group(4) or m.group(5)):
            continue
        # "3年之内" is a time limit; "2023年" is a year and "近三年内" a look-back window.
        if unit_text == "年" and (not m.group(4) or cn_number(m.group(2)) >= 100
                                 or re.search(r"近\s*$", norm_text[max(0, m.start() - 2) : m.start()])):
            continue
        if re.search(r"[年月]\s*$", norm_text[max(0, m.start() - 1) : m.start()]):
            continue
        bound = "<= " if m.group(4) or m.group(1) else ""
        facts.append(fact("time_limit", text, m.start(), m.end(), f"{bound}{fmt(cn_number(m.group(2)))} {unit}"))
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


def _relative_year(word: str | None, doc_year: int) -> int:
    return doc_year + 1 if word == "明年" else doc_year


def deadlines(text: str, norm_text: str, doc_year: int) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[Span] = []

    def add(start: int, end: int, normalized: str) -> None:
        if not overlaps(start, end, taken):
            facts.append(fact("deadline", text, start, end, normalized))
            taken.append((start, end))

    for f in recurring(text, norm_text):
        facts.append(f)
        taken.append((f.start, f.end))

    for m in _YEAR_END.finditer(norm_text):
        add(m.start(), m.end(), f"{int(m.group(1)):04d}-12-31")
    for m in _PERIOD.finditer(norm_text):
        if "每" in norm_text[max(0, m.start() - 2) : m.start()]:
            continue  # "每年一季度" recurs
        year = int(m.group(1)) if m.group(1) else _relative_year(m.group(2), doc_year)
        period = re.sub(r"[\s第季度]", "", m.group(3))
        quarter = {"上半年": 2, "下半年": 4}.get(period) or int(cn_number(period))
        add(m.start(), m.end(), f"{year:04d}-{_QUARTER_END[quarter]}")
    for m in _BARE_YEAR_END.finditer(norm_text):
        if "每" in norm_text[max(0, m.start() - 2) : m.start()]:
            continue  # "每年年底" recurs
        add(m.start(), m.end(), f"{_relative_year((m.group(1) or '') + '年', doc_year):04d}-12-31")
    for m in _YEAR_MONTH.finditer(norm_text):
        month = int(m.group(2))
        if not 1 <= month <= 12 or not (m.group(3) or m.group(4)):
            continue
        if not m.group(1) and not (m.group(4) or m.group(3) in ("底", "末")):
            continue
        year = int(m.group(1)) if m.group(1) else doc_year
        add(m.start(), m.end(), _deadline_iso(year, month, (m.group(3) or "").replace(" ", "")))
    for m in _YEAR_ONLY.finditer(norm_text):
        if m.group(1) or m.group(3):
            add(m.start(), m.end(), m.group(2))
    return sorted(facts, key=lambda f: f.start)
