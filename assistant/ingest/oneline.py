"""Text as web pages and databases publish it → the lines a document has.

A notice copied from a web page often comes as one line of thousands of characters: its numbered
items, paragraphs and signature separated by spaces, or by nothing after a sentence end
("…如下：一、…"). Before a source is split, every line over `LONG_LINE` characters is cut where a
paragraph visibly ends — at a run of spaces after a sentence end or a colon, before a heading
number (一、 / （一） / 1. / （1） / 第X条) that follows a space or a sentence end, and after a short
heading whose title a space closes ("一、支持疫情防控物资供应 对生产…"), and after the headline a news
item opens with ("天津市财政拨付资金…工作 日前，…"). Spaces inside a sentence
stay: the paragraph repair joins what a cut would have broken anyway. The pieces keep the line
number and page of the line they come from, so citations still point into the source.

Web page furniture ("扫一扫在手机打开当前页", "【打印本页】", "[网络编辑：…]", a closing
"相关稿件 …" list) is dropped from every line: `patterns.toml` [web] lists it.
"""

from __future__ import annotations

import re

from assistant.lexicon.patterns import web_boilerplate, web_tail
from assistant.lexicon.text import FIELD_LINE, HEADING_PATTERNS, SourceLine, heading_rank

LONG_LINE = 500
# Where the tail markers may cut: in the last part of a long line only (a "相关解读" in the
# middle of a notice is text).
_TAIL_FROM = 0.6
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_ENDS = "。！？；!?;：:"
_CLOSERS = "”’）)】》"
# A heading number may also open right after a sentence end, with no space: "…如下：一、…".
# So may an item's own line ("…。牵头单位：市人社局。"), which ends at its first sentence end.
_OPENERS = [p.pattern.lstrip("^") for _r, p in HEADING_PATTERNS] + [FIELD_LINE.pattern.lstrip("^")]
_GLUED = re.compile(r"(?<=[。！？；!?;：:])(?=" + "|".join(_OPENERS) + ")")
_FIELD_END = re.compile(r"[。；;]")
_HEADLINE_MIN, _HEADLINE_MAX = 8, 60


def drop_boilerplate(text: str) -> str:
    """`text` without web page furniture; the spaces it stood between collapse to one."""
    if not text.strip():
        return text
    cleaned = web_boilerplate().sub(" ", text)
    if len(cleaned) >= LONG_LINE // 2:
        start = int(len(cleaned) * _TAIL_FROM)
        m = web_tail().search(cleaned, start)
        if m and m.start() > 0 and cleaned[m.start() - 1] in " \u3000\u00a0】]。" + _CLOSERS:
            cleaned = cleaned[: m.start()]
    if cleaned == text:
        return text
    return _SPACES.sub(" ", cleaned).strip() if cleaned.strip() else ""


def _ends_sentence(piece: str) -> bool:
    t = piece.rstrip(_CLOSERS)
    return bool(t) and t[-1] in _ENDS


def cut_line(text: str, first: bool = False) -> list[str]:
    """One long line → its paragraphs (see the module's note); a short line stays as it is, but
    for the headline a document's `first` line may open with."""
    if len(text) <= LONG_LINE:
        m = _SPACES.search(text)
        if first and m and _headline(text[: m.start()]) and len(text) - m.end() >= _HEADLINE_MIN:
            return [text[: m.start()].strip(), text[m.end() :].strip()]
        return [text]
    bounds: set[tuple[int, int]] = set()  # (end of the left piece, start of the right piece)
    for m in _SPACES.finditer(text):
        bounds.add((m.start(), m.end()))
    for m in _GLUED.finditer(text):
        bounds.add((m.start(), m.start()))
    pieces: list[str] = []
    start = 0
    for left_end, right_start in sorted(bounds):
        if left_end <= start or right_start >= len(text):
            continue
        left = text[start:left_end]
        head = text[right_start : right_start + 12]
        right_opens = bool(heading_rank(head) or FIELD_LINE.match(head))
        glued = left_end == right_start
        if (glued and right_opens) or (not glued and (_ends_sentence(left) or right_opens or _short_heading(left)
                                                     or (first and start == 0 and _headline(left)))):
            pieces.append(left.strip())
            start = right_start
    pieces.append(text[start:].strip())
    return [part for piece in pieces if piece for part in _field_first(piece)]


def _field_first(piece: str) -> list[str]:
    """An item's own line ends at its first sentence end: "牵头单位：市人社局。" / the rest."""
    if not FIELD_LINE.match(piece):
        return [piece]
    m = _FIELD_END.search(piece)
    if not m or m.end() >= len(piece):
        return [piece]
    return [piece[: m.end()], piece[m.end() :].strip()]


def _headline(piece: str) -> bool:
    """A news item's headline: the words a line opens with, up to its first space, when they are
    a phrase and not a sentence ("天津市财政拨付资金1240万元支持做好特殊群体疫情防控工作 日前，…")."""
    piece = piece.strip()
    return _HEADLINE_MIN <= len(piece) <= _HEADLINE_MAX and not any(ch in piece for ch in "。！？；!?;，,")


def _short_heading(piece: str) -> bool:
    return len(piece) <= 40 and bool(heading_rank(piece))


def unfold(lines: list[SourceLine]) -> list[SourceLine]:
    """Every line without page furniture, and every long line cut into its paragraphs."""
    out: list[SourceLine] = []
    for line in lines:
        if "\t" in line.text:  # a table row: its cells are not paragraphs
            out.append(line)
            continue
        text = drop_boilerplate(line.text)
        pieces = cut_line(text, first=not any(o.text.strip() for o in out))
        if len(pieces) == 1:
            out.append(line if text == line.text else SourceLine(line.number, text, line.page))
            continue
        out.extend(SourceLine(line.number, piece, line.page) for piece in pieces)
    return out


def unfold_text(text: str) -> str:
    """`unfold` on a whole text: what `metadata.py` reads a one-line notice's title and date from."""
    out: list[str] = []
    for raw in text.splitlines():
        if "\t" in raw:
            out.append(raw)
        else:
            out.extend(cut_line(drop_boilerplate(raw), first=not any(o.strip() for o in out)) or [""])
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
