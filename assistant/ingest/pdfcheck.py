"""A PDF's size checked before it is parsed: its page count and its content streams.

Run in the sandbox child before pdfplumber lays out any page, so a hostile PDF (a page tree of a
million pages, hundreds of MB of text operators behind a small compressed stream) is refused in
seconds, not at the reader's timeout:

- the page count PDFium reads from the page tree's root (`/Count`), then pdfminer's walk of the
  tree stopped one page past the limit (a tree whose `/Count` lies is walked no further);
- each page's content streams, inflated through a bounded zlib (never more than the bytes still
  allowed), summed over the document.
"""

from __future__ import annotations

import io
import itertools
import logging
import zlib
from typing import Any

from assistant.errors import UnreadableDocument, UploadTooLarge

log = logging.getLogger(__name__)


def _too_many(name: str, pages: int | None, limit: int) -> UploadTooLarge:
    found = f"{pages} pages" if pages is not None else "a page tree of more pages than it declares"
    return UploadTooLarge(f"{name}: {found}, more than {limit}", f"文件“{name}”页数过多（超过 {limit} 页）。",
                          limit=limit)


def _stream_size(stream: Any, allowed: int) -> int:
    """Bytes the stream's data decodes to, counted no further than `allowed` + 1."""
    from pdfminer.pdftypes import resolve1

    raw = stream.rawdata if stream.rawdata is not None else (stream.data or b"")
    filters = resolve1(stream.attrs.get("Filter") or stream.attrs.get("F"))
    names = [getattr(f, "name", str(f)) for f in (filters if isinstance(filters, list) else [filters] if filters else [])]
    if not names:
        return len(raw)
    if names[0] not in ("FlateDecode", "Fl"):
        return len(raw)  # other filters are rare for content and expand little; pdfminer bounds them
    inflater = zlib.decompressobj()
    size, chunk = 0, raw
    try:
        while chunk and size <= allowed:
            out = inflater.decompress(chunk, min(allowed + 1 - size, 1 << 22))
            size += len(out)
            chunk = inflater.unconsumed_tail
    except zlib.error:
        return size  # pdfminer reads what it can of a damaged stream; counted as far as it goes
    return size


def check_pdf(name: str, data: bytes, max_pages: int, max_content_bytes: int) -> int:
    """Refuse a PDF over `max_pages` pages or `max_content_bytes` of content streams; its page count."""
    import pypdfium2 as pdfium
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        declared = len(pdfium.PdfDocument(data))
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"{name}: not a readable PDF ({exc})", f"无法解析 PDF 文件“{name}”。") from exc
    if declared > max_pages:
        raise _too_many(name, declared, max_pages)
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        pages = list(itertools.islice(PDFPage.create_pages(document), max_pages + 1))
    except UploadTooLarge:
        raise
    except Exception as exc:  # a broken file can fail anywhere inside pdfminer
        raise UnreadableDocument(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})",
                                 f"无法解析 PDF 文件“{name}”。") from exc
    if len(pages) > max_pages:
        raise _too_many(name, None, max_pages)
    total = 0
    for page in pages:
        for stream in page.contents or []:
            stream = resolve1(stream)
            if not hasattr(stream, "attrs"):
                continue
            total += _stream_size(stream, max_content_bytes - total)
            if total > max_content_bytes:
                raise UploadTooLarge(f"{name}: page content streams hold more than {max_content_bytes} bytes",
                                     f"文件“{name}”页面内容过大（超过 {max_content_bytes // (1024 * 1024)} MB）。",
                                     limit=max_content_bytes)
    log.debug("%s: %d pages, %d bytes of content", name, len(pages), total)
    return len(pages)
