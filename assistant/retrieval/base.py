"""What a search backend is: a `SearchRequest` in, ranked `Hit`s out. Retrieval never reads a
question: the service reads it once (a `Query`) and turns that into a request.

Both backends are peers of one shape (`FusedBackend`): each produces candidate lists, lexical and
dense, for the request's filters; the shared part fuses them by weighted reciprocal rank and
boosts the clauses of the regions and indicators the request names. In process the lists come
from the BM25 arrays and FAISS (`inprocess.py`), on Milvus from its collection (`milvus.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from assistant.errors import UnknownDocument
from assistant.index.load import LoadedIndex
from assistant.models import Hit
from assistant.retrieval.fusion import reciprocal_rank_fusion
from assistant.settings import Settings

Mode = Literal["fused", "lexical", "dense"]
MODES: tuple[Mode, ...] = ("fused", "lexical", "dense")
Candidates = tuple[dict[str, list[int]], dict[str, Callable[[np.ndarray], np.ndarray]]]


@dataclass(frozen=True)
class SearchRequest:
    """One search, as the indexes take it.

    `text` is what BM25 is asked and `dense_text` what the encoder is (the same words without the
    question's particles); `scope` the regions whose documents may answer (empty: any); `regions`
    and `topics` the regions and indicators named, whose clauses rank higher; `document` a
    document filter (with its sub-plans); retired documents only with `include_retired` or when
    `document` names one."""

    text: str
    k: int = 5
    dense_text: str = ""
    scope: frozenset[str] = frozenset()
    regions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    document: str | None = None
    include_retired: bool = False

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")


@dataclass(frozen=True)
class Scope:
    """What a search may return, as filters a search engine applies: the regions of the scope,
    the documents of a document filter, and whether only documents in force."""

    regions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    in_force_only: bool = False


class Backend(Protocol):
    mode: Mode

    def search(self, request: SearchRequest) -> list[Hit]: ...


class FusedBackend:
    """The filters, fusion and boosts both backends share; `_candidates` is each one's own."""

    def __init__(self, index: LoadedIndex, settings: Settings, mode: Mode = "fused") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.index = index
        self.settings = settings
        self.mode = mode
        # Per document (small), and per clause only its document's position (int32): a scope is
        # a gather of a per-document mask, not a pass over clause objects.
        docs = list(index.documents.values())
        self._doc_order = [d.id for d in docs]
        self._doc_region = np.array([d.region for d in docs], dtype=object)
        self._doc_topic = np.array([d.topic for d in docs], dtype=object)
        self._clause_doc = index.clause_docs
        self._in_force = np.array([d.in_force for d in docs], dtype=bool)[self._clause_doc]

    # -- filters -------------------------------------------------------------------------------
    def _clauses_of(self, doc_mask: np.ndarray) -> np.ndarray:
        return doc_mask[self._clause_doc]

    def _scope_mask(self, scope: frozenset[str]) -> np.ndarray:
        """Clauses of documents of the scope's regions: the named region and the regions containing it."""
        return self._clauses_of(np.isin(self._doc_region, list(scope)))

    def _family(self, document: str) -> np.ndarray:
        """Per document: the document and the documents under it (its sub-plans)."""
        docs = self.index.documents
        if document not in docs:
            ids = sorted(docs)
            raise UnknownDocument(f"unknown document {document!r}; known document ids: {', '.join(ids)}",
                                  f"未知文件“{document}”，可选文件编号见 `assistant documents` 或 /api/documents",
                                  valid=ids)
        return np.array([d.id == document or self._descends(d.id, document) for d in docs.values()], dtype=bool)

    def _descends(self, doc_id: str, ancestor: str) -> bool:
        seen = set()
        parent = self.index.documents[doc_id].parent_id
        while parent and parent not in seen:
            if parent == ancestor:
                return True
            seen.add(parent)
            parent = self.index.documents[parent].parent_id if parent in self.index.documents else ""
        return False

    def _filters(self, request: SearchRequest) -> tuple[np.ndarray | None, Scope]:
        """The request's filters as a clause mask and as a `Scope` for an engine's own filter."""
        mask: np.ndarray | None = None
        scope = Scope()
        if request.scope:
            mask = self._scope_mask(request.scope)
            scope = Scope(regions=tuple(sorted(request.scope)))
        if request.document:
            family = self._family(request.document)
            mask = self._clauses_of(family) if mask is None else mask & self._clauses_of(family)
            scope = Scope(scope.regions, tuple(d for d, kept in zip(self._doc_order, family, strict=True) if kept))
        elif not request.include_retired:
            mask = self._in_force if mask is None else mask & self._in_force
            scope = Scope(scope.regions, in_force_only=True)
        return mask, scope

    # -- ranking -------------------------------------------------------------------------------
    def _boosts(self, request: SearchRequest, ids: list[int]) -> dict[int, float]:
        """The region and indicator boost of each candidate clause (computed for the candidates only)."""
        manifest = self.index.corpus_manifest
        named = set(request.regions)
        by_region: dict[str, float] = {}

        def region_factor(region: str) -> float:
            if region not in by_region:
                line = manifest.ancestors(region)
                if line and line[0] in named:
                    by_region[region] = 1 + self.settings.region_boost
                elif named & set(line[1:]) or any(region in manifest.ancestors(n) for n in named):
                    by_region[region] = 1 + self.settings.region_boost / 4  # inside a named region, or the province of a named city
                else:
                    by_region[region] = 1.0
            return by_region[region]

        out: dict[int, float] = {}
        for i in ids:
            doc = int(self._clause_doc[i])
            factor = region_factor(str(self._doc_region[doc])) if named else 1.0
            if request.topics and self._doc_topic[doc] in request.topics:
                factor *= 1 + self.settings.topic_boost
            out[i] = factor
        return out

    def search(self, request: SearchRequest) -> list[Hit]:
        """The k best clauses for the request, within its filters."""
        mask, scope = self._filters(request)
        lists, sources = self._candidates(request, mask, scope, self.settings.candidates)
        fused = reciprocal_rank_fusion(lists, {"lexical": 1.0, "dense": self.settings.dense_weight},
                                       k=self.settings.rrf_k)
        boost = self._boosts(request, list(fused))
        ranked = sorted(((score * boost[i], i) for i, score in fused.items()), key=lambda p: (-p[0], p[1]))
        ranked = ranked[: request.k]
        chosen = np.array([i for _s, i in ranked], dtype=np.int64)
        values = {name: get(chosen) for name, get in sources.items()}
        return [
            Hit(self.index.clauses[i], score, rank, {name: float(v[rank - 1]) for name, v in values.items()})
            for rank, (score, i) in enumerate(ranked, start=1)
        ]

    def _candidates(self, request: SearchRequest, mask: np.ndarray | None, scope: Scope, n: int) -> Candidates:
        """Each retrieval's ranked list of clause positions (within the mask), and for each a
        function giving its score of any clauses."""
        raise NotImplementedError
