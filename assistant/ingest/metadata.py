"""A new document's title, issuer, 文号, date and region, read from its text where it says them.

Chinese official documents follow one layout (GB/T 9704): an issuer line ("…人民政府办公厅文件"),
the 文号 ("市政办函〔2024〕60号"), the title ("…关于印发…的通知"), the body, and a signature with the
date ("2024年8月2日"). Plans printed alone carry the title first and the date in brackets under it.
Whatever is not found stays empty; the caller's values (flags, the manifest) win over these. The
region: `region_infer.infer_region` (issuer, 文号, title, then the text), as the corpus's tree names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.manifest import Manifest
from assistant.ingest.oneline import unfold_text
from assistant.ingest.region_infer import infer_region
from assistant.ingest.split import issuer_of, region_of
from assistant.lexicon.patterns import doc_number_group
from assistant.lexicon.text import PAGE_MARKER, clean_markup, heading_rank, nfkc_aligned

_DOC_NUMBER = re.compile(doc_number_group(loose=True))
_FULL_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TITLE_WORDS = re.compile(r"(方案|通知|意见|办法|措施|规定|细则|计划|要点|决定|条例|公告|通告|指引|清单|批复|函|规划)$")
_ISSUER_LINE = re.compile(r"^(.{2,40}?)\s*文件$")
_ISSUER_WORDS = re.compile(r"(人民政府|办公厅|办公室|委员会|管理委员会|局|厅|委|中心|政府)$")


@dataclass(frozen=True)
class DetectedMetadata:
    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""  # ISO
    region: str = ""


def _lines(text: str) -> list[str]:
    out = []
    for raw in unfold_text(text).splitlines():  # a notice published as one line: its paragraphs
        line = clean_markup(raw).strip()
        if line and not PAGE_MARKER.match(raw.strip()) and "\t" not in line:
            out.append(line)
    return out


def _iso(match: re.Match[str]) -> str:
    return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"


def _doc_number(head: list[str]) -> str:
    for line in head:
        m = _DOC_NUMBER.search(nfkc_aligned(line))  # same length as `line`: the span quotes the original
        if m and len(line) <= 40:
            return re.sub(r"\s+", "", line[m.start() : m.end()])
    return ""


def _title(head: list[str]) -> str:
    title = ""
    for i, line in enumerate(head):
        if heading_rank(line) or _DOC_NUMBER.search(line) or _ISSUER_LINE.match(line) or len(line) > 80:
            continue
        if _FULL_DATE.fullmatch(line.strip("（）() ")):
            continue
        parts = [line]
        j = i + 1
        # A title runs over a few lines until it ends in the kind of document it is.
        while not _TITLE_WORDS.search(parts[-1]) and j < len(head) and len(parts) < 3 and not heading_rank(head[j]) \
                and len(head[j]) <= 40 and not _FULL_DATE.search(head[j]) and not _DOC_NUMBER.search(head[j]) \
                and not any(ch in head[j] for ch in "，。；,;"):  # a sentence is no part of a title
            parts.append(head[j])
            j += 1
        candidate = "".join(parts)
        if _TITLE_WORDS.search(candidate) or not title:
            title = candidate
            if _TITLE_WORDS.search(candidate):
                break
    title = re.sub(r"[（(]\s*(?:19|20)\d\d\s*年.*?[）)]\s*$", "", title).strip()
    return "" if len(title) > 80 else title


def _issuer(lines: list[str], title: str) -> str:
    """The issuer line at the top ("…文件"), else the title's first words, else the signature."""
    for line in lines[:4]:
        m = _ISSUER_LINE.match(line)
        if m:
            return m.group(1).strip()
    issuer = issuer_of(title) if title else ""
    if len(issuer) >= 2:
        return issuer
    for line in reversed(lines[-6:]):
        if _ISSUER_WORDS.search(line) and len(line) <= 30:
            return line
    return ""


def _date(lines: list[str]) -> str:
    for line in reversed(lines[-8:]):  # the signature date closes the document
        m = _FULL_DATE.fullmatch(line.strip("（）() "))
        if m:
            return _iso(m)
    for line in lines[:15]:
        m = _FULL_DATE.search(line)
        if m:
            return _iso(m)
    return ""


def detect_metadata(text: str, manifest: Manifest) -> DetectedMetadata:
    lines = _lines(text)
    head = lines[:15]
    title = _title(head)
    issuer = _issuer(lines, title)
    # the issuer, the 文号 and the title say where it applies (国务院 → 全国); else the first place named
    inferred = infer_region(text, title, issuer or None, tree=manifest.tree)
    region = inferred or region_of(" ".join([issuer, title]), manifest, "")
    return DetectedMetadata(title=title, issuer=issuer, doc_number=_doc_number(head), date=_date(lines), region=region)
