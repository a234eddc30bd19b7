"""One writer on Milvus (Milvus Lite, a real Milvus in process): the process that publishes builds
moves the alias forward only; a server that loads an older build never writes it back, and a
reader process never writes at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.eval.documents import make_docx
from assistant.retrieval.backends import publish_build
from assistant.retrieval.inprocess import InProcessBackend
from assistant.retrieval.milvus import MilvusBackend
from assistant.service.assistant import Assistant
from assistant.settings import Settings

pytestmark = pytest.mark.integration


def replica(built: Settings, root: Path, milvus: Path, **update: object) -> Settings:
    """A server's own copy of the corpus and the build folder, on the shared Milvus file."""
    shutil.copytree(built.corpus_dir, root / "corpus")
    shutil.copytree(built.index_dir, root / "index")
    return built.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index",
                                    "data_dir": root / "data", "search_backend": "milvus",
                                    "milvus_uri": str(milvus), "reload_check_seconds": -1.0, **update})


def test_a_server_on_an_older_build_starting_later_does_not_move_the_alias_back(built_settings, tmp_path):
    milvus = tmp_path / "shared" / "milvus.db"
    milvus.parent.mkdir()
    older_settings = replica(built_settings, tmp_path / "older", milvus)
    newer = Assistant(replica(built_settings, tmp_path / "newer", milvus))
    docx = make_docx(tmp_path / "碑林区融资措施.docx")
    spec, _ = newer.add_document(docx.name, docx.read_bytes())  # a newer build, published by its writer
    new_build = newer.index.build
    store = newer.engine().backend().store  # type: ignore[attr-defined]
    collection, build = store.published()
    assert build == new_build

    older = Assistant(older_settings)  # starts later, on the build before the upload, same Milvus file
    assert older.index.build < new_build
    backend = older.engine().backend()
    assert isinstance(backend, MilvusBackend) and backend.collection == collection  # reads, does not write
    assert store.published() == (collection, new_build)
    stats = store.client.get_collection_stats(collection)
    assert int(stats["row_count"]) == len(newer.index.clauses)  # the upload's clauses are still there
    # asked to publish explicitly, the older build is still refused
    assert older.engine().backend().store.attach(older.index, older_settings, write=True) == collection  # type: ignore[attr-defined]
    assert store.published() == (collection, new_build)

    answer = newer.ask("碑林区应急转贷资金规模不低于多少？")  # the newer collection still answers the newer server
    assert "5000万元" in answer.text.split("。")[0] and answer.citations[0].document.id == spec.id
    question = "碑林区应急转贷资金规模"
    assert all(h.clause.doc_id != spec.id for h in older.search(question, 20))  # its own build decides
    assert "1 个工作日" in older.ask("泾河新城开办企业要多久？").text.split("。")[0]


def test_a_reader_never_writes_and_attaches_to_what_the_writer_publishes(built_settings, tmp_path):
    milvus = tmp_path / "shared" / "milvus.db"
    milvus.parent.mkdir()
    reader_settings = replica(built_settings, tmp_path / "reader", milvus, milvus_writer=False)
    early = Assistant(reader_settings)
    assert isinstance(early.engine().backend(), InProcessBackend)  # nothing published: its own build, in process
    assert "1 个工作日" in early.ask("泾河新城开办企业要多久？").text.split("。")[0]
    store = early.engines._connection()
    assert store.client.list_collections() == []  # and nothing written

    assert publish_build(reader_settings) is None  # not the writer: publishes nothing
    writer_settings = reader_settings.model_copy(update={"milvus_writer": True})
    collection = publish_build(writer_settings)  # the build host
    assert collection and store.published() == (collection, early.index.build)

    late = Assistant(reader_settings)
    backend = late.engine().backend()
    assert isinstance(backend, MilvusBackend) and backend.collection == collection
    assert "1 个工作日" in late.ask("泾河新城开办企业要多久？").text.split("。")[0]


WATER = "西安市用水报装措施\n一、报装\n1. 用水报装4个工作日办结。\n2. 无外线工程的免费接入。\n"


def test_the_cli_publishes_where_builds_run_and_a_replica_reads_it(tmp_path, monkeypatch):
    import io

    from assistant.cli import main
    from assistant.settings import get_settings

    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", data_dir=tmp_path / "data",
                        embedder_train_seconds=5, search_backend="milvus", milvus_uri=str(tmp_path / "milvus.db"),
                        reload_check_seconds=-1.0)
    for key, value in (("CORPUS_DIR", settings.corpus_dir), ("INDEX_DIR", settings.index_dir),
                       ("DATA_DIR", settings.data_dir), ("EMBEDDER_TRAIN_SECONDS", "5"), ("SEARCH_BACKEND", "milvus"),
                       ("MILVUS_URI", settings.milvus_uri), ("MILVUS_WRITER", "true")):
        monkeypatch.setenv(f"ASSISTANT_{key}", str(value))
    get_settings.cache_clear()
    out = io.StringIO()
    assert main(["build"], out) == 0 and "published" not in out.getvalue()  # an empty corpus: nothing to publish
    notice = tmp_path / "用水.txt"
    notice.write_text(WATER, encoding="utf-8")
    out = io.StringIO()
    assert main(["add", str(notice), "--region", "西安"], out) == 0, out.getvalue()
    assert "published to Milvus: clauses -> clauses_" in out.getvalue()
    get_settings.cache_clear()

    replica_ = Assistant(settings.model_copy(update={"milvus_writer": False}))
    backend = replica_.engine().backend()
    assert isinstance(backend, MilvusBackend)
    assert backend.store.published()[1] == replica_.index.build  # what the CLI published is what it serves
    answer = replica_.ask("用水报装要多久？")
    assert "4个工作日" in answer.text and answer.citations
