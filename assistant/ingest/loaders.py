"""Files → text in the corpus's own convention, so every format goes through the same parsing.

- `.txt` / `.md`: UTF-8 or GB18030 (GBK) text as it is; Markdown pipe tables become tab-separated
  rows, the rest of the markup is cleaned by the parser.
- `.pdf`: text PDFs, page by page, each page opened by a `# Page N:` marker (pages are kept on
  clauses); ruled tables become tab-separated rows; running page numbers ("- 3 -") are dropped.
  Line breaks are left as the PDF has them: the parser's `pdf` layout repairs them.
- `.docx`: paragraphs in order, tables as tab-separated rows whose first row names the columns.
- Scanned PDF pages (no text layer) and images (`.png`, `.jpg`) are read by OCR (`ocr.py`);
  `.ofd` (GB/T 33190) by `ofd.py`. Both open each page with `# Page N:` like a PDF.
- `.html` / `.htm`: the article of a saved web page (`web.py`); a page saved as `.txt` is text.
- `.xlsx`: each sheet's rows as tab-separated rows under its header row (`sheets.py`).

The type is told by the file's content, not its name; a file that is not what its name says, or
that holds no text, raises `UnreadableDocument` with the reason.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UnreadableDocument
from assistant.ingest.markdown import markdown_tables
from assistant.ingest.ocr import sniff_image
from assistant.ingest.sheets import sheet_text
from assistant.ingest.web import html_text, looks_like_html

log = logging.getLogger(__name__)

SUFFIXES = {".txt": "text", ".md": "text", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html",
            ".xlsx": "xlsx", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".ofd": "ofd"}
_PAGE_NUMBER = re.compile(r"^[\s\-—－·•]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?[\s\-—－·•]*$")


@dataclass(frozen=True)
class LoadedText:
    text: str
    layout: str  # the parser layout: "text" | "table" | "pdf"
    kind: str  # what the content is: "text" | "pdf" | "docx" | "html" | "xlsx" | "png" | "jpeg" | "ofd"
    pages: int | None = None


def sniff(data: bytes) -> str:
    """What the bytes are: "pdf", "docx", "xlsx", "ofd", "html", "png", "jpeg", "text", or "" when none."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except Exception:  # a torn archive fails in many ways (BadZipFile, NotImplementedError, …)
            return ""
        if "word/document.xml" in names:
            return "docx"
        return "xlsx" if "xl/workbook.xml" in names else "ofd" if "OFD.xml" in names else ""
    if image := sniff_image(data):
        return image
    if b"\x00" in data[:4096]:
        return ""
    text = decode_text(data)
    if text is None:
        return ""
    return "html" if looks_like_html(text) else "text"


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GB18030 (which covers GBK and GB2312, as government
    offices often save text); None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def check_type(name: str, data: bytes) -> str:
    """The content kind of a file called `name`, refusing names and contents that disagree."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableDocument(f"{name}: unsupported file type {suffix or '(none)'}; use one of "
                                 f"{', '.join(SUFFIXES)}",
                                 f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 {'、'.join(SUFFIXES)} 文件。")
    if not data.strip():
        raise UnreadableDocument(f"{name} is empty", f"文件“{name}”是空的。")
    kind = sniff(data)
    expected = SUFFIXES[suffix]
    if kind == "html" and expected == "text":  # a page saved as .txt is read as the text it is
        kind = "text"
    if kind != expected:
        found = {"pdf": "a PDF", "docx": "a Word document", "xlsx": "a spreadsheet", "html": "a web page",
                 "png": "a PNG picture", "jpeg": "a JPEG picture", "ofd": "an OFD document",
                 "text": "text", "": "neither text, PDF, Word, a spreadsheet, OFD nor a picture"}[kind]
        raise UnreadableDocument(f"{name} is named {suffix} but its content is {found}",
                                 f"文件“{name}”的扩展名是 {suffix}，但内容不是该类型。")
    return kind


def load_bytes(name: str, data: bytes) -> LoadedText:
    kind = check_type(name, data)
    if kind == "pdf":
        loaded = _pdf(name, data)
    elif kind == "docx":
        loaded = _docx(name, data)
    elif kind == "html":
        text = html_text(name, data, decode_text(data) or "")
        loaded = LoadedText(text, "table" if "\t" in text else "text", "html")
    elif kind == "xlsx":
        loaded = LoadedText(sheet_text(name, data), "table", "xlsx")
    elif kind in ("png", "jpeg"):
        from assistant.ingest.ocr import image_text

        loaded = LoadedText(image_text(name, data), "pdf", kind, 1)
    elif kind == "ofd":
        from assistant.ingest.ofd import read_ofd

        text, pages = read_ofd(name, data)
        loaded = LoadedText(text, "pdf", "ofd", pages)
    else:
        text = decode_text(data) or ""
        if Path(name).suffix.lower() == ".md":
            text = markdown_tables(text)
        loaded = LoadedText(text, "table" if "\t" in text else "text", "text")
    if not loaded.text.strip() or not re.search(r"[\u4e00-\u9fff]", loaded.text):
        raise UnreadableDocument(f"{name}: no Chinese text found", f"文件“{name}”中没有可读取的中文文字。")
    return loaded


def load_file(path: Path) -> LoadedText:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(f"cannot read {path}: {exc.strerror}", f"无法读取文件“{path.name}”。") from exc
    return load_bytes(path.name, data)


def _cell(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _pdf(name: str, data: bytes) -> LoadedText:
    import pdfplumber

    texts: dict[int, list[str]] = {}
    pictures: list[int] = []  # pages with no text layer but an image: a scan, read by OCR
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                texts[page.page_number] = _pdf_page(page)
                if not page.chars and page.images:
                    pictures.append(page.page_number)
            pages = len(pdf.pages)
    except Exception as exc:  # a broken file can fail anywhere inside pdfminer
        raise UnreadableDocument(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})",
                                 f"无法解析 PDF 文件“{name}”。") from exc
    if pictures:
        from assistant.ingest.ocr import pdf_picture_pages

        for number, text in pdf_picture_pages(name, data, pictures):
            texts[number] = _strip_page_numbers(text.splitlines())
    out = [line for number in sorted(texts) for line in (f"# Page {number}:", *texts[number])]
    return LoadedText("\n".join(out) + "\n", "pdf", "pdf", pages)


def _pdf_page(page) -> list[str]:  # type: ignore[no-untyped-def]
    """One page's lines top to bottom: text outside tables, and each ruled table as tab rows."""
    tables = page.find_tables()
    rest = page
    for table in tables:
        rest = rest.outside_bbox(table.bbox)
    items: list[tuple[float, list[str]]] = []
    for table in tables:
        rows = ["\t".join(_cell(c) for c in row) for row in table.extract() if any(_cell(c) for c in row)]
        if rows:
            items.append((table.bbox[1], rows))
    for line in rest.extract_text_lines(layout=False, strip=True):
        items.append((line["top"], [line["text"]]))
    items.sort(key=lambda item: item[0])
    return _strip_page_numbers([text for _top, rows in items for text in rows])


def _strip_page_numbers(lines: list[str]) -> list[str]:
    """Running page numbers stand alone at the top or the foot of a page."""
    while lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return lines


def _docx(name: str, data: bytes) -> LoadedText:
    import docx

    try:
        return LoadedText("\n".join(_docx_lines(docx.Document(io.BytesIO(data)))) + "\n", "table", "docx")
    except Exception as exc:  # a broken file can fail anywhere inside python-docx and lxml
        raise UnreadableDocument(f"{name}: not a readable Word document ({type(exc).__name__}: {exc})",
                                 f"无法解析 Word 文件“{name}”。") from exc


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# What a run's children say, as python-docx's Run.text reads them; deleted text (w:delText) says nothing.
_RUN_CHILDREN = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-", _W + "ptab": "\t"}


def _paragraph_text(p) -> str:  # type: ignore[no-untyped-def]
    """A paragraph's text read straight from its XML, as python-docx's Paragraph.text reads it (runs,
    hyperlinks' runs, tabs and breaks) but without building an object per run: a document of 10^5
    paragraphs is read in a tenth of the time, so a hostile one is refused in seconds."""
    out: list[str] = []
    for run in p.iter(_W + "r"):
        for child in run:
            if child.tag == _W + "t":
                out.append(child.text or "")
            else:
                out.append(_RUN_CHILDREN.get(child.tag, ""))
    return "".join(out)


def _docx_lines(document) -> list[str]:  # type: ignore[no-untyped-def]
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            out.append(_paragraph_text(block._p).strip())
        elif isinstance(block, Table):
            out.append("")
            for row in block.rows:
                cells: list[str] = []
                previous = None
                for cell in row.cells:  # a merged cell appears once per grid column it spans
                    if cell._tc is previous:
                        continue
                    previous = cell._tc
                    cells.append(_cell(cell.text))
                if any(cells):
                    out.append("\t".join(cells))
            out.append("")
    return out
