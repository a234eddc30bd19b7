"""Text from pictures: scanned PDF pages and images (.png, .jpg), read offline by RapidOCR.

RapidOCR (`rapidocr-onnxruntime`) runs PaddleOCR's PP-OCRv4 Chinese detection and recognition
models on onnxruntime; the models ship inside its wheel, so nothing is fetched at run time.
It was chosen over Debian's tesseract + chi_sim by `scripts/ocr_bench.py` (the corpus's own
pages drawn as scans): see the README's note on OCR for the figures.

- A PDF page that has a text layer is read from it, never OCR'd; a page with no text (a scan)
  is drawn at `DPI` and recognised. A mixed PDF OCRs only its picture pages.
- The boxes the detector finds are put back into lines top to bottom, left to right; boxes far
  apart on one line (a table's cells) are joined by a tab, as the parser reads table rows.
- Every page keeps its number: the caller writes `# Page N:` before each page's lines.
- The engine loads once per process, late (the first picture), and uses at most `THREADS`
  threads; how many pages may be OCR'd and how long each may take are the sandbox's limits.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from assistant.errors import UnreadableDocument, UploadTooLarge

log = logging.getLogger(__name__)

DPI = 200  # a scan's usual resolution; 16-pt 公文 characters are then ~44 px high
THREADS = 2
MAX_IMAGE_PIXELS = 60_000_000  # a picture larger than this (e.g. 7,750 × 7,750) is refused
IMAGE_SUFFIXES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}
_MIN_SCORE = 0.5


@dataclass(frozen=True)
class Budget:
    """How many pages one file may have OCR'd, and whom to tell how many before starting (the
    sandbox's parent, which then allows that many more page-times)."""

    max_pages: int = 100
    announce: Callable[[int], None] | None = None


budget: ContextVar[Budget | None] = ContextVar("ocr_budget", default=None)


def _claim(name: str, pages: int) -> None:
    current = budget.get() or Budget()
    if pages > current.max_pages:
        raise UploadTooLarge(f"{name}: {pages} pages need OCR, more than {current.max_pages}",
                             f"文件“{name}”需要文字识别的扫描页过多（超过 {current.max_pages} 页）。",
                             limit=current.max_pages)
    log.info("%s: OCR of %d page(s)", name, pages)
    if current.announce:
        current.announce(pages)


def sniff_image(data: bytes) -> str:
    """"png", "jpeg", or "" when the bytes are neither."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return ""


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # Pages are upright (no angle classifier); the detector sees the page at most 1,280 px high
    # (characters stay ~24 px), the recogniser reads each line from the full picture.
    return RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=1, use_cls=False,
                    det_limit_type="max", det_limit_side_len=1280)


def recognise(image: Any) -> str:
    """One picture (PIL image or numpy array) → its text, one line per line of the picture."""
    import numpy as np

    array = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else np.asarray(image)
    result, _elapsed = _engine()(array)
    return "\n".join(join_lines(result or []))


def join_lines(boxes: list[Any]) -> list[str]:
    """Detector boxes ([corners, text, score]) → lines: boxes whose vertical middles lie within
    half a line height of each other form one line, read left to right; a gap wider than two
    characters between two boxes becomes a tab (a table's columns)."""
    items = []
    for corners, text, score in boxes:
        if float(score) < _MIN_SCORE or not str(text).strip():
            continue
        ys = [float(p[1]) for p in corners]
        xs = [float(p[0]) for p in corners]
        items.append((min(ys), max(ys), min(xs), max(xs), str(text).strip()))
    items.sort(key=lambda it: (it[0] + it[1]) / 2)
    rows: list[list[tuple[float, float, float, float, str]]] = []
    for item in items:
        middle, height = (item[0] + item[1]) / 2, item[1] - item[0]
        if rows:
            last = rows[-1]
            last_middle = sum((it[0] + it[1]) / 2 for it in last) / len(last)
            if abs(middle - last_middle) < max(height, last[0][1] - last[0][0]) / 2:
                last.append(item)
                continue
        rows.append([item])
    lines = []
    for row in rows:
        row.sort(key=lambda it: it[2])
        parts = [row[0][4]]
        for previous, item in zip(row, row[1:], strict=False):
            char = max((previous[3] - previous[2]) / max(len(previous[4]), 1), 1.0)
            parts.append(("\t" if item[2] - previous[3] > 2 * char else "") + item[4])
        lines.append("".join(parts))
    return lines


def open_image(name: str, data: bytes) -> Any:
    """The bytes as a PIL image, refusing a picture too large to read safely (a decompression bomb)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise Image.DecompressionBombError(f"{image.width} × {image.height} pixels")
        image.load()
    except Image.DecompressionBombError as exc:
        raise UnreadableDocument(f"{name}: picture too large ({exc})", f"图片“{name}”尺寸过大，已拒绝。") from exc
    except Exception as exc:  # a torn or fake picture fails in many ways inside PIL
        raise UnreadableDocument(f"{name}: not a readable picture ({type(exc).__name__}: {exc})",
                                 f"无法读取图片“{name}”。") from exc
    return image


def image_text(name: str, data: bytes) -> str:
    """An image file → `# Page 1:` and its lines."""
    image = open_image(name, data)
    _claim(name, 1)
    return "# Page 1:\n" + recognise(image) + "\n"


def pdf_picture_pages(name: str, data: bytes, numbers: list[int]) -> Iterator[tuple[int, str]]:
    """The text of the PDF's pages `numbers` (1-based), each drawn at `DPI` and recognised, in
    order, within the page budget. A tqdm bar shows on a terminal when there are several pages."""
    import pypdfium2 as pdfium
    from tqdm import tqdm

    _claim(name, len(numbers))
    document = pdfium.PdfDocument(data)
    try:
        bar = tqdm(numbers, desc="OCR", unit="page", disable=len(numbers) < 3, leave=False)
        for number in bar:
            page = document[number - 1]
            try:
                image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            finally:
                page.close()
            yield number, recognise(image)
    finally:
        document.close()
