"""OCR of scanned pages and images, on pictures the tests draw themselves: lines are put back in
order with their page numbers; a PDF's text pages are never OCR'd, only its picture pages; the
sandbox bounds the pages read; fake, torn and oversized pictures are refused."""

from __future__ import annotations

import io
import time

import pytest

from assistant.errors import UnreadableDocument, UploadTooLarge
from assistant.eval.documents import make_scanned_pdf, render_page
from assistant.ingest import ocr
from assistant.ingest.loaders import check_type, load_bytes
from assistant.ingest.sandbox import Limits, load_untrusted
from assistant.lexicon.text import norm

PAGE_2 = ["二、工程建设项目审批时间压缩至30个工作日。", "牵头单位：区住建局", "完成时限：2025年6月底前"]
TEXT_PAGE = ["西安市高新区优化营商环境措施", "一、企业开办全流程1个工作日办结。"]


def png(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    render_page(lines).save(buffer, "PNG")
    return buffer.getvalue()


def box(x: float, y: float, text: str, h: float = 40, w_per_char: float = 40) -> list:  # type: ignore[type-arg]
    w = w_per_char * len(text)
    return [[[x, y], [x + w, y], [x + w, y + h], [x, y + h]], text, 0.95]


def test_boxes_become_lines_top_to_bottom_and_cells_become_tabs():
    boxes = [box(100, 300, "第二行"), box(100, 100, "第一行前半"), box(300, 104, "后半"),
             box(900, 302, "远处的格"), box(100, 500, "低分", h=40), box(100, 700, "  ")]
    boxes[4][2] = 0.2  # a low-confidence box is dropped
    assert ocr.join_lines(boxes) == ["第一行前半后半", "第二行\t远处的格"]


def test_a_picture_is_read_with_its_lines_and_page():
    loaded = load_bytes("notice.png", png(PAGE_2))
    assert loaded.kind == "png" and loaded.pages == 1 and loaded.text.startswith("# Page 1:\n")
    assert norm("工程建设项目审批时间压缩至30个工作日") in norm(loaded.text)
    assert "牵头单位" in loaded.text


def test_a_mixed_pdf_ocrs_only_its_picture_pages(tmp_path, monkeypatch):
    pdf = make_scanned_pdf(tmp_path / "mixed.pdf", [TEXT_PAGE, PAGE_2, ["三、空白以外的扫描页。"]], text_pages={1: TEXT_PAGE})
    read: list[tuple[int, int]] = []
    monkeypatch.setattr(ocr, "recognise", lambda image: read.append(image.size) or f"识别第{len(read)}张")
    loaded = load_bytes("mixed.pdf", pdf.read_bytes())
    assert len(read) == 2 and min(read[0]) > 1000  # pages 2 and 3 only, drawn at scan resolution
    assert loaded.text.splitlines() == ["# Page 1:", *TEXT_PAGE, "# Page 2:", "识别第1张", "# Page 3:", "识别第2张"]


def test_a_text_pdf_is_not_ocrd(tmp_path, monkeypatch, files):
    monkeypatch.setattr(ocr, "recognise", lambda image: pytest.fail("a text page went to OCR"))
    assert "雁塔区" in load_bytes("a.pdf", files["pdf"].read_bytes()).text


def test_a_scanned_pdf_through_the_sandbox_keeps_its_page_numbers(tmp_path):
    pdf = make_scanned_pdf(tmp_path / "scan.pdf", [TEXT_PAGE, PAGE_2])
    loaded = load_untrusted("scan.pdf", pdf.read_bytes(), Limits(seconds=20, ocr_page_seconds=60))
    page_2 = loaded.text.split("# Page 2:")[1]
    assert loaded.pages == 2 and "企业开办" in loaded.text.split("# Page 2:")[0]
    assert norm("审批时间压缩至30个工作日") in norm(page_2) and "住建局" in page_2


def test_the_ocr_page_budget_refuses_before_reading(tmp_path):
    pdf = make_scanned_pdf(tmp_path / "long.pdf", [["第一页"], ["第二页"], ["第三页"]])
    started = time.perf_counter()
    with pytest.raises(UploadTooLarge, match="3 pages need OCR"):
        load_untrusted("long.pdf", pdf.read_bytes(), Limits(ocr_pages=2))
    assert time.perf_counter() - started < 15


def test_ocr_time_is_bounded_per_page(tmp_path):
    full = [f"第{n}行：对首次获得银行贷款的小微企业按贷款利息的百分之五十给予贴息。" for n in range(22)]
    pdf = make_scanned_pdf(tmp_path / "slow.pdf", [full])  # a full page: several CPU-seconds of OCR
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="longer than"):
        load_untrusted("slow.pdf", pdf.read_bytes(), Limits(seconds=4, ocr_page_seconds=0.01))
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("name, data, why", [
    ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 100, "picture"),
    ("torn.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 500, "picture"),
])
def test_torn_pictures_are_unreadable(name, data, why):
    with pytest.raises(UnreadableDocument, match=why):
        load_bytes(name, data)


def test_a_picture_bomb_is_refused_before_it_is_decoded():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000), 1).save(buffer, "PNG")  # 144 M pixels in a few KB
    assert len(buffer.getvalue()) < 100_000
    started = time.perf_counter()
    with pytest.raises(UnreadableDocument, match="too large"):
        load_untrusted("bomb.png", buffer.getvalue())
    assert time.perf_counter() - started < 10


def test_names_and_contents_must_agree():
    with pytest.raises(UnreadableDocument, match="PNG picture"):
        check_type("notice.pdf", png(["一"]))
    with pytest.raises(UnreadableDocument, match="a PDF"):
        check_type("notice.jpg", b"%PDF-1.4\n" + b"x" * 100)
    assert check_type("notice.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 10) == "jpeg"
