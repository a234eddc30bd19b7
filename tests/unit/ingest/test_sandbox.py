"""Hostile files refused by the sandbox before they cost anything: a zip bomb by its directory,
a PDF with too many pages by the reader child (the upload tests against a server are in
tests/slow/test_hostile.py)."""

from __future__ import annotations

import time

import pytest

from assistant.ingest.sandbox import Limits, check_zip, load_untrusted
from tests.conftest import MB, blank_pdf, zip_bomb


def test_zip_directory_checks_refuse_before_inflating(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.docx", inflated=20 * MB)
    started = time.perf_counter()
    with pytest.raises(Exception) as refused:
        check_zip("bomb.docx", bomb.read_bytes(), Limits())
    assert "压缩" in str(refused.value) and time.perf_counter() - started < 1
    small = Limits(zip_uncompressed_bytes=10 * MB)
    with pytest.raises(Exception, match="unpacked"):
        check_zip("bomb.docx", bomb.read_bytes(), small)


def test_the_reader_child_is_bounded_in_time_and_pages(tmp_path):
    pdf = blank_pdf(tmp_path / "many.pdf", pages=30)
    with pytest.raises(Exception, match="pages"):
        load_untrusted("many.pdf", pdf.read_bytes(), Limits(pdf_pages=20))
    garbage = b"%PDF-1.4\n" + bytes(range(256)) * 100
    with pytest.raises(Exception) as unreadable:
        load_untrusted("broken.pdf", garbage)
    assert getattr(unreadable.value, "code", "") in ("unreadable_document", "upload_too_large")
    text = "西安市优化营商环境若干措施\n一、企业开办全流程1个工作日办结。\n".encode()
    assert "1个工作日" in load_untrusted("ok.txt", text).text
