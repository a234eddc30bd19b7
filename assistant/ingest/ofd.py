"""OFD (GB/T 33190, the national format for official electronic documents) → text by page.

An OFD file is a zip of XML: `OFD.xml` names each document's root (`DocBody/DocRoot`), whose
`Document.xml` lists its pages (`Pages/Page@BaseLoc`); each page's `Content.xml` holds
`TextObject`s (a `Boundary` "x y w h" in mm) with `TextCode`s (`X`, `Y` inside the boundary).
Text codes are put back into lines by their height on the page, left to right, and each page
opens with `# Page N:` as a PDF's does.

Read with zipfile + lxml only: no DTD, no entity expansion, no network; the archive's directory
is checked before anything is inflated (members, sizes, ratios: the sandbox's `check_zip`), and
each part read is bounded again here, as a build reads corpus files outside the sandbox.
"""

from __future__ import annotations

import io
import logging
import posixpath
import zipfile
from typing import Any

from assistant.errors import UnreadableDocument, UploadTooLarge

log = logging.getLogger(__name__)

MAX_PAGES = 1000
MAX_PART_BYTES = 32 * 1024 * 1024  # one XML part, inflated
MAX_MEMBERS = 5000


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _part(name: str, archive: zipfile.ZipFile, path: str) -> Any:
    from lxml import etree

    path = path.lstrip("/")
    try:
        info = archive.getinfo(path)
    except KeyError as exc:
        raise UnreadableDocument(f"{name}: part {path} is missing", f"OFD 文件“{name}”缺少部件。") from exc
    if info.file_size > MAX_PART_BYTES:
        raise UploadTooLarge(f"{name}: part {path} is {info.file_size} bytes, more than {MAX_PART_BYTES}",
                             f"OFD 文件“{name}”的部件过大。", limit=MAX_PART_BYTES)
    with archive.open(info) as member:
        data = member.read(MAX_PART_BYTES + 1)  # the directory may lie about the size
    if len(data) > MAX_PART_BYTES:
        raise UploadTooLarge(f"{name}: part {path} inflates past {MAX_PART_BYTES} bytes",
                             f"OFD 文件“{name}”的部件过大。", limit=MAX_PART_BYTES)
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(f"{name}: part {path} is not well-formed XML ({exc})",
                                 f"OFD 文件“{name}”已损坏（XML 格式错误）。") from exc


def _numbers(value: str | None, count: int) -> list[float]:
    try:
        parts = [float(v) for v in (value or "").split()]
    except ValueError:
        parts = []
    return (parts + [0.0] * count)[:count]


def page_lines(content: Any) -> list[str]:
    """A page's `Content.xml` (parsed) → its lines, top to bottom, left to right."""
    codes: list[tuple[float, float, float, str]] = []  # (y, x, size, text)
    for text_object in _children(content, "TextObject"):
        bx, by, _w, _h = _numbers(text_object.get("Boundary"), 4)
        size = _numbers(text_object.get("Size"), 1)[0] or 3.5
        for code in _children(text_object, "TextCode"):
            if code.text and code.text.strip():
                codes.append((by + _numbers(code.get("Y"), 1)[0], bx + _numbers(code.get("X"), 1)[0], size,
                              code.text.strip()))
    codes.sort()
    rows: list[list[tuple[float, float, float, str]]] = []
    for code in codes:
        if rows and abs(code[0] - rows[-1][0][0]) < max(code[2], rows[-1][0][2]) / 2:
            rows[-1].append(code)
        else:
            rows.append([code])
    return ["".join(text for _y, _x, _s, text in sorted(row, key=lambda c: c[1])) for row in rows]


def read_ofd(name: str, data: bytes) -> tuple[str, int]:
    """The OFD file's text, each page opened by `# Page N:`, and its page count."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableDocument(f"{name}: not a readable OFD file ({exc})", f"文件“{name}”不是可读取的 OFD 文件。") from exc
    with archive:
        if len(archive.infolist()) > MAX_MEMBERS:
            raise UnreadableDocument(f"{name}: {len(archive.infolist())} parts inside, more than {MAX_MEMBERS}",
                                     f"文件“{name}”内部结构异常（部件过多）。")
        out: list[str] = []
        number = 0
        for doc_root in _children(_part(name, archive, "OFD.xml"), "DocRoot"):
            root_path = (doc_root.text or "").strip().lstrip("/")
            base = posixpath.dirname(root_path)
            document = _part(name, archive, root_path)
            pages = [p for p in _children(document, "Page") if p.get("BaseLoc")]
            if number + len(pages) > MAX_PAGES:
                raise UploadTooLarge(f"{name}: more than {MAX_PAGES} pages", f"文件“{name}”页数过多（超过 {MAX_PAGES} 页）。",
                                     limit=MAX_PAGES)
            for page in pages:
                number += 1
                location = page.get("BaseLoc").strip()
                path = location.lstrip("/") if location.startswith("/") else posixpath.join(base, location)
                out.append(f"# Page {number}:")
                out.extend(page_lines(_part(name, archive, posixpath.normpath(path))))
    if number == 0:
        raise UnreadableDocument(f"{name}: no pages found (OFD.xml names no document with pages)",
                                 f"OFD 文件“{name}”中没有页面。")
    log.info("%s: OFD of %d pages", name, number)
    return "\n".join(out) + "\n", number
