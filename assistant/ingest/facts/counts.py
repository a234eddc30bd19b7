"""Counts: a number with a classifier ("32个", "2家以上", "十八项")."""

from __future__ import annotations

import re

from assistant.ingest.facts.common import Span, fact, fmt, overlaps
from assistant.ingest.numerals import CN_DIGITS, CN_NUM, cn_number
from assistant.lexicon.patterns import alternation, guarded, table, words
from assistant.models import Fact

_COUNT = re.compile(
    f"({alternation(words('qualifiers', 'count'))})?" + r"\s*"
    r"(?<![A-Za-z0-9.\-/〔\[第])(\d+(?:\.\d+)?|(?<![第届“「" + CN_DIGITS + r"十百千万])" + CN_NUM + r")\s*(余|多)?\s*(万|亿)?\s*"
    f"({guarded('count', 'classifiers')})"
    r"\s*" + f"({alternation(words('qualifiers', 'count_after'))})?"
)
_COUNT_QUALIFIER: dict[str, str] = table("qualifiers", "count_bounds")


def counts(text: str, norm_text: str, taken: list[Span]) -> list[Fact]:
    facts = []
    for m in _COUNT.finditer(norm_text):
        number = m.group(2)
        # "一批" "一次" "一个窗口" are ways of speaking and "二次供水" a kind, not counts.
        if number == "一" or (number == "二" and m.group(5) == "次") or overlaps(m.start(2), m.end(), taken):
            continue
        words = [w for w in (m.group(1), m.group(3), m.group(6)) if w]
        bound = next((_COUNT_QUALIFIER[w] for w in words if w in _COUNT_QUALIFIER), "")
        if "余" in words or "多" in words:
            bound = ">"
        start = m.start() if m.group(1) else m.start(2)
        core = f"{fmt(cn_number(number))}{m.group(4) or ''} {m.group(5)}"
        facts.append(fact("count", text, start, m.end(), f"{bound} {core}" if bound else core))
    return facts
