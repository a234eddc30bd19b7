"""The retriever as a LangChain `BaseRetriever`, for teams that compose pipelines in LangChain."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class PolicyRetriever(BaseRetriever):
    """Wraps `Assistant.search`; each LangChain document is one clause with its citation metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    k: int = 5
    region: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        engine = self.assistant.engine()  # one index for the hits and their documents
        hits = self.assistant.search_in(engine, query, self.k, region=self.region)
        documents = engine.index.documents
        out = []
        for hit in hits:
            clause, doc = hit.clause, documents[hit.clause.doc_id]
            out.append(LCDocument(
                page_content=clause.text,
                metadata={"clause_id": clause.id, "document": doc.title, "doc_number": doc.doc_number,
                          "region": doc.region, "date": doc.date_iso, "path": clause.path, "page": clause.page,
                          "score": hit.score, "rank": hit.rank},
            ))
        return out
