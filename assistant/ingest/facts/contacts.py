"""Phone numbers ("029-86787890", "拨打12345") and quoted platform names ("“甘快办”APP")."""

from __future__ import annotations

import re

from assistant.ingest.facts.common import Span, fact, overlaps, plain
from assistant.lexicon.patterns import alternation, guarded, words
from assistant.models import Fact

# phone
_PHONE_CUE = re.compile(alternation(words("phone", "cues")))
_LANDLINE = re.compile(
    r"(?:[(（]\s*(0\d{2,3})\s*[)）]\s*|(?<!\d)(0\d{2,3})\s*[-－—–]\s*)?(?<!\d)(\d{7,8})(?![\d\-])"
)
_SERVICE = re.compile(r"(?<![\d\-])(400|800)\s*-?\s*(\d{3})\s*-?\s*(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_HOTLINE = re.compile(r"(?<![\d\-〔\[(（])(12\d{3}|96\d{3,4})(?![\d号元万%年])")
# "12345热线", "“12348”公共法律服务热线": a quoted number may have the service's name before the cue.
_HOTLINE_AFTER = re.compile(r"\s*(?:[”\"」]\s*[\u4e00-\u9fff]{0,8}?)?" + f"(?:{alternation(words('phone', 'hotline_after'))})")
_HOTLINE_BEFORE = re.compile(f"({alternation(words('phone', 'hotline_before'))})" + r"\s*[“\"「]?\s*$")
# The number closing a contact aside "（公共服务处，艾娜，63916865）": an office and a name before it.
_CONTACT_ASIDE = re.compile(r"[（(][^（）()\d\n]{1,24}[，,、]\s*$")
_NOT_PHONE_AFTER = re.compile(r"\s*(号|元|万|亿|%|年|个|家|项|户|人|次|千瓦|平方米|吨)")

# name
_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"\n，,。；;！？]{2,15})[”」』\"]")
_PLATFORM_WORD = re.compile(r"\s*" + f"({guarded('name', 'platform_words')})")
_NAME_CUE = re.compile(f"({guarded('name', 'cues')})")


def _phone_cued(norm_text: str, start: int, taken: list[Span], end: int = -1) -> bool:
    """A cue word (电话, 热线 …) a few characters before, or right after a quoted number
    ("“5556666”投诉举报电话"), the close of a contact aside ("（公共服务处，艾娜，63916865）"), or a
    phone just before ("电话：x、y")."""
    if _PHONE_CUE.search(norm_text[max(0, start - 8) : start]):
        return True
    if end >= 0 and re.match(r"[”\"’]?\s*[^，,。；;\d]{0,4}?(电话|热线)", norm_text[end : end + 8]):
        return True
    if end >= 0 and _CONTACT_ASIDE.search(norm_text[max(0, start - 26) : start]) and norm_text[end : end + 1] in "）)":
        return True
    return any(0 <= start - b <= 2 and re.fullmatch(r"\s*[、,，/或和]\s*", norm_text[b:start]) for _a, b in taken)


def phones(text: str, norm_text: str) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[Span] = []

    def add(start: int, end: int, normalized: str) -> None:
        if not overlaps(start, end, taken) and not _NOT_PHONE_AFTER.match(norm_text, end):
            facts.append(fact("phone", text, start, end, normalized))
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


def names(text: str, norm_text: str) -> list[Fact]:
    facts = []
    for m in _QUOTED.finditer(norm_text):
        name = m.group(1).strip()
        word = _PLATFORM_WORD.match(norm_text, m.end())
        if not (word or _NAME_CUE.search(norm_text[max(0, m.start() - 4) : m.start()])) or len(name) < 2:
            continue
        facts.append(fact("name", text, m.start(), word.end() if word else m.end(), plain(name)))
    return facts
