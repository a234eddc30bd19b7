"""Fixtures shared by tests/unit, tests/integration and tests/slow: isolated paths for every test,
one real index built per session, documents made on the spot; and the helpers several test modules
use (a served process, hostile files, the API's error shape, the shared dev sets)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.eval.documents import make_docx, make_pdf
from assistant.settings import REPO_ROOT, Settings, get_settings

DEV_SET = REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl"
GOLD = (REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl", REPO_ROOT.parent / "shared" / "eval" / "dev2.jsonl")
needs_gold = pytest.mark.skipif(not all(p.is_file() for p in GOLD),
                                reason="../shared/eval/dev.jsonl and dev2.jsonl are not beside this checkout")
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes into the repository: the default index lives in a temp folder."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The real corpus, the real trained embedder, built once into a temp folder."""
    from assistant.index.build import build_index

    settings = Settings(index_dir=tmp_path_factory.mktemp("built") / "index")
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def assistant(built_settings: Settings):  # type: ignore[no-untyped-def]
    from assistant.service.assistant import Assistant

    return Assistant(built_settings)


@pytest.fixture(scope="session")
def milvus_assistant(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The same built index searched through Milvus Lite (a real Milvus, in process)."""
    from assistant.service.assistant import Assistant

    data = tmp_path_factory.mktemp("milvus")
    return Assistant(built_settings.model_copy(update={"search_backend": "milvus", "data_dir": data,
                                                       "milvus_uri": str(data / "milvus.db")}))


@pytest.fixture(params=["inprocess", "milvus"])
def any_backend(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The assistant on each search backend in turn."""
    return request.getfixturevalue("assistant" if request.param == "inprocess" else "milvus_assistant")


@pytest.fixture
def use_built_index(built_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(built_settings.index_dir))
    get_settings.cache_clear()
    return built_settings


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("generated")
    return {"pdf": make_pdf(folder / "雁塔区措施.pdf"), "docx": make_docx(folder / "碑林区融资措施.docx")}


def zip_bomb(path: Path, inflated: int = 200 * MB) -> Path:
    """A .docx whose document.xml inflates from a few hundred KB to `inflated` bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * MB
            for _ in range(inflated // MB):
                member.write(block)
    return path


def blank_pdf(path: Path, pages: int = 5000) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for _ in range(pages):
        pdf.showPage()
    pdf.save()
    return path


def code_of(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.json()["error"]["code"])


def error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The API's error shape: the status, the code, and a message in English and in Chinese."""
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    assert body["message_en"] and body["message_zh"] and body["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message_zh"])
    return body  # type: ignore[no-any-return]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_rss(pid: int) -> int:
    """A process's resident memory in bytes (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class Served(str):
    """A live server's URL, with its process id (to read its memory)."""

    pid: int = 0


@contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[Served]:
    """`assistant serve` as a user starts it, in its own process on a free loopback port; yields its URL."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    port = free_port()
    url = Served(f"http://127.0.0.1:{port}")
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
                                env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)
        url.pid = proc.pid
        try:
            deadline = time.monotonic() + 180
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}: {log_path.read_text()}")
                try:
                    if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not become ready in 180 s")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


LIVE_ADMIN_TOKEN = "live-secret-Hq72xV9mTn"
LIVE_AUTH = {"Authorization": f"Bearer {LIVE_ADMIN_TOKEN}"}


@pytest.fixture(scope="session")
def live_server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server on the session's built index, for the clients and the browser."""
    data_dir = tmp_path_factory.mktemp("live-data")
    env = {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_DATA_DIR": str(data_dir),
           "ASSISTANT_ADMIN_TOKEN": LIVE_ADMIN_TOKEN}
    with serving(env, data_dir / "server.log") as url:
        yield url


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand: `objects` numbered from 1 (1 is the catalog), an xref and a trailer."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _one_page_pdf(kids: bytes, count: int, content: bytes, filtered: bool) -> bytes:
    stream = b"<</Length %d%s>>\nstream\n" % (len(content), b"/Filter/FlateDecode" if filtered else b"")
    return raw_pdf([b"<</Type/Catalog/Pages 2 0 R>>",
                    b"<</Type/Pages/Kids[" + kids + b"]/Count %d>>" % count,
                    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
                    b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>",
                    stream + content + b"\nendstream"])


def page_tree_pdf(pages: int = 1_000_000, count: int | None = None, distinct: bool = False) -> bytes:
    """A PDF whose page tree lists `pages` pages and declares `count` of them (default: honestly):
    one page object referenced `pages` times (about 6 bytes a page), or `distinct` page objects."""
    declared = pages if count is None else count
    if not distinct:
        return _one_page_pdf(b"3 0 R " * pages, declared, b"BT /F1 12 Tf 72 712 Td (a) Tj ET", False)
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))
    return raw_pdf([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[" + kids + b"]/Count %d>>" % declared,
                    *[b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>"] * pages])


def operator_bomb_pdf(inflated: int = 200 * MB) -> bytes:
    """A one-page PDF whose content stream inflates to `inflated` bytes of text operators (a few
    hundred KB compressed)."""
    import zlib

    line = b"BT /F1 12 Tf 72 712 Td (a) Tj ET\n"
    block = line * (MB // len(line))
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(block) for _ in range(inflated // len(block))) + packer.flush()
    return _one_page_pdf(b"3 0 R", 1, packed, True)
