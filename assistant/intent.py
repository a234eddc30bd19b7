"""What kind of fact a question asks for, read from its wording."""

from __future__ import annotations

import re
from typing import Literal

Intent = Literal["unit", "deadline", "time_limit", "amount", "general"]

_UNIT = re.compile(r"哪个部门|哪个单位|哪家|哪些部门|哪几个部门|哪个处|哪个机构|谁牵头|谁负责|谁来|谁推|谁管|由谁|归哪|"
                   r"牵头单位|责任单位|负责单位|找谁|设在哪|哪个科室|主管部门")
_DEADLINE = re.compile(r"什么时候|何时|哪个月|哪一年|截止|最晚|完成时限|时间节点|进度节点|几月|之前完成|什么时间")
_TIME_LIMIT = re.compile(r"多久|多长时间|几个工作日|多少个工作日|几天|多少天|几个小时|多少小时|多快|办结时限|多少分钟|时限")
_AMOUNT = re.compile(r"多少钱|多少万|比例|几个点|多少个点|上限|最高|最多|最少|多少|多大|几项|几个|额度|费率|标准")


_ORDER: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    ("unit", _UNIT), ("deadline", _DEADLINE), ("time_limit", _TIME_LIMIT), ("amount", _AMOUNT),
)


def detect_intent(question: str) -> Intent:
    for intent, pattern in _ORDER:
        if pattern.search(question):
            return intent
    return "general"


def intent_cue(question: str) -> str:
    """The words that say what is asked ("多久", "牵头单位"), empty for a general question."""
    for _intent, pattern in _ORDER:
        match = pattern.search(question)
        if match:
            return match.group(0)
    return ""


# Fact types that answer each intent, best first.
FACT_TYPES: dict[Intent, tuple[str, ...]] = {
    "unit": ("lead_unit", "responsible_unit"),
    "deadline": ("deadline",),
    "time_limit": ("time_limit",),
    "amount": ("amount", "time_limit"),
    "general": (),
}
