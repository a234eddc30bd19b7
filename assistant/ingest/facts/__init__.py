"""Typed facts with the text span they come from.

Every fact's value is the exact span of the clause text, start/end index into it; normalized is:

- time_limit: "1个工作日办结" → "1 working_days", "2 小时内" → "<= 2 hours", "一周内" → "<= 1 weeks",
  "7个自然日" → "7 days", "3年之内" → "<= 3 years", "由45天压缩至20天" → "45 days -> 20 days",
  "当日办结" / "即来即办" / "立等可取" → "0 days"
- deadline: ISO end date: "2023年9月底前" → 2023-09-30, "10月底前" (year from the document), "2023 年底前"
  → 2023-12-31, "上半年" → YYYY-06-30, "三季度" → YYYY-09-30, "年内" → YYYY-12-31; a year alone
  ("到2025年", "2025年前") keeps its precision: "2025"
- lead_unit / responsible_unit: 牵头单位 / 责任单位 lines and fields, "（市税务局牵头" asides
- amount: money only: "上限50 万元" → "上限 50万元", "0.39元/千瓦时" → "0.39元/千瓦时"
- percent: shares and ratios: "不超过1%" → "不超过 1%", "96%以上" → "96% 以上", "3个百分点", "1.5倍",
  "五成" → "50%", "百分之三十" → "30%"
- count: a number with a classifier: "32个" → "32 个", "2家以上" → ">= 2 家", "十八项" → "18 项"
- phone: "029-86787890" → "029-86787890", "(0931)8928000" → "0931-8928000", "拨打12345" → "12345"
- name: quoted platform / app / programme names: "“甘快办”APP" → "甘快办"
- material: what must be submitted: "无需提供申请材料" → the phrase, NFKC'd, spaces removed
- department: a department named in running text: "（市税务局牵头" → "市税务局"; an office in a contact
  aside "（运用促进处，张三，63910000）" → "运用促进处"
- frequency: how often: "每季度", "日预警", "一月一调度"
- condition: eligibility: "满三年", "近三年无违法记录", "100千瓦及以下", "符合条件的",
  "属于同一县级审批机关管辖的" → the phrase, NFKC'd, spaces removed

Matching runs on an NFKC form of equal length, so every span indexes the original text. A span
taken by a more specific type (time_limit, deadline, percent, phone) does not also become an
amount or a count.
"""

from __future__ import annotations

from assistant.ingest.facts.conditions import conditions, materials
from assistant.ingest.facts.contacts import names, phones
from assistant.ingest.facts.counts import counts
from assistant.ingest.facts.duties import departments, frequencies
from assistant.ingest.facts.money import amounts, percents
from assistant.ingest.facts.time import UNIT_NAMES, deadlines, time_limits
from assistant.ingest.facts.units import extract_fields, row_unit_facts, split_units, unit_facts
from assistant.lexicon.text import nfkc_aligned
from assistant.models import Fact

__all__ = ["UNIT_NAMES", "extract_facts", "extract_fields", "split_units"]


def extract_facts(text: str, fields: tuple[tuple[str, str], ...], doc_date: str) -> tuple[Fact, ...]:
    """Every fact of a clause's text, then the units of its fields (see the module's docstring)."""
    norm_text = nfkc_aligned(text)
    doc_year = int(doc_date[:4]) if doc_date[:4].isdigit() else 2023
    facts = time_limits(text, norm_text) + deadlines(text, norm_text, doc_year)
    phone_facts = phones(text, norm_text)
    taken = [(f.start, f.end) for f in facts + phone_facts]
    percent_facts = percents(text, norm_text, taken)
    taken += [(f.start, f.end) for f in percent_facts]
    amount_facts = amounts(text, norm_text, taken)
    taken += [(f.start, f.end) for f in amount_facts]
    facts += amount_facts + percent_facts + counts(text, norm_text, taken) + phone_facts
    facts += names(text, norm_text) + materials(text, norm_text) + conditions(text, norm_text)
    facts += departments(text, norm_text) + frequencies(text, norm_text) + tuple(row_unit_facts(text))
    return tuple(facts + unit_facts(fields))
