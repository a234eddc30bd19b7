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
- condition: eligibility: "满三年", "近三年无违法记录", "100千瓦及以下", "符合条件的",
  "属于同一县级审批机关管辖的" → the phrase, NFKC'd, spaces removed

Matching runs on an NFKC form of equal length, so every span indexes the original text. A span
taken by a more specific type (time_limit, deadline, percent, phone) does not also become an
amount or a count.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from assistant.ingest.numerals import CN_DIGITS, CN_NUM, NUM, cn_decimal, cn_number
from assistant.lexicon.patterns import field_name_group
from assistant.lexicon.text import nfkc_aligned
from assistant.models import Fact

_UNIT = r"(个\s*工作日|工作日|个?\s*自然日|个?\s*小时|天|日|分钟|个月|个?\s*星期|周|年)"
UNIT_NAMES = {"工作日": "working_days", "小时": "hours", "天": "days", "日": "days", "分钟": "minutes",
              "个月": "months", "周": "weeks", "星期": "weeks", "年": "years"}
_END = r"[，,；;。！!？?\n]"  # what ends a phrase (material, condition)
_NOT_END = r"[^，,；;。！!？?\n]"

# units (lead_unit, responsible_unit)
_FIELD_LINE = re.compile(field_name_group() + r"\s*[：:]\s*([^；;\n）)]+)")
_LEAD_ASIDE = re.compile(r"[（(〔]\s*([^（()）〔〕。；]{2,60}?)\s*(?:牵头|负责)")

# time_limit
_REDUCED = re.compile(
    r"(?:由|从)\s*(?:原来的?|原)?\s*" + NUM + r"\s*" + _UNIT + r"\s*(?:压缩|压减|缩短|减少|缩减|降)\s*(?:至|到|为)\s*"
    + NUM + r"\s*" + _UNIT + r"\s*(以内|之内|内)?"
)
_LIMIT = re.compile(
    r"(?:(压缩|压减|缩短|缩减|控制|减少|降)\s*(?:至|到|在|为)\s*)?" + NUM + r"\s*" + _UNIT
    + r"\s*(以内|之内|内)?\s*(办结|办理完毕|完成|办好|出证|到达|响应|回复|答复)?"
)
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

# amount (money) and percent
_MONEY = re.compile(
    r"(不超过|不低于|不少于|不高于|最高|最低|最多|上限|以上|达到|超过|提高到|提升至|降至|低于|高于|约)?\s*"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(亿元|千万元|百万元|万元|千元|元)"
    r"(\s*/\s*(?:千瓦时|kWh|度|平方米|立方米|吨|人|户|年|月|次|件|个|天))?\s*(以上|以下|以内|左右)?"
)
_PCT_QUALIFIER = (r"(不超过|不低于|不少于|不高于|最高|最低|上限|以上|达到|超过|低于|高于|提高到|提升至|提高至|降至|"
                  r"降低到|降低至|降低|下降|减免|减少|减征|减按|提高|提升|增长|增加|压减|压降|达|约)?\s*")
_PERCENT = re.compile(
    _PCT_QUALIFIER + r"(\d+(?:\.\d+)?)\s*(%|％|‰|个百分点|倍)\s*(以上|以下|以内|左右)?"
)
_PERCENT_CN = re.compile(_PCT_QUALIFIER + r"百分之\s*(\d+(?:\.\d+)?|[零一二两三四五六七八九十百点]+)\s*(以上|以下|以内|左右)?")
_TENTHS = re.compile(
    _PCT_QUALIFIER + r"(?<![统合唯同单逐万划专归第之])([一二两三四五六七八九]|\d)\s*成(?![立为本果功员效绩熟品交长都型就套片体规了的年不])"
    r"\s*(以上|以下|以内|左右)?"
)

# count
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

# phone
_PHONE_CUE = re.compile(r"电话|热线|联系方式|咨询|举报|投诉|联系人|传真|拨打|致电|手机|号码")
_LANDLINE = re.compile(
    r"(?:[(（]\s*(0\d{2,3})\s*[)）]\s*|(?<!\d)(0\d{2,3})\s*[-－—–]\s*)?(?<!\d)(\d{7,8})(?![\d\-])"
)
_SERVICE = re.compile(r"(?<![\d\-])(400|800)\s*-?\s*(\d{3})\s*-?\s*(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_HOTLINE = re.compile(r"(?<![\d\-〔\[(（])(12\d{3}|96\d{3,4})(?![\d号元万%年])")
_HOTLINE_AFTER = re.compile(r"\s*[”\"」]?\s*(?:政务服务便民热线|政务服务热线|服务热线|热线|平台|电话|专线)")
_HOTLINE_BEFORE = re.compile(r"(拨打|致电|热线|电话|通过|拨|打)\s*[“\"「]?\s*$")
_NOT_PHONE_AFTER = re.compile(r"\s*(号|元|万|亿|%|年|个|家|项|户|人|次|千瓦|平方米|吨)")

# name
_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"\n，,。；;！？]{2,15})[”」』\"]")
_PLATFORM_WORD = re.compile(r"\s*(小程序|公众号|APP|App|app|平台|系统|热线|专区|窗口|网(?![上络格点页])|码)")
_NAME_CUE = re.compile(r"(通过|依托|登录|使用|下载|(?<![存现所正实旨内])在|关注|搜索|扫描|借助|利用)")

# material
_MATERIAL_TEXT = r"[^，,；;。！!？?\n：:“”\"]"  # a phrase of what to submit stops at quotes and colons too
_MATERIAL = re.compile(
    r"(无需|无须|免于|免予|不再|不需|只需|仅需|需要|(?<!所)需(?!求)|须|应当|凭|携带|提交|提供|出具|递交|上传|填写|填报)"
    + r"[^，,；;。！!？?\n：:“”\"、]{0,20}?(材料|申请表|申请书|证明|身份证|营业执照|承诺书|复印件|证照|证件)" + _MATERIAL_TEXT + r"{0,15}"
)

# condition
_COND_DURATION = re.compile(
    r"(满|(?<!不)超过|连续)\s*(\d+|" + CN_NUM + r"|半)\s*(个月|个自然年度|个会计年度|年度|年|周岁|岁|个季度|季度)\s*(及以上|以上)?"
)
_COND_RECENT = re.compile(r"(?:最近|近)\s*(\d+|" + CN_NUM + r")\s*(?:年|个月)\s*(?:内|以来)?\s*(?:均)?(未|无|没有|不存在|内未)"
                          + _NOT_END + r"{1,25}")
_COND_THRESHOLD = re.compile(
    r"(\d+(?:\.\d+)?|" + CN_NUM + r")\s*(千瓦|kW|KW|千伏安|兆瓦|平方米|立方米|万元|亿元|元|万人|人|吨|亩)"
    r"\s*(及以下|及以上|以内|以上|以下)"
)
_COND_CLAUSE = re.compile(r"(?:^|(?<=[，,；;。：:\n]))\s*(对于|对|凡)" + _NOT_END + r"{1,26}?的" + r"(" + _NOT_END
                          + r"{0,6})(?=[，,；;])")
_COND_BELONG = re.compile(r"属于" + _NOT_END + r"{1,24}?的(?=" + _END + r")")
_COND_QUALIFIED = re.compile(r"符合(?:" + _NOT_END + r"{0,10}?)?(?:条件|要求|规定|标准)的")
_SUBJECT = re.compile(r"(企业|主体|个人|项目|单位|纳税人|人员|个体工商户|商户|申请人|群众|家庭|者|机构|用户)$")

_Span = tuple[int, int]


def _unit(text: str) -> str:
    for key, name in UNIT_NAMES.items():
        if key in text:
            return name
    return text


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _overlaps(start: int, end: int, taken: list[_Span]) -> bool:
    return any(start < b and a < end for a, b in taken)


def _fact(kind: str, text: str, start: int, end: int, normalized: str) -> Fact:
    """A fact whose value is text[start:end] with the surrounding whitespace trimmed off."""
    value = text[start:end]
    start += len(value) - len(value.lstrip())
    end -= len(value) - len(value.rstrip())
    return Fact(kind, text[start:end], normalized, start, end)


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
    taken: list[_Span] = []
    for m in _REDUCED.finditer(norm_text):
        before = f"{_fmt(cn_number(m.group(1)))} {_unit(m.group(2))}"
        after = f"{_fmt(cn_number(m.group(3)))} {_unit(m.group(4))}"
        facts.append(Fact("time_limit", text[m.start() : m.end()], f"{before} -> {after}", m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _SAME_DAY.finditer(norm_text):
        facts.append(_fact("time_limit", text, m.start(), m.end(), "0 days"))
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
        facts.append(_fact("time_limit", text, m.start(), m.end(), f"{bound}{_fmt(cn_number(m.group(2)))} {unit}"))
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


def _deadlines(text: str, norm_text: str, doc_year: int) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[_Span] = []

    def add(start: int, end: int, normalized: str) -> None:
        if not _overlaps(start, end, taken):
            facts.append(_fact("deadline", text, start, end, normalized))
            taken.append((start, end))

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


def _qualified(prefix: str | None, core: str, suffix: str | None) -> str:
    """"不超过" "1%" None → "不超过 1%"; None "96%" "以上" → "96% 以上"."""
    return " ".join(p for p in (prefix, core, suffix) if p)


def _amounts(text: str, norm_text: str, taken: list[_Span]) -> list[Fact]:
    facts = []
    for m in _MONEY.finditer(norm_text):
        if _overlaps(m.start(2), m.end(), taken):
            continue
        per = re.sub(r"\s", "", m.group(4) or "")
        core = f"{m.group(2).replace(',', '')}{m.group(3)}{per}"
        facts.append(_fact("amount", text, m.start(), m.end(), _qualified(m.group(1), core, m.group(5))))
    return facts


def _percents(text: str, norm_text: str, taken: list[_Span]) -> list[Fact]:
    facts = []
    for m in _PERCENT.finditer(norm_text):
        unit = m.group(3).replace("％", "%")
        facts.append(_fact("percent", text, m.start(), m.end(), _qualified(m.group(1), m.group(2) + unit, m.group(4))))
    for m in _PERCENT_CN.finditer(norm_text):
        value = cn_decimal(m.group(2))
        facts.append(_fact("percent", text, m.start(), m.end(), _qualified(m.group(1), value + "%", m.group(3))))
    for m in _TENTHS.finditer(norm_text):
        tenths = cn_number(m.group(2))
        if tenths:
            facts.append(_fact("percent", text, m.start(), m.end(),
                               _qualified(m.group(1), f"{_fmt(tenths * 10)}%", m.group(3))))
    return [f for f in facts if not _overlaps(f.start, f.end, taken)]


def _counts(text: str, norm_text: str, taken: list[_Span]) -> list[Fact]:
    facts = []
    for m in _COUNT.finditer(norm_text):
        number = m.group(2)
        # "一批" "一次" "一个窗口" are ways of speaking and "二次供水" a kind, not counts.
        if number == "一" or (number == "二" and m.group(5) == "次") or _overlaps(m.start(2), m.end(), taken):
            continue
        words = [w for w in (m.group(1), m.group(3), m.group(6)) if w]
        bound = next((_COUNT_QUALIFIER[w] for w in words if w in _COUNT_QUALIFIER), "")
        if "余" in words or "多" in words:
            bound = ">"
        start = m.start() if m.group(1) else m.start(2)
        core = f"{_fmt(cn_number(number))}{m.group(4) or ''} {m.group(5)}"
        facts.append(_fact("count", text, start, m.end(), f"{bound} {core}" if bound else core))
    return facts


def _phone_cued(norm_text: str, start: int, taken: list[_Span], end: int = -1) -> bool:
    """A cue word (电话, 热线 …) a few characters before, or right after a quoted number
    ("“5556666”投诉举报电话"), or a phone just before ("电话：x、y")."""
    if _PHONE_CUE.search(norm_text[max(0, start - 8) : start]):
        return True
    if end >= 0 and re.match(r"[”\"’]?\s*[^，,。；;\d]{0,4}?(电话|热线)", norm_text[end : end + 8]):
        return True
    return any(0 <= start - b <= 2 and re.fullmatch(r"\s*[、,，/或和]\s*", norm_text[b:start]) for _a, b in taken)


def _phones(text: str, norm_text: str) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[_Span] = []

    def add(start: int, end: int, normalized: str) -> None:
        if not _overlaps(start, end, taken) and not _NOT_PHONE_AFTER.match(norm_text, end):
            facts.append(_fact("phone", text, start, end, normalized))
            taken.append((start, end))

    for m in _SERVICE.finditer(norm_text):
        add(m.start(), m.end(), "".join(m.groups()))
    for m in _MOBILE.finditer(norm_text):
        add(m.start(), m.end(), m.group(1))
    for m in _LANDLINE.finditer(norm_text):
        area = m.group(1) or m.group(2)
        if not area and norm_text[max(0, m.start() - 1) : m.start()] == "-":
            continue  # the tail of a longer number ("GB 50016-2014")
        if area or _phone_cued(norm_text, m.start(), taken, m.end()):
            add(m.start(), m.end(), f"{area}-{m.group(3)}" if area else m.group(3))
    for m in _HOTLINE.finditer(norm_text):
        if _HOTLINE_AFTER.match(norm_text, m.end()) or _HOTLINE_BEFORE.search(norm_text[max(0, m.start() - 6) : m.start()]):
            add(m.start(), m.end(), m.group(1))
    return sorted(facts, key=lambda f: f.start)


def _names(text: str, norm_text: str) -> list[Fact]:
    facts = []
    for m in _QUOTED.finditer(norm_text):
        name = m.group(1).strip()
        word = _PLATFORM_WORD.match(norm_text, m.end())
        if not (word or _NAME_CUE.search(norm_text[max(0, m.start() - 4) : m.start()])) or len(name) < 2:
            continue
        facts.append(_fact("name", text, m.start(), word.end() if word else m.end(), _plain(name)))
    return facts


def _materials(text: str, norm_text: str) -> list[Fact]:
    facts = []
    for m in _MATERIAL.finditer(norm_text):
        facts.append(_fact("material", text, m.start(), m.end(), _plain(text[m.start() : m.end()])))
    return facts


def _conditions(text: str, norm_text: str) -> list[Fact]:
    spans: list[_Span] = []
    for pattern in (_COND_DURATION, _COND_RECENT, _COND_THRESHOLD, _COND_BELONG, _COND_QUALIFIED):
        spans += [(m.start(), min(m.end(), m.start() + 30)) for m in pattern.finditer(norm_text)]
    for m in _COND_CLAUSE.finditer(norm_text):
        if not m.group(2) or _SUBJECT.search(m.group(2)):
            spans.append((m.start(1), m.end()))
    # A condition inside a longer one ("符合条件的" in "对符合条件的企业") is left to the longer one.
    kept = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
    return [_fact("condition", text, a, b, _plain(text[a:b])) for a, b in sorted(set(kept))]


def extract_facts(text: str, fields: tuple[tuple[str, str], ...], doc_date: str) -> tuple[Fact, ...]:
    norm_text = nfkc_aligned(text)
    doc_year = int(doc_date[:4]) if doc_date[:4].isdigit() else 2023
    facts = _time_limits(text, norm_text) + _deadlines(text, norm_text, doc_year)
    phones = _phones(text, norm_text)
    taken = [(f.start, f.end) for f in facts + phones]
    percents = _percents(text, norm_text, taken)
    taken += [(f.start, f.end) for f in percents]
    amounts = _amounts(text, norm_text, taken)
    taken += [(f.start, f.end) for f in amounts]
    facts += amounts + percents + _counts(text, norm_text, taken) + phones
    facts += _names(text, norm_text) + _materials(text, norm_text) + _conditions(text, norm_text)
    for name, value in fields:
        if "牵头" in name and "★" not in name:
            facts.append(Fact("lead_unit", value, "、".join(split_units(value))))
        elif "责任" in name or "主管部门" in name or "★" in name:
            # A list column where ★ marks the lead: "★市市场监管局、市税务局"
            marked = [u.lstrip("★") for u in split_units(value) if u.startswith("★")]
            if marked:
                facts.append(Fact("lead_unit", "、".join(marked), "、".join(marked)))
            facts.append(Fact("responsible_unit", value.replace("★", ""), "、".join(
                u.lstrip("★") for u in split_units(value))))
    return tuple(facts)
