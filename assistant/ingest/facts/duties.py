"""Who does a measure and how often: departments named in running text, and frequencies (the words:
words.toml [departments] and [units])."""

from __future__ import annotations

import re
from functools import cache

from assistant.lexicon.text import norm
from assistant.lexicon.words import either, one_of, words
from assistant.models import Fact


@cache
def _department_pattern() -> re.Pattern[str]:
    """市人社局, 省发展改革委, 国网泾河新城供电分公司, 区行政审批局; an office in a contact aside."""
    w = words()
    weak = f"(?:{either(w.department_weak_suffixes)})(?=[{''.join(w.department_weak_suffix_followers)}，,、；;）)\\s]|$)"
    return re.compile(
        f"(?:(?<![\\u4e00-\\u9fff])|(?<={one_of(w.department_lead_ins)}))"
        f"(?:{either(w.department_prefixes)})[\\u4e00-\\u9fff]{{1,14}}?"
        f"(?:{either(w.department_suffixes)}|{weak})"
        f"(?![\\u4e00-\\u9fff]{{0,1}}(?:{either(w.department_not_before)}))"
        # an office named in a contact aside: "（审批服务处，张三，88880000）"
        f"|(?<=[（(])[\\u4e00-\\u9fff]{{2,12}}?(?:{either(w.department_aside_suffixes)})(?=[，,、])"
    )


@cache
def _frequency_pattern() -> re.Pattern[str]:
    """每季度, 每月, 日调度、周汇总, 一季度一调度."""
    w = words()
    return re.compile(f"每(?:个)?(?:{either(w.every)})|(?:一|每)(?:{either(w.cycle)})一(?:{either(w.cycle_acts)})?"
                      f"|(?<![\\d年月]){one_of(w.routine_periods)}(?:{either(w.routines)})")


def departments(text: str, norm_text: str) -> tuple[Fact, ...]:
    """Departments named in `text` (matched on its equal-length NFKC form `norm_text`)."""
    return tuple(Fact("department", text[m.start() : m.end()], norm(m.group(0)), m.start(), m.end())
                 for m in _department_pattern().finditer(norm_text))


def frequencies(text: str, norm_text: str) -> tuple[Fact, ...]:
    """How often something is done, as stated in `text`."""
    return tuple(Fact("frequency", text[m.start() : m.end()], norm(m.group(0)), m.start(), m.end())
                 for m in _frequency_pattern().finditer(norm_text))
