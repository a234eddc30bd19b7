"""Cut a source file into its documents.

- plain sources are one document, described by the manifest;
- `dated_titles` (the 2023 compilation): a document opens with a numbered title of one to four
  lines ending in its date "（2023 年6 月3 日）"; numbering restarts under each region heading;
- `plan_titles` (the 泾河新城 file): a cover letter, then plans titled "…行动方案", one of which
  carries sub-plans opened by "方案一" … "方案二十二" and a title line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.manifest import Manifest, SourceSpec
from assistant.lexicon.patterns import doc_number_group
from assistant.lexicon.text import SourceLine, join_pieces, nfkc_aligned, norm
from assistant.models import Document

_DATED_END = re.compile(r"[（(]\s*(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*[）)]\s*$")
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.．]\s*(.*)$")
_GROUP = re.compile(r"^\s*[（(]([一二三四五六七八九十]{1,2})[）)]\s*([\u4e00-\u9fff]{2,4})(?:[（(].*[）)])?\s*$")
_DOC_NUMBER = re.compile(r"^\s*" + doc_number_group(loose=False) + r"\s*$")  # a line that is only a 文号
_PLAN_TITLE = re.compile(r"^[^\s，。：:；“”、]{4,30}(?:行动方案|实施方案)$")
_SUBPLAN = re.compile(r"^\s*方案([一二三四五六七八九十]{1,3})\s*$")
_ISSUER_END = re.compile(r"关于|印发|转发")


@dataclass(frozen=True)
class DocumentText:
    document: Document
    lines: list[SourceLine]


def issuer_of(title: str) -> str:
    """The issuing body a title opens with: the words before 关于 / 印发 / 转发, or ""."""
    match = _ISSUER_END.search(title)
    return title[: match.start()] if match else ""


def region_of(text: str, manifest: Manifest, default: str) -> str:
    """The region named first in `text` (the issuer stands first in a title)."""
    best: tuple[int, int, str] | None = None
    for surface, region in manifest.names():
        pos = text.find(surface)
        if pos >= 0 and (best is None or (pos, -len(surface)) < (best[0], best[1])):
            best = (pos, -len(surface), region)
    return best[2] if best else default


def split_source(spec: SourceSpec, lines: list[SourceLine], manifest: Manifest) -> list[DocumentText]:
    if spec.split == "dated_titles":
        return _split_dated_titles(spec, lines, manifest)
    if spec.split == "plan_titles":
        return _split_plan_titles(spec, lines)
    return [DocumentText(_whole(spec, lines), lines)]


def belongs_to(spec: SourceSpec, doc_id: str) -> bool:
    """Whether `doc_id` names `spec`'s own document or one its split makes (or would make):
    "{id}-{group}-{nn}" for `dated_titles`, "{id}-p{n}" and "{id}-p{n}-{nn}" for `plan_titles`.
    Another source whose id merely starts with `spec.id` ("xa-2" beside "xa") is not one."""
    if doc_id == spec.id:
        return True
    own = re.escape(spec.id)
    if spec.split == "dated_titles":
        return re.fullmatch(own + r"-\d+-\d{2,}", doc_id) is not None
    if spec.split == "plan_titles":
        return re.fullmatch(own + r"-p\d+(?:-\d{2,})?", doc_id) is not None
    return False


def _whole(spec: SourceSpec, lines: list[SourceLine], **overrides: object) -> Document:
    values: dict[str, object] = {
        "id": spec.id, "title": spec.title, "issuer": spec.issuer, "doc_number": spec.doc_number, "date": spec.date,
        "region": spec.region, "source_file": spec.file, "date_precision": spec.date_precision,
        "line_start": lines[0].number if lines else 1, "line_end": lines[-1].number if lines else 1,
    }
    values.update(overrides)
    return Document(**values)  # type: ignore[arg-type]


def _title_at(lines: list[SourceLine], i: int, expected: int) -> tuple[str, str, int] | None:
    """If a numbered, dated title opens at line i, return (title, iso date, lines used)."""
    m = _NUMBERED.match(nfkc_aligned(lines[i].text))
    if not m or int(m.group(1)) != expected:
        return None
    text = m.group(2).strip()
    for used in range(1, 7):
        if text and text[-1] in "。；：" and not _DATED_END.search(text):
            return None
        d = _DATED_END.search(text)
        if d:
            title = text[: d.start()].strip()
            if len(norm(title)) < 6:
                return None
            date = f"{d.group(1)}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
            return title, date, used
        if i + used >= len(lines):
            return None
        nxt = lines[i + used].text.strip()
        if _NUMBERED.match(nfkc_aligned(nxt)) or _GROUP.match(nxt):
            return None
        text = join_pieces(text, nxt)
    return None


def _split_dated_titles(spec: SourceSpec, lines: list[SourceLine], manifest: Manifest) -> list[DocumentText]:
    starts: list[tuple[int, int, str, str, str, int]] = []  # line index, used, title, date, group, n
    group, group_no, expected = spec.region, 0, 1
    i = 0
    while i < len(lines):
        g = _GROUP.match(lines[i].text.strip())
        if g and manifest.region(g.group(2)) is not None:
            group, group_no, expected = g.group(2), group_no + 1, 1
            i += 1
            continue
        found = _title_at(lines, i, expected)
        if found:
            title, date, used = found
            starts.append((i, used, title, date, group, group_no))
            expected += 1
            i += used
            continue
        i += 1

    docs: list[DocumentText] = []
    for k, (i, used, title, date, group, group_no) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        body = lines[i + used : end]
        # Drop the region headings ("（二）宁夏") that close a group before the next document.
        while body and _GROUP.match(body[-1].text.strip()):
            body = body[:-1]
        doc_number = ""
        for line in body[:3]:
            m = _DOC_NUMBER.match(line.text)
            if m:
                doc_number = m.group(1).replace(" ", "")
                break
        issuer = issuer_of(title)
        n = k + 1 - sum(1 for s in starts[:k] if s[5] != group_no)
        body_chars = sum(len(norm(line.text)) for line in body)
        document = Document(
            id=f"{spec.id}-{group_no}-{n:02d}", title=title, issuer=issuer, doc_number=doc_number,
            date=date, region=region_of(title, manifest, group), source_file=spec.file,
            line_start=lines[i].number, line_end=body[-1].number if body else lines[i + used - 1].number,
            kind="document", parent_id=spec.id, title_only=body_chars < 400,
        )
        docs.append(DocumentText(document, lines[i:end]))
    return docs


def _topic(title: str) -> str:
    """The indicator a sub-plan is about: the quoted name before "指标"."""
    head = title.split("指标")[0]
    quoted = head[head.find("“") :] if "“" in head else head
    return re.sub(r"[“”‘’\s]", "", quoted)


def _split_plan_titles(spec: SourceSpec, lines: list[SourceLine]) -> list[DocumentText]:
    marks: list[tuple[int, int, str, str]] = []  # line index, lines used by the title, kind, title
    for i, line in enumerate(lines):
        text = line.text.strip()
        if _PLAN_TITLE.match(text):
            marks.append((i, 1, "plan", text))
            continue
        m = _SUBPLAN.match(text)
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].text.strip():
                j += 1
            if j < len(lines):
                title = re.sub(r"\s+", "", lines[j].text.strip())
                marks.append((i, j - i + 1, "sub_plan", f"方案{m.group(1)}：{title}"))

    docs: list[DocumentText] = []
    if marks and marks[0][0] > 0:
        docs.append(DocumentText(_whole(spec, lines[: marks[0][0]], kind="notice"), lines[: marks[0][0]]))
    plan_no, plan_id, sub_no = 0, spec.id, 0
    for k, (i, _used, kind, title) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(lines)
        span = lines[i:end]
        if kind == "plan":
            plan_no += 1
            sub_no = 0
            plan_id = f"{spec.id}-p{plan_no}"
            doc = _whole(spec, span, id=plan_id, title=title, kind="plan", parent_id=spec.id)
        else:
            sub_no += 1
            doc = _whole(spec, span, id=f"{plan_id}-{sub_no:02d}", title=title, kind="sub_plan",
                         parent_id=plan_id, topic=_topic(title))
        docs.append(DocumentText(doc, span))
    return docs
