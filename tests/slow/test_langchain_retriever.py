"""`PolicyRetriever` as a LangChain user meets it: filters by document and validity, and metadata
that says where each clause stands, with a stable link to it."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from langchain_core.runnables import RunnableLambda

from assistant.service.assistant import Assistant
from assistant.service.langchain import PolicyRetriever
from assistant.settings import Settings
from tests.slow.tiny_corpus import tiny_corpus


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings: Settings = tiny_corpus(tmp_path_factory.mktemp("lc"))
    return Assistant(settings)


def test_metadata_names_the_clause_its_document_and_a_stable_link(assistant: Assistant) -> None:
    docs = PolicyRetriever(assistant=assistant, k=2, base_url="http://example.org/").invoke("不动产转移登记")
    meta = docs[0].metadata
    assert meta["document_id"] == "xa-2" and meta["title"] == "西安市不动产登记便利化措施"
    assert meta["clause_id"].startswith("xa-2:") and meta["source"].startswith("http://example.org/api/clauses/xa-2:")
    assert unquote(meta["source"].rsplit("/", 1)[1]) == meta["clause_id"]
    assert meta["status"] == "现行" and meta["region"] == "西安" and meta["line_start"] == 3
    assert {"doc_number", "issuer", "page", "line_end", "date", "path"} <= set(meta)
    assert "3个工作日" in docs[0].page_content
    plain = PolicyRetriever(assistant=assistant, k=1).invoke("不动产转移登记")[0].metadata
    assert plain["source"] == f"policy://clause/{plain['clause_id']}"


def test_document_filter_and_retired_documents(assistant: Assistant) -> None:
    only = PolicyRetriever(assistant=assistant, k=5, document="xa").invoke("办结")
    assert only and {d.metadata["document_id"] for d in only} == {"xa"}
    assistant.retire_document("xa-2")
    try:
        chain = PolicyRetriever(assistant=assistant, k=5) | RunnableLambda(
            lambda docs: {d.metadata["document_id"] for d in docs})
        assert "xa-2" not in chain.invoke("不动产转移登记")
        retired = PolicyRetriever(assistant=assistant, k=5, include_retired=True).invoke("不动产转移登记")
        first = retired[0].metadata
        assert first["document_id"] == "xa-2" and first["status"] == "已废止" and not first["in_force"]
    finally:
        assistant.reinstate_document("xa-2")
