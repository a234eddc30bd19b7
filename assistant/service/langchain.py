"""The retriever as a LangChain `BaseRetriever`, for teams that compose pipelines in LangChain.

    retriever = PolicyRetriever(assistant=Assistant(), k=5, region="西安", base_url="http://127.0.0.1:8000")
    docs = retriever.invoke("开办企业要多久？")
    docs[0].metadata["source"]  # http://127.0.0.1:8000/api/clauses/<clause id>

Each document is one clause; its metadata says where it stands (document, 文号, status, issuer,
region, page, source lines) and `source` links to it: the server's `/api/clauses/{id}` when
`base_url` is given, else `policy://clause/{id}` (the MCP resource of the same clause). Both are
stable: a clause id is derived from the document id and the clause's position in it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.models import Document, Hit


def clause_source(clause_id: str, base_url: str | None = None) -> str:
    """A stable link to a clause: on the server when `base_url` is given, else its MCP resource URI."""
    if base_url:
        return f"{base_url.rstrip('/')}/api/clauses/{quote(clause_id, safe=':')}"
    return f"policy://clause/{clause_id}"


def hit_metadata(hit: Hit, doc: Document, base_url: str | None = None) -> dict[str, Any]:
    clause = hit.clause
    return {"source": clause_source(clause.id, base_url), "clause_id": clause.id, "document_id": doc.id,
            "title": doc.title, "document": doc.title, "doc_number": doc.doc_number, "status": doc.status,
            "in_force": doc.in_force, "issuer": doc.issuer, "region": doc.region, "date": doc.date_iso,
            "path": clause.path, "page": clause.page, "line_start": clause.line_start, "line_end": clause.line_end,
            "source_file": clause.source_file, "score": hit.score, "rank": hit.rank}


class PolicyRetriever(BaseRetriever):
    """Wraps `Assistant.search`: `k` clauses, optionally of one `region` or `document` (and its
    sub-plans); documents no longer in force only with `include_retired`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    k: int = 5
    region: str | None = None
    document: str | None = None
    include_retired: bool = False
    base_url: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        engine = self.assistant.engine()  # one index for the hits and their documents
        hits = self.assistant.search_in(engine, query, self.k, region=self.region, document=self.document,
                                        include_retired=self.include_retired)
        documents = engine.index.documents
        return [LCDocument(page_content=hit.clause.text,
                           metadata=hit_metadata(hit, documents[hit.clause.doc_id], self.base_url))
                for hit in hits]
