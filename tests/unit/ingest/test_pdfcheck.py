"""A PDF's size is checked before it is parsed (issue 19): a page tree of a million pages, a tree
that declares fewer pages than it holds, and a content stream that inflates to 200 MB of text
operators are each refused by the sandbox in seconds, long before its reader timeout."""

from __future__ import annotations

import time

import pytest

from assistant.errors import UploadTooLarge
from assistant.ingest.pdfcheck import check_pdf
from assistant.ingest.sandbox import Limits, load_untrusted
from tests.conftest import MB, operator_bomb_pdf, page_tree_pdf, raw_pdf


def test_an_honest_small_pdf_passes_with_its_page_count():
    assert check_pdf("ok.pdf", page_tree_pdf(3, distinct=True), 1000, 64 * MB) == 3


def test_a_million_page_tree_is_refused_from_its_count():
    data = page_tree_pdf(1_000_000)
    started = time.perf_counter()
    with pytest.raises(UploadTooLarge, match="1000000 pages"):
        check_pdf("tree.pdf", data, 1000, 64 * MB)
    assert time.perf_counter() - started < 10


def test_a_tree_that_declares_one_page_is_walked_no_further_than_the_limit():
    with pytest.raises(UploadTooLarge, match="page tree"):
        check_pdf("liar.pdf", page_tree_pdf(1500, count=1, distinct=True), 1000, 64 * MB)
    assert check_pdf("fine.pdf", page_tree_pdf(50, count=1, distinct=True), 1000, 64 * MB) == 50


def test_content_streams_are_counted_inflated_and_bounded():
    bomb = operator_bomb_pdf(24 * MB)
    assert len(bomb) < MB  # small on the wire
    with pytest.raises(UploadTooLarge, match="content streams"):
        check_pdf("bomb.pdf", bomb, 1000, 16 * MB)
    assert check_pdf("bomb.pdf", bomb, 1000, 32 * MB) == 1  # under a higher limit it is just a big page


def test_the_sandbox_refuses_the_hostile_pdfs_of_issue_19_within_ten_seconds():
    for name, data in (("tree.pdf", page_tree_pdf(1_000_000)), ("operators.pdf", operator_bomb_pdf(200 * MB))):
        started = time.perf_counter()
        with pytest.raises(UploadTooLarge) as refused:
            load_untrusted(name, data, Limits())
        assert time.perf_counter() - started <= 10, name
        assert refused.value.code == "upload_too_large" and "过" in refused.value.message_zh


def test_a_broken_pdf_is_unreadable_not_a_crash():
    with pytest.raises(Exception) as refused:
        check_pdf("torn.pdf", raw_pdf([b"<</Type/Catalog/Pages 9 0 R>>"])[:-40], 1000, 64 * MB)
    assert getattr(refused.value, "code", "") == "unreadable_document"
