"""Amounts of money ("上限50万元") and shares ("不超过1%", "五成", "百分之三十", "翻倍")."""

from __future__ import annotations

import re

from assistant.ingest.facts.common import Span, fact, fmt, overlaps, qualified
from assistant.ingest.numerals import cn_decimal, cn_number
from assistant.lexicon.patterns import alternation, words
from assistant.models import Fact

_AFTER = f"({alternation(words('qualifiers', 'after'))})?"
_MONEY = re.compile(
    f"({alternation(words('qualifiers', 'money'))})?" + r"\s*"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(亿元|千万元|百万元|万元|千元|元)"
    r"(\s*/\s*(?:千瓦时|kWh|度|平方米|立方米|吨|人|户|年|月|次|件|个|天))?\s*" + _AFTER
)
_PCT_QUALIFIER = f"({alternation(words('qualifiers', 'percent'))})?" + r"\s*"
_PERCENT = re.compile(
    _PCT_QUALIFIER + r"(\d+(?:\.\d+)?)\s*(%|％|‰|个百分点|倍)\s*" + _AFTER
)
_PERCENT_CN = re.compile(_PCT_QUALIFIER + r"百分之\s*(\d+(?:\.\d+)?|[零一二两三四五六七八九十百点]+)\s*" + _AFTER)
_TENTHS = re.compile(
    _PCT_QUALIFIER + r"(?<![统合唯同单逐万划专归第之])([一二两三四五六七八九]|\d)\s*成(?![立为本果功员效绩熟品交长都型就套片体规了的年不])"
    r"\s*" + _AFTER
)


# A multiple said in words: "较2021年翻倍" (twice), "翻两番" (four times), "增长两倍".
_DOUBLING = re.compile(r"翻(一|两|三)?番|翻倍|(?<![\d一两二三四五六七八九十])([一两二三四五六七八九十])\s*倍")
_DOUBLINGS = {"一": 2, "两": 4, "三": 8}


def _multiple(m: re.Match[str]) -> str:
    if m.group(0).startswith("翻"):
        return f"{_DOUBLINGS.get(m.group(1) or '一', 2)}倍"
    return f"{fmt(cn_number(m.group(2)) or 0)}倍"


def amounts(text: str, norm_text: str, taken: list[Span]) -> list[Fact]:
    facts = []
    for m in _MONEY.finditer(norm_text):
        if overlaps(m.start(2), m.end(), taken):
            continue
        per = re.sub(r"\s", "", m.group(4) or "")
        core = f"{m.group(2).replace(',', '')}{m.group(3)}{per}"
        facts.append(fact("amount", text, m.start(), m.end(), qualified(m.group(1), core, m.group(5))))
    return facts


def percents(text: str, norm_text: str, taken: list[Span]) -> list[Fact]:
    facts = []
    for m in _PERCENT.finditer(norm_text):
        unit = m.group(3).replace("％", "%")
        facts.append(fact("percent", text, m.start(), m.end(), qualified(m.group(1), m.group(2) + unit, m.group(4))))
    for m in _PERCENT_CN.finditer(norm_text):
        value = cn_decimal(m.group(2))
        facts.append(fact("percent", text, m.start(), m.end(), qualified(m.group(1), value + "%", m.group(3))))
    for m in _TENTHS.finditer(norm_text):
        tenths = cn_number(m.group(2))
        if tenths:
            facts.append(fact("percent", text, m.start(), m.end(),
                              qualified(m.group(1), f"{fmt(tenths * 10)}%", m.group(3))))
    for m in _DOUBLING.finditer(norm_text):
        facts.append(fact("percent", text, m.start(), m.end(), _multiple(m)))
    return [f for f in facts if not overlaps(f.start, f.end, taken)]
