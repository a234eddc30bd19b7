"""Keeping the corpus current: add / retire / remove, incremental == full, atomic swap, a killed
build, a running server that picks up new builds, and the admin HTTP routes. (The loaders' tests
are in tests/unit/ingest/.)"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import faiss
import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.errors import (
    AdminDisabled,
    CorpusError,
    DocumentNotFound,
    InvalidRequest,
    Unauthorized,
    UnreadableDocument,
)
from assistant.eval.documents import DOCX_TITLE, PDF_NUMBER
from assistant.index.load import load_index, read_manifest
from assistant.index.store import IndexStore
from assistant.service.assistant import Assistant
from assistant.service.library import Library, Metadata, change
from assistant.settings import REPO_ROOT, Settings
from tests.conftest import serving

TODAY = date(2026, 11, 23)


# -- the library on a copy of the built corpus and index ------------------------------------------
def copy_of(built: Settings, root: Path, **update: object) -> Settings:
    shutil.copytree(built.corpus_dir, root / "corpus")
    shutil.copytree(built.index_dir, root / "index")
    return built.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index",
                                    "data_dir": root / "data", "today": TODAY, **update})


@pytest.fixture(scope="module")
def library(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return Assistant(copy_of(built_settings, tmp_path_factory.mktemp("library")))


def first_sentence(text: str) -> str:
    return text.split("。")[0]


def test_add_ask_retire_reinstate_remove(library: Assistant, files):
    settings = library.settings
    before = library.index.build
    spec, manifest = library.add_document(files["pdf"].name, files["pdf"].read_bytes(),
                                          Metadata(region="雁塔区", region_parent="西安"))
    # parsed: the new file alone (雁塔区 is a region the country's tree knows already, so no document
    # of the compilation can change its region)
    assert manifest["mode"] == "incremental" and manifest["reuse"]["sources_parsed"] == 1
    assert manifest["reuse"]["vectors_computed"] < 10 and manifest["reuse"]["vectors_reused"] > 2000
    assert library.index.build == manifest["build"] != before  # served before add_document returned
    assert (settings.corpus_dir / spec.file).is_file() and spec.doc_number == PDF_NUMBER
    docx, _ = library.add_document(files["docx"].name, files["docx"].read_bytes())
    assert docx.region == "碑林区" and docx.title == DOCX_TITLE  # read from its issuer (the region tree knows 碑林区)

    answer = library.ask("雁塔区企业迁移登记要多久？")
    top = answer.citations[0]
    assert top.document.id == spec.id and top.clause.page == 1 and top.document.region == "雁塔区"
    assert "1个工作日" in first_sentence(answer.text)
    assert "（文件日期：2025年3月10日；截至2026年11月23日，完成时限“2025年6月底前”已过" in answer.text

    loan = library.ask("碑林区应急转贷资金规模不低于多少？")
    assert loan.citations[0].document.id == docx.id and "5000万元" in first_sentence(loan.text)
    row = library.ask("碑林区政府性融资担保费率是多少？").citations[0].clause
    assert dict(row.fields)["担保费率"] == "不超过1%" and row.path.startswith("附表")
    assert row.text == "担保类型：政府性融资担保；担保费率：不超过1%；责任单位：区财政局"  # the row with its column names
    cell = library.ask("雁塔区餐饮店开办一件事承诺时限是多久？").citations[0].clause
    assert "承诺时限：3个工作日" in cell.text and cell.page == 1

    library.retire_document(spec.id)
    gone = library.ask("雁塔区企业迁移登记要多久？")
    assert all(c.document.id != spec.id for c in gone.citations)
    shown = library.ask("雁塔区企业迁移登记要多久？", include_retired=True)
    assert shown.citations[0].document.status == "已废止" and "所引文件已废止" in shown.text
    assert library.search("企业迁移登记", document=spec.id)[0].clause.doc_id == spec.id  # named: shown

    library.reinstate_document(spec.id)
    assert library.ask("雁塔区企业迁移登记要多久？").citations[0].document.id == spec.id
    library.retire_document(spec.id, superseded_by=docx.id)
    replaced = library.ask("雁塔区企业迁移登记要多久？", include_retired=True)
    assert replaced.citations[0].document.status == "被替代" and f"已由《{DOCX_TITLE}》替代" in replaced.text

    removed, _ = library.remove_document(spec.id)
    assert not (settings.corpus_dir / removed.file).exists()
    assert spec.id not in library.index.documents and spec.id not in (settings.corpus_dir / "documents.toml").read_text()
    with pytest.raises(DocumentNotFound):
        library.retire_document(spec.id)


def test_metadata_is_overridable_in_the_manifest(built_settings, tmp_path):
    import tomlkit

    from assistant.index.build import build_index

    settings = copy_of(built_settings, tmp_path)
    path = settings.corpus_dir / "documents.toml"
    doc = tomlkit.parse(path.read_text("utf-8"))
    doc["documents"] = {"nw2023-1-05": {"title": "改过的标题", "date": "2023-06-01"}}
    path.write_text(tomlkit.dumps(doc), "utf-8")
    manifest = build_index(settings)
    assert manifest["reuse"]["sources_parsed"] == 1  # only the compilation that holds the document
    index = load_index(settings)
    document = index.documents["nw2023-1-05"]
    assert (document.title, document.date, document.status) == ("改过的标题", "2023-06-01", "现行")
    doc["documents"] = {"nw2023-1-05": {"statuz": "已废止"}}
    path.write_text(tomlkit.dumps(doc), "utf-8")
    with pytest.raises(CorpusError, match="cannot set statuz"):
        build_index(settings)
    assert load_index(settings, fresh=False).build == manifest["build"]  # the old build still serves


def test_a_split_document_can_be_retired_but_not_removed(library: Assistant):
    with pytest.raises(InvalidRequest, match="retire it instead"):
        library.remove_document("jh2023-15-p2-01")
    library.retire_document("jh2023-15-p2")  # a plan retires its 22 sub-plans with it
    assert library.index.documents["jh2023-15-p2-01"].status == "已废止"
    answer = library.ask("泾河新城开办企业要多久？")
    assert all(not c.document.id.startswith("jh2023-15-p2") for c in answer.citations)
    library.reinstate_document("jh2023-15-p2")
    assert library.ask("泾河新城开办企业要多久？").citations[0].document.id == "jh2023-15-p2-01"


def test_a_file_that_fails_to_parse_changes_nothing(library: Assistant):
    settings = library.settings
    toml = (settings.corpus_dir / "documents.toml").read_bytes()
    files = sorted(p.name for p in settings.corpus_dir.iterdir())
    serving = IndexStore(settings.index_dir).current_name()
    with pytest.raises(UnreadableDocument):
        library.add_document("fake.pdf", "这不是PDF".encode())
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("word/document.xml", "<w:document>这里断了")
    with pytest.raises(UnreadableDocument, match="not a readable Word document"):
        library.add_document("broken.docx", broken.getvalue(), Metadata(region="西安"))
    with pytest.raises(InvalidRequest, match="cannot tell which region"):
        library.add_document("nowhere.txt", "关于加强管理的通知\n一、加强管理。各单位要加强管理。\n".encode())
    assert (settings.corpus_dir / "documents.toml").read_bytes() == toml
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == files
    assert IndexStore(settings.index_dir).current_name() == serving


def test_a_build_that_fails_after_the_edit_rolls_the_corpus_back(library: Assistant, monkeypatch):
    import assistant.index.build

    settings = library.settings
    toml = (settings.corpus_dir / "documents.toml").read_bytes()
    names = sorted(p.name for p in settings.corpus_dir.iterdir())
    serving = IndexStore(settings.index_dir).current_name()

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(assistant.index.build, "build_locked", broken)
    text = "西安市回滚测试办法\n一、总则\n1. 回滚测试事项5个工作日办结。\n".encode()
    with pytest.raises(OSError, match="disk full"):
        change(settings, lambda lib: lib.add("rollback.txt", text, Metadata(doc_id="rollback")))
    assert (settings.corpus_dir / "documents.toml").read_bytes() == toml
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == names
    assert IndexStore(settings.index_dir).current_name() == serving


def test_requests_in_flight_finish_on_the_old_index_and_new_ones_get_the_new(built_settings, tmp_path, files):
    settings = copy_of(built_settings, tmp_path, reload_check_seconds=0.0)
    server = Assistant(settings)
    engine = server.engine()  # a request in flight holds this engine
    old = engine.index.build
    change(settings, lambda lib: lib.add(files["pdf"].name, files["pdf"].read_bytes(), Metadata(region="雁塔区",
                                                                                                region_parent="西安")))
    deadline = time.monotonic() + 60
    while server.engine().index.build == old:  # noticed on the next request, loaded in the background
        assert time.monotonic() < deadline, "the server did not pick up the new build"
        time.sleep(0.1)
    assert engine.index.build == old and server.search_in(engine, "开办企业要多久")  # the old one still answers
    assert "1个工作日" in first_sentence(server.ask("雁塔区企业迁移登记要多久？").text)


# -- incremental equals full ---------------------------------------------------------------------
def _index_files(index_dir: Path) -> dict[str, object]:
    folder = IndexStore(index_dir).current()
    assert folder is not None
    flat = faiss.read_index(str(folder / "dense.faiss"))
    return {"documents": (folder / "documents.json").read_text("utf-8"),
            "clauses": (folder / "clauses.jsonl").read_text("utf-8"),
            "clause_ids": (folder / "clause_ids.txt").read_text("utf-8"),
            "clause_docs": np.load(folder / "clause_docs.npy").tolist(),
            "clause_offsets": np.load(folder / "clause_offsets.npy").tolist(),
            "tokens": (folder / "tokens.jsonl").read_text("utf-8"),
            "vectors": np.load(folder / "vectors.npy"),
            "faiss": flat.reconstruct_n(0, flat.ntotal)}


def test_incremental_update_equals_a_full_rebuild(built_settings, tmp_path, files):
    from assistant.index.build import build_index

    # A fixed model (the trained one, used as an ordinary model folder): a full build does not
    # refit it, so every file must come out the same.
    model = IndexStore(built_settings.index_dir).models / read_manifest(built_settings.index_dir)["embedder_folder"]
    settings = copy_of(built_settings, tmp_path / "a", embedding_model=str(model))
    build_index(settings, full=True)
    # a new region: its name joins jieba's dictionary, so the texts that contain it are re-tokenized
    _, added = change(settings, lambda lib: lib.add(files["pdf"].name, files["pdf"].read_bytes(),
                                                    Metadata(region="雁塔区", region_parent="西安")))
    assert added["reuse"]["tokens_computed"] < 50 and added["reuse"]["tokens_reused"] > 2000
    change(settings, lambda lib: lib.retire("nw2023-1-05"))
    incremental = read_manifest(settings.index_dir)
    assert incremental["mode"] == "incremental" and incremental["reuse"]["vectors_reused"] > 2000

    full = settings.model_copy(update={"index_dir": tmp_path / "full-index"})
    manifest = build_index(full, full=True)
    assert manifest["reuse"]["sources_reused"] == 0 and manifest["reuse"]["vectors_reused"] == 0
    a, b = _index_files(settings.index_dir), _index_files(full.index_dir)
    for name in ("documents", "clauses", "clause_ids", "clause_docs", "clause_offsets", "tokens"):
        assert a[name] == b[name], name
    assert np.array_equal(a["vectors"], b["vectors"]) and np.array_equal(a["faiss"], b["faiss"])
    for question in ("雁塔区企业迁移登记要多久？", "在西安开办企业需要多长时间？"):
        left = Assistant(settings).search(question, 5)
        right = Assistant(full).search(question, 5)
        assert [(h.clause.id, round(h.score, 9)) for h in left] == [(h.clause.id, round(h.score, 9)) for h in right]


# -- a killed build ------------------------------------------------------------------------------
def test_a_build_killed_midway_leaves_the_old_index_serving(built_settings, tmp_path):
    model = IndexStore(built_settings.index_dir).models / read_manifest(built_settings.index_dir)["embedder_folder"]
    settings = copy_of(built_settings, tmp_path, embedding_model=str(model))
    store = IndexStore(settings.index_dir)
    from assistant.index.build import build_index

    serving = build_index(settings, full=True)["build"]
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_EMBEDDING_MODEL": str(model)}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "build", "--full"], env=env, cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(store.builds.glob("*.partial")):
        assert proc.poll() is None and time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.02)
    time.sleep(1.0)  # well inside parsing and tokenizing (a full build here takes several seconds)
    assert proc.poll() is None, "the build finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    assert store.current_name() == serving and list(store.builds.glob("*.partial"))
    index = load_index(settings)
    assert index.build == serving
    answer = Assistant(settings, index).ask("在西安开办企业需要多长时间？")
    assert "0.5个工作日" in first_sentence(answer.text)
    # the next build clears what the killed one left
    assert build_index(settings)["mode"] == "up to date"
    assert build_index(settings, full=True)["build"] != serving and not list(store.builds.glob("*.partial"))


# -- admin over HTTP -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def admin(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assistant.service.feedback import FeedbackStore
    from web.app import create_app

    settings = copy_of(built_settings, tmp_path_factory.mktemp("admin"), admin_token=SecretStr("s3cret-updates-Pq84vM2z"),
                       max_upload_bytes=200_000)
    app = create_app(settings, Assistant(settings), FeedbackStore(settings.data_dir / "feedback.sqlite3"), ui=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, settings


AUTH = {"Authorization": "Bearer s3cret-updates-Pq84vM2z"}


def _code(response: httpx.Response, status: int, code: str) -> dict:  # type: ignore[type-arg]
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and body["message_zh"] and body["message_en"]
    return body  # type: ignore[no-any-return]


def test_admin_routes_are_off_without_a_token(built_settings, tmp_path, files):
    from web.app import create_app

    settings = copy_of(built_settings, tmp_path)
    with TestClient(create_app(settings, ui=False), raise_server_exceptions=False) as client:
        _code(client.post("/api/documents", files={"file": ("a.pdf", files["pdf"].read_bytes())}), 403,
              "admin_disabled")
        _code(client.delete("/api/documents/xa2022-72", headers=AUTH), 403, "admin_disabled")
    with pytest.raises(AdminDisabled):
        Assistant(settings).authorize("anything")


def test_admin_needs_the_right_token(admin, files):
    client, settings = admin
    pdf = {"file": ("a.pdf", files["pdf"].read_bytes(), "application/pdf")}
    _code(client.post("/api/documents", files=pdf), 401, "unauthorized")
    response = client.post("/api/documents", files=pdf, headers={"Authorization": "Bearer wrong"})
    _code(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    _code(client.post("/api/documents/xa2022-72/retire", headers={"X-Admin-Token": "nope"}), 401, "unauthorized")
    with pytest.raises(Unauthorized):
        Assistant(settings).authorize("")


def test_upload_refuses_oversized_fake_and_empty_files(admin):
    client, settings = admin
    before = sorted(p.name for p in settings.corpus_dir.iterdir())
    big = "一、总则。\n".encode() * 30_000  # ~400 kB, over this server's 200 kB limit
    _code(client.post("/api/documents", files={"file": ("big.txt", big)}, headers=AUTH), 413, "upload_too_large")
    body = _code(client.post("/api/documents", files={"file": ("fake.pdf", "我是文本".encode())}, headers=AUTH), 422,
                 "unreadable_document")
    assert ".pdf" in body["message_en"]
    _code(client.post("/api/documents", files={"file": ("empty.docx", b"")}, headers=AUTH), 422, "unreadable_document")
    _code(client.post("/api/documents", headers=AUTH), 400, "invalid_request")
    assert sorted(p.name for p in settings.corpus_dir.iterdir()) == before


def test_upload_with_a_path_traversal_name_stays_in_the_corpus(admin, tmp_path):
    client, settings = admin
    text = ("西安市测试区关于优化营商环境的若干措施\n一、优化服务\n1. 企业开办实行“一窗通办”，"
            "全流程0.5个工作日办结。\n牵头单位：区市场监管局\n完成时限：2027年6月底前\n").encode()
    response = client.post("/api/documents", files={"file": ("../../../outside.txt", text)},
                           data={"region": "西安", "title": "测试区营商环境措施"}, headers=AUTH)
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert document["file"].endswith("_outside.txt") and "/" not in document["file"]
    assert (settings.corpus_dir / document["file"]).is_file()
    assert not (settings.corpus_dir.parent.parent / "outside.txt").exists()
    assert not (settings.corpus_dir.parent / "outside.txt").exists()
    # answerable at once, and its 完成时限 has not passed
    answer = client.post("/api/ask", json={"question": "测试区企业开办一窗通办多久办结？"}).json()
    assert answer["citations"][0]["document_id"] == document["id"]
    assert "已过" not in answer["answer"]

    # a new version of the file: same id, new text
    newer = text.replace("0.5个工作日".encode(), "2小时".encode())
    replaced = client.put(f"/api/documents/{document['id']}", files={"file": ("v2.txt", newer)}, headers=AUTH)
    assert replaced.status_code == 200, replaced.text
    answer = client.post("/api/ask", json={"question": "测试区企业开办一窗通办多久办结？"}).json()
    assert answer["citations"][0]["document_id"] == document["id"] and "2小时" in answer["answer"].split("。")[0]
    _code(client.put(f"/api/documents/{document['id']}", files={"file": ("v2.pdf", b"%PDF-1.4")}, headers=AUTH), 422,
          "unreadable_document")

    listed = {d["id"]: d for d in client.get("/api/documents").json()["documents"]}
    assert listed[document["id"]]["status"] == "现行"
    retired = client.post(f"/api/documents/{document['id']}/retire", headers=AUTH)
    assert retired.status_code == 200 and retired.json()["status"] == "已废止"
    again = client.post("/api/ask", json={"question": "测试区企业开办一窗通办多久办结？"}).json()
    assert all(c["document_id"] != document["id"] for c in again["citations"])
    with_retired = client.post("/api/ask", json={"question": "测试区企业开办一窗通办多久办结？",
                                                 "include_retired": True}).json()
    assert with_retired["citations"][0]["status"] == "已废止"
    assert client.delete(f"/api/documents/{document['id']}", headers=AUTH).status_code == 200
    _code(client.delete(f"/api/documents/{document['id']}", headers=AUTH), 404, "document_not_found")
    _code(client.patch("/api/documents/xa2022-72", headers=AUTH), 405, "method_not_allowed")


# -- a running server and the CLI -----------------------------------------------------------------
@pytest.mark.live
def test_cli_add_reaches_a_running_server(built_settings, tmp_path, files):
    settings = copy_of(built_settings, tmp_path)
    env = {"ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_DATA_DIR": str(settings.data_dir)}
    with serving(env, tmp_path / "server.log") as url:
        question = {"question": "雁塔区企业迁移登记要多久？"}
        assert httpx.post(url + "/api/ask", json=question, timeout=10).json()["citations"][0]["region"] != "雁塔区"
        added = subprocess.run([sys.executable, "-m", "assistant.cli", "add", str(files["pdf"]), "--region", "雁塔区",
                                "--region-parent", "西安"], env={**os.environ, **env}, cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=120)
        assert added.returncode == 0, added.stderr
        assert "added up2025-" in added.stdout and "(incremental)" in added.stdout
        waited = time.monotonic()
        while True:
            answer = httpx.post(url + "/api/ask", json=question, timeout=10).json()
            if answer["citations"][0]["region"] == "雁塔区":
                break
            assert time.monotonic() - waited < 30, "the running server never answered from the new document"
            time.sleep(0.2)
        assert "1个工作日" in first_sentence(answer["answer"])
        health = httpx.get(url + "/api/health", timeout=5).json()["manifest"]
        assert health["build"] == read_manifest(settings.index_dir)["build"]


def test_cli_library_errors_are_one_line(built_settings, tmp_path, capsys, monkeypatch):
    from assistant.cli import main
    from assistant.settings import get_settings

    settings = copy_of(built_settings, tmp_path)
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(settings.index_dir))
    get_settings.cache_clear()
    fake = tmp_path / "fake.pdf"
    fake.write_text("不是PDF", encoding="utf-8")
    assert main(["add", str(fake)]) == 1
    assert main(["retire", "no-such-doc"]) == 1
    assert main(["remove", "nw2023-1-05"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "Traceback" not in err
    assert "content is text" in err and "no-such-doc" in err and "retire it instead" in err
    toml = (settings.corpus_dir / "documents.toml").read_text("utf-8")
    assert sum(line == "[[source]]" for line in toml.splitlines()) == 5
    assert Library(settings).document_ids() >= {"xa2022-72", "nw2023-1-05"}
