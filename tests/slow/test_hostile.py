"""Hostile files against a real server: a Word zip bomb, a PDF of 5,000 blank pages, a PDF page
tree of a million pages, 200 MB of PDF text operators, an OFD zip bomb, a picture bomb, a region
name of 10,000 characters, an impossible date. Each is refused in seconds with a clear 4xx, the
server's memory barely moves, and other questions are answered meanwhile. (The sandbox's own
checks, without a server, are in tests/unit/ingest/test_sandbox.py.)"""

from __future__ import annotations

import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import MB, blank_pdf, operator_bomb_pdf, page_tree_pdf, process_rss, zip_bomb

pytestmark = pytest.mark.integration

TOKEN = "hostile-secret-Vb71xQp2"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(built_settings, tmp_path_factory) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    from tests.conftest import serving

    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(built_settings.corpus_dir, root / "corpus")
    shutil.copytree(built_settings.index_dir, root / "index")
    env = {"ASSISTANT_CORPUS_DIR": str(root / "corpus"), "ASSISTANT_INDEX_DIR": str(root / "index"),
           "ASSISTANT_DATA_DIR": str(root / "data"), "ASSISTANT_ADMIN_TOKEN": TOKEN,
           "ASSISTANT_RATE_LIMIT_ADMIN": "1000/minute"}
    with serving(env, root / "server.log") as url:
        yield url, root


def upload_while_asking(url: str, name: str, data: bytes, **form: str) -> tuple[httpx.Response, float, list[int]]:
    """Upload `data`; meanwhile another client keeps asking. Returns the upload's answer, its
    seconds, and the status of every question asked meanwhile."""
    statuses: list[int] = []
    done = threading.Event()

    def ask() -> None:
        with httpx.Client(base_url=url, timeout=10) as http:
            while True:  # at least once, however fast the upload is refused
                statuses.append(http.post("/api/ask", json={"question": "泾河新城开办企业要多久？"}).status_code)
                if done.is_set():
                    break
                time.sleep(0.2)

    asker = threading.Thread(target=ask)
    asker.start()
    started = time.perf_counter()
    try:
        response = httpx.post(url + "/api/documents", files={"file": (name, data)}, data=form, headers=AUTH,
                              timeout=60)
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        asker.join()
    return response, elapsed, statuses


def many_paragraphs_docx(path: Path, paragraphs: int = 100_000) -> Path:
    """A small .docx (about 290 KB) of `paragraphs` tiny paragraphs: legal, but a clause each."""
    from copy import deepcopy

    import docx

    document = docx.Document()
    first = document.add_paragraph("（1）事项。")._p
    for i in range(1, paragraphs):  # lxml directly: python-docx's add_paragraph is quadratic
        paragraph = deepcopy(first)
        paragraph.xpath(".//w:t")[0].text = f"（{i % 999 + 1}）事项。"
        first.getparent()[-1].addprevious(paragraph)  # before the section properties
    document.save(path)
    return path


def hostile_file(kind: str, folder: Path) -> Path:
    if kind == "100000 paragraphs":
        return many_paragraphs_docx(folder / "paragraphs-bomb.docx")
    if kind == "zip bomb":
        return zip_bomb(folder / "bomb.docx")
    if kind == "5000 blank pages":
        return blank_pdf(folder / "blank.pdf")
    if kind == "ofd zip bomb":  # an OFD whose document part inflates to 200 MB
        with zipfile.ZipFile(folder / "bomb.ofd", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("OFD.xml", "<OFD/>")
            with archive.open("Doc_0/Document.xml", "w", force_zip64=True) as member:
                for _ in range(200):
                    member.write(b" " * MB)
        return folder / "bomb.ofd"
    if kind == "picture bomb":
        from PIL import Image

        Image.new("1", (12_000, 12_000), 1).save(folder / "bomb.png", "PNG")
        return folder / "bomb.png"
    path = folder / ("tree-bomb.pdf" if kind == "million-page tree" else "operators-bomb.pdf")
    path.write_bytes(page_tree_pdf() if kind == "million-page tree" else operator_bomb_pdf())
    return path


@pytest.mark.parametrize("kind", ["zip bomb", "5000 blank pages", "million-page tree", "200 MB of text operators",
                                  "ofd zip bomb", "picture bomb", "100000 paragraphs"])
def test_a_hostile_file_is_refused_in_seconds_without_moving_memory(server, tmp_path, kind):
    url, root = server
    path = hostile_file(kind, tmp_path)
    before = process_rss(url.pid)  # type: ignore[attr-defined]
    response, seconds, meanwhile = upload_while_asking(url, path.name, path.read_bytes(), region="西安")
    assert response.status_code in (413, 422), response.text
    assert response.json()["error"]["message_zh"]
    assert seconds <= 10, seconds
    assert process_rss(url.pid) - before < 200 * MB  # type: ignore[attr-defined]
    assert meanwhile and all(s == 200 for s in meanwhile)
    assert not any(p.name.endswith(path.suffix) and "bomb" in p.name for p in (root / "corpus").iterdir())


def test_metadata_is_bounded_and_dates_are_real(server, tmp_path):
    url, _root = server
    text = "西安市优化营商环境若干措施\n一、企业开办全流程1个工作日办结。\n".encode()
    started = time.perf_counter()
    long_region = httpx.post(url + "/api/documents", files={"file": ("a.txt", text)}, data={"region": "区" * 10_000},
                             headers=AUTH, timeout=30)
    assert long_region.status_code == 400 and time.perf_counter() - started < 2
    for bad in ("9999-99-99", "2023-02-30", "2023-1-5"):
        dated = httpx.post(url + "/api/documents", files={"file": ("a.txt", text)},
                           data={"region": "西安", "date": bad}, headers=AUTH, timeout=30)
        assert dated.status_code == 400, (bad, dated.text)
    assert httpx.post(url + "/api/documents", files={"file": ("a.txt", text)},
                      data={"region": "西安", "title": "标题\n换行"}, headers=AUTH).status_code == 400
