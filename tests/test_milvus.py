"""The Milvus backend on Milvus Lite (a real Milvus, in process): the same contract and answers as
the in-process backend, documents added, retired and removed through upserts and deletes, and an
atomic switch of the alias to a newly written collection."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from assistant.retrieval.inprocess import Scope
from assistant.retrieval.milvus import filter_expression
from assistant.service.assistant import Assistant
from assistant.settings import Settings
from tests.generated import make_docx

pytestmark = pytest.mark.integration


def test_a_scope_becomes_a_filter_expression():
    assert filter_expression(Scope()) == ""
    assert filter_expression(Scope(("泾河新城", "西安"), (), True)) == 'region in ["泾河新城", "西安"] and in_force == true'
    assert filter_expression(Scope((), ('a"b',))) == 'doc_id in ["a\\"b"]'  # quoted as JSON strings


def on_milvus(built: Settings, root: Path) -> Settings:
    shutil.copytree(built.corpus_dir, root / "corpus")
    shutil.copytree(built.index_dir, root / "index")
    return built.model_copy(update={"corpus_dir": root / "corpus", "index_dir": root / "index",
                                    "data_dir": root / "data", "search_backend": "milvus",
                                    "milvus_uri": str(root / "data" / "milvus.db"), "reload_check_seconds": -1.0})


def rows(assistant: Assistant) -> int:
    retriever = assistant.retriever()
    stats = retriever.store.client.get_collection_stats(retriever.collection)  # type: ignore[attr-defined]
    return int(stats["row_count"])


def test_documents_added_retired_and_removed_reach_milvus(built_settings, tmp_path):
    settings = on_milvus(built_settings, tmp_path)
    assistant = Assistant(settings)
    assert "1 个工作日" in assistant.ask("泾河新城开办企业要多久？").text.split("。")[0]
    assert rows(assistant) == len(assistant.index.clauses)

    docx = make_docx(tmp_path / "碑林区融资措施.docx")
    spec, _ = assistant.add_document(docx.name, docx.read_bytes())
    assert rows(assistant) == len(assistant.index.clauses)
    answer = assistant.ask("碑林区应急转贷资金规模不低于多少？")
    assert "5000万元" in answer.text.split("。")[0] and answer.citations[0].document.id == spec.id

    question = "碑林区应急转贷资金规模"
    assert any(h.clause.doc_id == spec.id for h in assistant.search(question, 20))
    assistant.retire_document(spec.id)
    assert all(h.clause.doc_id != spec.id for h in assistant.search(question, 20))  # in_force filtered
    assert any(h.clause.doc_id == spec.id for h in assistant.search(question, 20, include_retired=True))

    assistant.remove_document(spec.id)
    assert rows(assistant) == len(assistant.index.clauses)
    assert all(h.clause.doc_id != spec.id for h in assistant.search(question, 20, include_retired=True))


def test_a_question_during_the_switch_sees_the_old_or_the_new_collection(built_settings, tmp_path):
    settings = on_milvus(built_settings, tmp_path)
    assistant = Assistant(settings)
    retriever = assistant.retriever()
    store = retriever.store  # type: ignore[attr-defined]
    old = retriever.collection  # type: ignore[attr-defined]
    seen: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_via_the_alias() -> None:
        while not stop.is_set():
            try:
                found = store.client.search(store.alias, data=["开办企业 工作日"], anns_field="sparse", limit=3,
                                            output_fields=["id"])
                seen.append(str(len(found[0])))
            except BaseException as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)

    thread = threading.Thread(target=ask_via_the_alias)
    thread.start()
    try:
        from assistant.retrieval.milvus import analyzer_params, dictionary_words

        index = assistant.index
        analyzer = analyzer_params(index, dictionary_words(index, settings))
        new = store._create(index, analyzer, "relayout")  # a full rewrite: a new collection, then the alias
    finally:
        stop.set()
        thread.join()
    assert not errors, errors[:2]
    assert seen and all(n == "3" for n in seen)  # every search found a whole collection
    assert new != old and store._serving() == new
    assert store.client.has_collection(old)  # kept one generation for requests in flight
    newer = store._create(index, analyzer, "again")
    assert store._serving() == newer and store.client.has_collection(new) and not store.client.has_collection(old)
    store.client.create_collection("clauses_other_deployment", dimension=8)
    store._create(index, analyzer, "third")
    assert store.client.has_collection("clauses_other_deployment")  # not this alias's naming: left alone
