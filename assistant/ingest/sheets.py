"""A spreadsheet (.xlsx) → its rows as tab-separated lines, the form every table takes here.

Each sheet is read in order: its caption on a line of its own (a title row above the header, one
filled cell; else the sheet's name, unless a default "Sheet1"), then its rows, the first of them
naming the columns. `tables.py` makes the clauses: one per row (rows under an
entry with an empty 序号 belong to it), the columns of a 牵头单位 / 责任单位 / 完成时限 header
becoming the same fields and facts as in a converted PDF table. A cell's notes in brackets are dropped from the header ("完成时限（2024年）" → "完成时限");
dates are written as Chinese dates ("2024年3月31日") and whole numbers without ".0".

The workbook is read with openpyxl in read-only mode with cached values (no formulas run), and
only after its zip directory passes the limits below (parts, unpacked size, inflation ratio), so a
zip bomb is refused without inflating anything; rows, columns and characters are capped too.
openpyxl parses the XML through defusedxml: no entities, no network.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from typing import Any

from assistant.errors import UnreadableDocument, UploadTooLarge

MAX_PARTS = 2000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200.0
MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_CHARS = 2_000_000
_NOTE = re.compile(r"\s*[（(][^）)]*[）)]\s*$")
_DEFAULT_SHEET = re.compile(r"^(?:sheet|工作表)\s*\d*$", re.IGNORECASE)


def check_workbook(name: str, data: bytes) -> None:
    """Refuse a workbook whose zip directory promises too much, before anything is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableDocument(f"{name}: not a readable spreadsheet ({exc})", f"无法解析表格文件“{name}”。") from exc
    if len(members) > MAX_PARTS:
        raise UnreadableDocument(f"{name}: {len(members)} parts inside, more than {MAX_PARTS}",
                                 f"表格文件“{name}”内部结构异常（部件过多）。")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise UploadTooLarge(f"{name}: {total} bytes once unpacked, more than {MAX_UNPACKED_BYTES}",
                             f"表格文件“{name}”解压后过大（超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB）。",
                             limit=MAX_UNPACKED_BYTES)
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise UploadTooLarge(f"{name}: part {m.filename} inflates {m.file_size / max(m.compress_size, 1):.0f}"
                                 f" times, more than {MAX_RATIO:.0f}",
                                 f"表格文件“{name}”压缩比异常（疑似压缩炸弹），已拒绝。")


def cell_text(value: Any) -> str:
    """A cell as text: a Chinese date, a whole number without ".0", whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return re.sub(r"\s+", " ", str(value)).strip()


def _header(cells: list[str]) -> list[str]:
    return [_NOTE.sub("", c).strip() or c for c in cells]


def sheet_text(name: str, data: bytes) -> str:
    """Every sheet of a workbook: its name, then its rows as tab-separated lines."""
    check_workbook(name, data)
    import openpyxl

    out: list[str] = []
    chars = rows_read = 0
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # a broken workbook fails in many ways inside openpyxl
        raise UnreadableDocument(f"{name}: not a readable spreadsheet ({type(exc).__name__}: {exc})",
                                 f"无法解析表格文件“{name}”。") from exc
    try:
        title = cell_text(workbook.properties.title) if workbook.properties else ""
        if title:
            out.append(title)
        for sheet in workbook.worksheets:
            rows: list[list[str]] = []
            for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                rows_read += 1
                if rows_read > MAX_ROWS:
                    raise UploadTooLarge(f"{name}: more than {MAX_ROWS} rows", f"表格文件“{name}”行数过多（超过 {MAX_ROWS} 行）。",
                                         limit=MAX_ROWS)
                cells = [cell_text(v) for v in values]
                chars += sum(len(c) for c in cells)
                if chars > MAX_CHARS:
                    raise UploadTooLarge(f"{name}: more than {MAX_CHARS} characters of text",
                                         f"表格文件“{name}”文字过多（超过 {MAX_CHARS} 字）。", limit=MAX_CHARS)
                if any(cells):
                    rows.append(cells)
            out.append("")
            # A title row above the header (one cell, merged across the columns) is the caption;
            # without one, the sheet's own name (unless a default "Sheet1").
            captions = []
            while len(rows) > 1 and sum(1 for c in rows[0] if c) == 1:
                captions.append(next(c for c in rows.pop(0) if c))
            if not captions and rows and not _DEFAULT_SHEET.match(sheet.title.strip()):
                captions.append(sheet.title.strip())
            out.extend(captions)
            if not rows:
                continue
            width = max(max((i + 1 for i, c in enumerate(row) if c), default=0) for row in rows)
            rows = [(row + [""] * width)[:width] for row in rows]
            rows[0] = _header(rows[0])
            out.extend("\t".join(c.replace("\t", " ") for c in row) for row in rows)
    except (UploadTooLarge, UnreadableDocument):
        raise
    except Exception as exc:
        raise UnreadableDocument(f"{name}: not a readable spreadsheet ({type(exc).__name__}: {exc})",
                                 f"无法解析表格文件“{name}”。") from exc
    finally:
        workbook.close()
    return "\n".join(out).strip("\n") + "\n"
