"""The in-process backend: candidate lists from the build's BM25 arrays and its FAISS index."""

from __future__ import annotations

import numpy as np

from assistant.retrieval.base import Candidates, FusedBackend, Scope, SearchRequest


class InProcessBackend(FusedBackend):
    """Lexical and dense candidates from the loaded build, in this process."""

    def _candidates(self, request: SearchRequest, mask: np.ndarray | None, scope: Scope, n: int) -> Candidates:
        lists, sources = {}, {}
        if self.mode in ("fused", "lexical"):
            lexical = self.index.lexical.scores(request.text)
            ids, _ = self.index.lexical.top(lexical, n, mask)
            lists["lexical"] = [int(i) for i in ids]
            sources["lexical"] = lambda chosen: lexical[chosen]
        if self.mode in ("fused", "dense"):
            vector = self.index.dense.encode(request.dense_text or request.text)
            ids, _ = self.index.dense.top(vector, n, mask)
            lists["dense"] = [int(i) for i in ids]
            sources["dense"] = lambda chosen: self.index.dense.similarity(vector, chosen)
        return lists, sources
