"""What must be submitted (material) and who qualifies (condition)."""

from __future__ import annotations

import re

from assistant.ingest.facts.common import END, NOT_END, Span, fact, plain
from assistant.ingest.numerals import CN_NUM
from assistant.lexicon.patterns import alternation, guarded, words
from assistant.models import Fact

# material
_MATERIAL_TEXT = r"[^，,；;。！!？?\n：:“”\"]"  # a phrase of what to submit stops at quotes and colons too
_MATERIAL = re.compile(
    f"({guarded('material', 'cues')})"
    + r"[^，,；;。！!？?\n：:“”\"、]{0,20}?" + f"({alternation(words('material', 'things'))})" + _MATERIAL_TEXT + r"{0,15}"
)

# condition
_COND_DURATION = re.compile(
    r"(满|(?<!不)超过|连续)\s*(\d+|" + CN_NUM + r"|半)\s*(个月|个自然年度|个会计年度|年度|年|周岁|岁|个季度|季度)\s*(及以上|以上)?"
)
_COND_RECENT = re.compile(r"(?:最近|近)\s*(\d+|" + CN_NUM + r")\s*(?:年|个月)\s*(?:内|以来)?\s*(?:均)?(未|无|没有|不存在|内未)"
                          + NOT_END + r"{1,25}")
_COND_THRESHOLD = re.compile(
    r"(\d+(?:\.\d+)?|" + CN_NUM + r")\s*(千瓦|kW|KW|千伏安|兆瓦|平方米|立方米|万元|亿元|元|万人|人|吨|亩)"
    r"\s*(及以下|及以上|以内|以上|以下)"
)
_COND_CLAUSE = re.compile(r"(?:^|(?<=[，,；;。：:\n]))\s*(对于|对|凡)" + NOT_END + r"{1,26}?的" + r"(" + NOT_END
                          + r"{0,6})(?=[，,；;])")
_COND_BELONG = re.compile(r"属于" + NOT_END + r"{1,24}?的(?=" + END + r")")
_COND_QUALIFIED = re.compile(r"符合(?:" + NOT_END + r"{0,10}?)?(?:条件|要求|规定|标准)的")
_SUBJECT = re.compile(r"(企业|主体|个人|项目|单位|纳税人|人员|个体工商户|商户|申请人|群众|家庭|者|机构|用户)$")


def materials(text: str, norm_text: str) -> list[Fact]:
    facts = []
    for m in _MATERIAL.finditer(norm_text):
        facts.append(fact("material", text, m.start(), m.end(), plain(text[m.start() : m.end()])))
    return facts


def conditions(text: str, norm_text: str) -> list[Fact]:
    spans: list[Span] = []
    for pattern in (_COND_DURATION, _COND_RECENT, _COND_THRESHOLD, _COND_BELONG, _COND_QUALIFIED):
        spans += [(m.start(), min(m.end(), m.start() + 30)) for m in pattern.finditer(norm_text)]
    for m in _COND_CLAUSE.finditer(norm_text):
        if not m.group(2) or _SUBJECT.search(m.group(2)):
            spans.append((m.start(1), m.end()))
    # A condition inside a longer one ("符合条件的" in "对符合条件的企业") is left to the longer one.
    kept = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return [fact("condition", text, a, b, plain(text[a:b])) for a, b in sorted(set(kept))]
