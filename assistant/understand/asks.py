"""What a question asks for: one or more asks, each a kind of fact (time limit, deadline,
department, amount, percentage, count, contact, platform, materials, conditions) or a procedure.

A question is cut into parts at its question marks and at commas that open a new question
("要准备哪些材料？打电话能不能报装？", "建几个，什么时候建好"); each part is read for the words that
say what it asks ("多久", "哪个部门", "电话"). Every ask keeps its part, so the answer can look
for each fact near that part's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Ask type → the fact types that answer it, best first. An empty tuple: any clause text answers.
FACT_TYPES: dict[str, tuple[str, ...]] = {
    "time_limit": ("time_limit",),
    "deadline": ("deadline",),
    "department": ("lead_unit", "responsible_unit", "department"),
    "amount": ("amount", "percent"),
    "percent": ("percent", "amount"),
    "count": ("count",),
    "quantity": ("percent", "amount", "count", "time_limit"),
    "frequency": ("frequency",),
    "contact": ("phone",),
    "platform": ("name",),
    "materials": ("material",),
    "conditions": ("condition",),
    "procedure": (),
}
# Asks whose answer must state a fact of their type; the others are answered by relevant text
# (a condition found is preferred, but "能不能…" is often answered by a rule without one).
SOFT_ASKS = frozenset({"conditions"})
FACT_ASKS = frozenset(k for k, v in FACT_TYPES.items() if v) - SOFT_ASKS

# How the answer names an ask it could not find ("文件未写明办理时限").
LABELS: dict[str, str] = {
    "time_limit": "办理时限", "deadline": "完成时间", "department": "负责部门", "amount": "金额",
    "percent": "比例", "count": "数量", "frequency": "频次", "quantity": "具体数值", "contact": "联系电话", "platform": "平台名称",
    "materials": "所需材料", "conditions": "条件", "procedure": "办理方式",
}

# Ordered: the first pattern that matches a stretch of the part claims it, so a more specific
# wording ("最迟多长时间" is a time limit) wins over a broader one ("最迟" is a deadline).
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("contact", r"(联系|咨询|举报|投诉|服务)电话|电话(号码|是多少|多少)|联系方式|号码|怎么联系|热线是多少|打哪个电话|"
                r"有电话吗|电话吗"),
    ("platform", r"(哪个|什么|哪一个)(app|APP|App|平台|系统|网站|小程序|公众号|渠道|软件)|在哪(个|里)?(平台|网站)|"
                 r"通过什么(渠道|方式|途径)|什么渠道|哪个渠道"),
    ("frequency", r"(多久|多长时间|多少天|几天|几个月)[^，,？?。]{0,6}一次|频次|频率|一年[^，,？?。]{0,4}几次"),
    ("department", r"(?:(报给|交给|报送|交到|报到|提交给|报|交)(哪里|哪儿|谁|哪)|向哪|哪个部门|哪个单位|哪家单位|哪家|哪些部门|哪几个部门|哪些单位|哪个处|哪个科|处室|哪个机构|"
                   r"谁牵头|谁负责|谁来|谁管|由谁|归哪|牵头单位|牵头部门|责任单位|负责单位|负责部门|找谁|设在哪|"
                   r"主管部门|报给谁|交给谁|报给哪|交给哪|报哪|哪个窗口|去哪(里|儿)?(办|反映|投诉))"
                   r"(?:来?(?:负责|牵头|管|办理?|受理|核定|发放))?"),
    ("time_limit", r"多久|多长时间|多长|几个工作日|多少个工作日|几个自然日|几天|多少天|几个小时|多少小时|多快|办结时限|"
                   r"多少分钟|几分钟|要多少时间|几个月|多少个月|几年|时长|(?<!完成)时限|(时限|时间|用时)[^，,？?。]{0,4}多少|时限(是|有)?多|"
                   r"期限(最长|多长|是多久)|最快"),
    ("deadline", r"什么时候|啥时候|何时|哪个月|哪一年|哪年|截止|最晚|最迟|完成时限|完成期限|时间节点|进度节点|几月|"
                 r"之前完成|什么时间|哪天|哪一天|几号|到哪一年|时间点"),
    ("materials", r"(哪些|什么|啥)(材料|证件|资料|手续)|材料(有哪些|是什么|清单|包括)|带什么|带哪些|带啥|准备什么|准备哪些|准备啥|"
                  r"提交什么|提交哪些|交什么材料|交哪些材料"),
    ("percent", r"比例|百分之|百分比|几个点|多少个点|费率|税率|折扣|[^\s，,。？?]率(是|为|要|能|有)?(多少|多大|目标|达到)|"
                r"扣除多少|减免多少|降低多少|降多少|下降多少|提高多少|增长多少|涨多少|减多少|几成"),
    ("count", r"多少个|(?<![有好哪])几个|多少家|(?<![有好哪])几家|多少项|几项|多少户|几户|多少次|几次|多少所|多少件|几件|多少名|多少人|"
              r"多少批|几批|多少条|几条|多少座|几座|多少台|数量"),
    ("amount", r"多少钱|多少万|多少元|多少块|金额|额度|上限|多少一度|电价|价格(是|为)?多少|收费标准|补多少|奖多少|贷多少|"
               r"给多少|拿多少|返还多少|奖励多少|补贴多少|费用是多少"),
    ("conditions", r"条件|前提|资格|符合|满足|要求|哪些情况|什么情况|能不能|可不可以|能否|是否可以|可以不|"
                   r"要不要|需不需要|用不用|算不算|会不会|行不行|有没有"),
    ("quantity", r"多少|多大|目标"),
)
_COMPILED = tuple((kind, re.compile(p)) for kind, p in _PATTERNS)
# Where a question opens a second question: a question mark, or a comma before an asking word.
_PART_BREAK = re.compile(r"[？?；;！!。]+")
_PROCEDURE = re.compile(r"怎么|如何|怎样|流程|程序|步骤|办理方式|操作|跑几次|咋办")


@dataclass(frozen=True)
class Ask:
    type: str  # a key of FACT_TYPES
    cue: str  # the words that asked it ("多久", "哪个部门")
    part: str  # the part of the question it belongs to

    @property
    def fact_types(self) -> tuple[str, ...]:
        return FACT_TYPES[self.type]

    @property
    def needs_fact(self) -> bool:
        return self.type in FACT_ASKS

    @property
    def label(self) -> str:
        return LABELS[self.type]


def parts(question: str) -> list[str]:
    """The question cut where a new question starts: at question marks, and at commas that open
    one (the stretch after the comma carries its own asking word)."""
    out: list[str] = []
    for piece in _PART_BREAK.split(question):
        piece = piece.strip(" ，,、")
        if not piece:
            continue
        chunks = re.split(r"[，,]", piece)
        current = ""
        for chunk in chunks:
            if current and _cues(chunk) and _cues(current):
                out.append(current)
                current = chunk
            else:
                current = f"{current}，{chunk}" if current else chunk
        if current:
            out.append(current)
    return out or [question]


def _cues(text: str) -> list[tuple[str, str, int]]:
    """(ask type, cue, position) for every asking phrase in `text`, specific wording first."""
    taken = [False] * len(text)
    found: list[tuple[str, str, int]] = []
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found.append((kind, m.group(0), m.start()))
    return sorted(found, key=lambda c: c[2])


def read_asks(question: str) -> tuple[Ask, ...]:
    """Every ask of `question`, in the order asked; a question without asking words asks for the
    procedure ("营业执照怎么办" and "介绍一下…" alike)."""
    asks: list[Ask] = []
    for part in parts(question):
        cues = _cues(part)
        kinds = [k for k, _c, _p in cues]
        for kind, cue, _pos in cues:
            # A bare 多少/目标 adds nothing next to a more specific ask of the same part, and a
            # yes/no wording adds nothing next to a fact ask.
            if kind == "quantity" and any(k in FACT_ASKS and k != "quantity" for k in kinds):
                continue
            if kind == "conditions" and any(k in FACT_ASKS for k in kinds):
                continue
            if kind == "deadline" and cue in ("最晚", "最迟", "截止") and "time_limit" in kinds:
                continue  # "最迟多长时间" asks for a time limit
            if any(a.type == kind and a.part == part for a in asks):
                continue
            asks.append(Ask(kind, cue, part))
        if not cues:
            how = _PROCEDURE.search(part)
            asks.append(Ask("procedure", how.group(0) if how else "", part))
    # The same fact asked twice in different parts stays twice (two values wanted); a procedure
    # part next to fact asks is kept only when it has words of its own.
    return tuple(asks)


def asking_words(question: str) -> list[str]:
    """Every asking phrase of the question ("能不能", "什么时候", "哪个部门"): not its subject."""
    return [cue for part in parts(question) for _kind, cue, _pos in _cues(part)]


def asking_cue(question: str) -> str:
    """The words that ask for a fact ("多久", "牵头单位"), empty when the question asks none."""
    return next((a.cue for a in read_asks(question) if a.needs_fact and a.cue), "")


def primary(asks: tuple[Ask, ...]) -> Ask:
    """The ask the answer leads with: the first fact ask, else the first ask."""
    return next((a for a in asks if a.needs_fact), asks[0]) if asks else Ask("procedure", "", "")
