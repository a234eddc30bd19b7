"""Counts: a number with a classifier ("32个", "2家以上", "十八项")."""

from __future__ import annotations

import re

from assistant.ingest.facts.common import Span, fact, fmt, overlaps
from assistant.ingest.numerals import CN_DIGITS, CN_NUM, cn_number
from assistant.models import Fact

_COUNT = re.compile(
    r"(不少于|不低于|不超过|不多于|至少|最多|超过|多于|少于|低于|不足|逾|近|约)?\s*"
    r"(?<![A-Za-z0-9.\-/〔\[第])(\d+(?:\.\d+)?|(?<![第届“「" + CN_DIGITS + r"十百千万])" + CN_NUM + r")\s*(余|多)?\s*(万|亿)?\s*"
    r"(个(?!\s*(?:月|工作日|小时|自然日|百分点|星期|季度|周))|场次|批次|家次|户次|件次|人次|家|项|户|次(?![日年]|全会)|件|条|名|人(?!民)|位(?!一体|数)|批|类|种|所|座|台|辆|"
    r"套|张|份|场|轮|款|笔|处|栋|只|宗|例|幢)"
    r"\s*(及以上|及以下|以上|以下|以内|左右)?"
)
_COUNT_QUALIFIER = {"不少于": ">=", "不低于": ">=", "至少": ">=", "以上": ">=", "及以上": ">=", "不超过": "<=",
                    "不多于": "<=", "最多": "<=", "以下": "<=", "及以下": "<=", "以内": "<=", "超过": ">",
                    "多于": ">", "逾": ">", "余": ">", "多": ">", "少于": "<", "低于": "<", "不足": "<", "近": "~",
                    "约": "~", "左右": "~"}


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
