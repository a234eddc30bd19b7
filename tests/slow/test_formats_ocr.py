"""Scanned PDFs, pictures and OFD files added to a tiny corpus and answered with citations that
keep their page (issue 20); a hostile PDF refused while another change holds the index lock, as
the file is read before the lock is taken (issue 19)."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from assistant.errors import UploadTooLarge
from assistant.eval.documents import make_ofd, make_scanned_pdf, render_page
from assistant.index.store import IndexStore
from assistant.service.assistant import Assistant
from assistant.service.library import Metadata
from tests.conftest import operator_bomb_pdf
from tests.slow.tiny_corpus import tiny_corpus

COVER = ["西安市高新区人民政府办公室", "关于印发高新区住房公积金服务提升措施的通知"]
ITEM = ["二、高新区住房公积金个人贷款审批5个工作日办结。", "牵头单位：高新区公积金管理部"]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = tiny_corpus(tmp_path_factory.mktemp("formats"), build_wait_seconds=60.0)
    return Assistant(settings)


def test_a_scanned_pdf_is_answered_with_the_page_it_was_read_from(library: Assistant, tmp_path: Path):
    pdf = make_scanned_pdf(tmp_path / "高新区公积金.pdf", [COVER, ITEM])
    spec, _ = library.add_document(pdf.name, pdf.read_bytes(), Metadata(region="西安"))
    answer = library.ask("高新区住房公积金个人贷款审批要多久？")
    top = answer.citations[0]
    assert top.document.id == spec.id and top.clause.page == 2, (top.document.id, top.clause.page, top.clause.text)
    assert "5个工作日" in top.clause.text


def test_a_picture_and_an_ofd_are_answered_with_their_citations(library: Assistant, tmp_path: Path):
    buffer = io.BytesIO()
    render_page(["西安市咸宁路街道便民服务措施", "一、居住证签注1个工作日办结。"]).save(buffer, "PNG")
    picture, _ = library.add_document("居住证.png", buffer.getvalue(), Metadata(region="西安"))
    ofd = make_ofd(tmp_path / "电力.ofd", [["西安市供电服务提升措施", "一、总则"],
                                          ["二、高压用电报装15个工作日办结。", "牵头单位：国网西安供电公司"]])
    ofd_spec, _ = library.add_document(ofd.name, ofd.read_bytes(), Metadata(region="西安"))

    top = library.ask("居住证签注要多久？").citations[0]
    assert top.document.id == picture.id and top.clause.page == 1
    top = library.ask("高压用电报装要多久？").citations[0]
    assert top.document.id == ofd_spec.id and top.clause.page == 2 and "15个工作日" in top.clause.text


def test_a_hostile_pdf_is_refused_while_another_change_holds_the_lock(library: Assistant):
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with IndexStore(library.settings.index_dir).lock():
            held.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        started = time.perf_counter()
        with pytest.raises(UploadTooLarge):
            library.add_document("operators.pdf", operator_bomb_pdf(), Metadata(region="西安"))
        assert time.perf_counter() - started <= 10  # not the 60 s build_wait_seconds of waiting on the lock
    finally:
        release.set()
        holder.join()
