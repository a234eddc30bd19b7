"""Chinese text handling: NFKC for comparing, original characters for quoting.

`norm()` is what every comparison uses (NFKC, traditional characters as simplified, whitespace
removed, lower-cased); quotes keep the original characters. `clean_markup()`
strips the Markdown/HTML the sources carry. `repair_lines()` joins PDF lines broken mid-sentence
and keeps real paragraph breaks, remembering the source line and page of every paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.lexicon.patterns import field_name_group
from assistant.lexicon.words import words

_WS = re.compile(r"\s+")
_MARKUP = re.compile(r"\*\*|</?b>|</?strong>|^#{1,6}\s+|^-\s+(?=\S)", re.MULTILINE)
PAGE_MARKER = re.compile(r"^#\s*Page\s+(\d+)\s*:?\s*$")

# Heading numbering, outermost first. Rank decides nesting; a heading pops every open heading of
# the same or a deeper rank.
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (rank, re.compile(pattern)) for rank, pattern in enumerate(words().heading_numbering, start=1))

SENTENCE_END = "。！？；!?;"
# An aside in brackets right after a sentence end closes that sentence: "…检索分析工具。（公共服务处，
# 艾娜，63916865）", "…联合验收。（省住建厅负责，6 月底前完成）".
_ASIDE = r"[（(][^（）()。！？\n]{1,40}[）)]"
_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;]+[”’）)]*(?:" + _ASIDE + r")?|[^。！？；!?;\n]+")
CLOSING_ASIDE = re.compile(r"(?<=[。！？；!?;])" + _ASIDE)
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f“”‘’]")


@cache
def _t2s() -> Any:
    import opencc  # OpenCC's own dictionaries, shipped in its wheel: offline

    return opencc.OpenCC("t2s")


@cache
def _traditional() -> re.Pattern[str]:
    """The characters t2s changes, found once: a text without any is left as it is, which spares
    most (simplified) texts the conversion."""
    converter = _t2s()
    changed = [c for c in map(chr, range(0x3400, 0xA000)) if converter.convert(c) != c]
    return re.compile("[" + "".join(re.escape(c) for c in changed) + "]")


def simplified(text: str) -> str:
    """Traditional characters as simplified (OpenCC t2s): "陝西省營商環境" → "陕西省营商环境".
    For comparing only: a quote keeps the characters its source has."""
    if text.isascii() or not _traditional().search(text):
        return text
    converted: str = _t2s().convert(text)
    return converted


def norm(text: str) -> str:
    """The comparison form: NFKC, simplified characters, no whitespace, lower case."""
    return _WS.sub("", simplified(unicodedata.normalize("NFKC", text))).lower()


def nfkc_aligned(text: str) -> str:
    """NFKC character by character, keeping length so offsets map back to the original."""
    out = []
    for ch in text:
        mapped = unicodedata.normalize("NFKC", ch)
        out.append(mapped if len(mapped) == 1 else ch)
    return "".join(out)


def clean_markup(line: str) -> str:
    return _MARKUP.sub("", line)


def heading_rank(text: str) -> int:
    """The rank of the numbering that opens `text`, 0 when it opens with none."""
    for rank, pattern in HEADING_PATTERNS:
        if pattern.match(text):
            return rank
    return 0


def strip_label(text: str) -> str:
    """`text` without its opening heading number."""
    for _rank, pattern in HEADING_PATTERNS:
        m = pattern.match(text)
        if m:
            return text[m.end() :].strip()
    return text.strip()


def heading_label(text: str) -> str:
    for _rank, pattern in HEADING_PATTERNS:
        m = pattern.match(text)
        if m:
            return _WS.sub("", nfkc_aligned(m.group(0)))
    return ""


def join_pieces(left: str, right: str) -> str:
    """Join two pieces of one sentence: no space between CJK, one space between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if _CJK.match(left[-1]) or _CJK.match(right[0]):
        return left + right
    if left[-1].isalnum() and right[0].isalnum():
        return left + " " + right
    return left + right


@dataclass(frozen=True)
class Paragraph:
    text: str
    line_start: int
    line_end: int
    page: int | None


@dataclass(frozen=True)
class SourceLine:
    number: int  # 1-based line number in the source file
    text: str
    page: int | None


def read_lines(text: str) -> list[SourceLine]:
    """Split a source file into lines, dropping `# Page N:` markers but keeping the page."""
    lines: list[SourceLine] = []
    page: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        m = PAGE_MARKER.match(raw.strip())
        if m:
            page = int(m.group(1))
            continue
        lines.append(SourceLine(number, raw.rstrip("\r\n"), page))
    return lines


def _ends_paragraph(text: str) -> bool:
    t = text.rstrip()
    return bool(t) and (t[-1] in SENTENCE_END or t[-1] in "：:" or t.endswith(("）。", "〕")))


FIELD_LINE = re.compile(r"^\s*" + field_name_group(variants=True) + r"\s*[：:]")


def _unbalanced(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count("（") > text.count("）") or text.count("《") > text.count("》")


def _should_join(text: str, piece: str, pdf: bool) -> bool:
    """Whether `piece` continues the paragraph `text` (a line broken mid-sentence)."""
    if _ends_paragraph(text) or FIELD_LINE.match(piece) or FIELD_LINE.match(text) or "\t" in piece:
        return False
    rank = heading_rank(text)
    label_only = rank and len(norm(text)) <= len(norm(heading_label(text))) + 0
    if heading_rank(piece) and not _continues_number(text):
        return bool(label_only)
    if label_only:
        return True
    if pdf:
        return not (rank and len(text) <= 14)
    if rank and len(text) < 40:
        return _unbalanced(text)
    return len(text) >= 40 or _unbalanced(text)


def repair_lines(lines: list[SourceLine], pdf: bool) -> list[Paragraph]:
    """Turn source lines into paragraphs, joining lines broken mid-sentence.

    Text files break at page ends too ("…年底前中" / "" / "央预算内投资…"), and headings break over
    a blank line ("…“腾" / "" / "笼换鸟”计划"): a line that does not end a sentence joins the next
    non-empty one when it is a full-width line or leaves a quote open. In PDF text every line
    joins the one before it unless that one ended a sentence or this one opens a heading.
    """
    paragraphs: list[Paragraph] = []
    current: list[SourceLine] = []
    text = ""

    def flush() -> None:
        nonlocal current, text
        if current and text.strip():
            pages = [ln.page for ln in current if ln.page is not None]
            paragraphs.append(
                Paragraph(text.strip(), current[0].number, current[-1].number, pages[0] if pages else None)
            )
        current, text = [], ""

    for line in lines:
        piece = clean_markup(line.text).strip()
        if not piece:
            continue
        if current and _should_join(text, piece, pdf):
            current.append(line)
            text = join_pieces(text, piece)
            continue
        flush()
        current, text = [line], piece
    flush()
    return paragraphs


def _continues_number(text: str) -> bool:
    """True when a line ends mid-number ("…营业执照由" then "1. …" is a heading, "〔2023〕" not)."""
    return text.rstrip().endswith(("〔", "（", "("))


def closing_aside(text: str, position: int) -> tuple[int, int] | None:
    """The span of the aside that closes a sentence ("…工具。（公共服务处，艾娜，63916865）") holding
    `position`, if any."""
    for m in CLOSING_ASIDE.finditer(text, max(0, position - 41), position + 42):
        if m.start() <= position < m.end():
            return m.span()
    return None


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, split after 。！？； and line breaks."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def encodable(text: str) -> bool:
    """Whether `text` is text: no lone surrogate ("\\ud800" from JSON) that UTF-8 cannot hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Characters that do not show: every format character (Unicode category Cf: zero-width U+200B–
# U+200D, U+2060, U+FEFF; bidi marks and embeddings U+200E/U+200F, U+061C, U+202A–U+202E,
# U+2066–U+2069; the soft hyphen U+00AD; tags), variation selectors and the Hangul fillers. A
# region name holding one looks like 西安 and is not.
_HIDDEN_SHOWN_AS_LETTERS = "\u115f\u1160\u3164\uffa0"
_VARIATION = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _visible(text: str) -> str:
    return "".join(ch for ch in _VARIATION.sub("", text)
                   if unicodedata.category(ch) != "Cf" and ch not in _HIDDEN_SHOWN_AS_LETTERS)


def clean_name(text: str) -> str:
    """A name a person typed (a region), as it is compared: NFKC, invisible characters removed,
    whitespace trimmed."""
    return _visible(unicodedata.normalize("NFKC", text)).strip()
