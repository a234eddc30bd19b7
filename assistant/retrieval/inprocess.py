"""The retriever: lexical and dense scores fused by reciprocal rank, region and indicator aware."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal, Protocol

import numpy as np

from assistant.errors import UnknownDocument, UnknownRegion
from assistant.index.load import LoadedIndex
from assistant.lexicon.words import one_of, words
from assistant.models import Hit
from assistant.retrieval.fusion import reciprocal_rank_fusion
from assistant.settings import Settings
from assistant.understand.query import Query, QueryReader

Mode = Literal["fused", "lexical", "dense"]
MODES: tuple[Mode, ...] = ("fused", "lexical", "dense")


# One-character function words of a question (在, 的, 了, 吗 …): the bag of words the dense
# model averages should not move with them ("X在Y" and "Y的X" ask the same).
_PARTICLES = re.compile(one_of(tuple(w for w in words().query_fillers if len(w) == 1)))


def _without_particles(text: str) -> str:
    return _PARTICLES.sub("", text) or text


@dataclass(frozen=True)
class Scope:
    """What a search may return, as filters a search engine applies: the regions of the scope,
    the documents of a document filter, and whether only documents in force."""

    regions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    in_force_only: bool = False


class Retriever(Protocol):
    def search(self, question: str | Query, k: int = 5, *, region: str | None = None,
               document: str | None = None, include_retired: bool = False) -> list[Hit]: ...


class HybridRetriever:
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
    def regions(self) -> list[str]:
        """The regions that have documents, in the order of the region tree (see `region_tree`)."""
        return [name for name, _depth in self.region_tree()]

    def region_tree(self) -> list[tuple[str, int]]:
        """The regions that have documents, with their depth among them, in the order of the
        region tree: each province, then the cities and districts inside it (陕西 0, 西安 1,
        泾河新城 2, 宝鸡 1 …), as a reader looks for them; regions outside the tree last, by name."""
        manifest = self.index.corpus_manifest
        present = {d.region for d in self.index.documents.values()}
        children: dict[str, list[str]] = {}
        for region in manifest.regions:
            children.setdefault(region.parent, []).append(region.name)
        ordered: dict[str, int] = {}

        def visit(name: str, depth: int) -> None:
            shown = name in present and name not in ordered
            if shown:
                ordered[name] = depth
            for child in children.get(name, []):
                visit(child, depth + 1 if shown else depth)

        for root in children.get("", []):
            visit(root, 0)
        return [*ordered.items(), *((name, 0) for name in sorted(present - set(ordered)))]

    def check_region(self, region: str) -> str:
        """The canonical name of a region filter; UnknownRegion for a name the region tree lacks. A
        region of the tree whose documents are silent (北京) is a valid scope: answers say so."""
        manifest = self.index.corpus_manifest
        known = manifest.region(region)
        if known is None:
            regions = self.regions()
            raise UnknownRegion(f"unknown region {region!r}; known regions: {', '.join(regions)}",
                                f"未知地区“{region}”，可选地区：{'、'.join(regions)}", valid=regions)
        return known.name

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

    # -- search --------------------------------------------------------------------------------
    @cached_property
    def reader(self) -> QueryReader:
        """Reads a plain question for callers that pass a string (LangChain, the contract test)."""
        return QueryReader.for_index(self.index)

    def _boosts(self, query: Query, ids: list[int]) -> dict[int, float]:
        """The region and indicator boost of each candidate clause (computed for the candidates only)."""
        manifest = self.index.corpus_manifest
        named = set(query.regions)
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
            if query.topics and self._doc_topic[doc] in query.topics:
                factor *= 1 + self.settings.topic_boost
            out[i] = factor
        return out

    def search(self, question: str | Query, k: int = 5, *, region: str | None = None,
               document: str | None = None, include_retired: bool = False, scoped: bool = True) -> list[Hit]:
        """The k best clauses for the question, from the regions it names (or `region`) and the
        regions containing them. Repealed and superseded documents only with `include_retired`,
        or when `document` names one (whoever filters on a document asks for it, whatever its
        status). `scoped=False` searches every region (for "what other regions say")."""
        if region:
            region = self.check_region(region)
        query = question if isinstance(question, Query) else self.reader.read(question, region_filter=region)
        mask: np.ndarray | None = None
        scope = Scope()
        if scoped and query.scope:
            mask = self._scope_mask(query.scope)
            scope = Scope(regions=tuple(sorted(query.scope)))
        if document:
            family = self._family(document)
            mask = self._clauses_of(family) if mask is None else mask & self._clauses_of(family)
            scope = Scope(scope.regions, tuple(d for d, kept in zip(self._doc_order, family, strict=True) if kept))
        elif not include_retired:
            mask = self._in_force if mask is None else mask & self._in_force
            scope = Scope(scope.regions, in_force_only=True)
        lists, sources = self._candidates(query.search_text, mask, scope, self.settings.candidates)
        fused = reciprocal_rank_fusion(lists, {"lexical": 1.0, "dense": self.settings.dense_weight},
                                       k=self.settings.rrf_k)
        boost = self._boosts(query, list(fused))
        ranked = sorted(((score * boost[i], i) for i, score in fused.items()), key=lambda p: (-p[0], p[1]))[:k]
        chosen = np.array([i for _s, i in ranked], dtype=np.int64)
        values = {name: get(chosen) for name, get in sources.items()}
        return [
            Hit(self.index.clauses[i], score, rank, {name: float(v[rank - 1]) for name, v in values.items()})
            for rank, (score, i) in enumerate(ranked, start=1)
        ]

    def _candidates(self, text: str, mask: np.ndarray | None, scope: Scope,
                    n: int) -> tuple[dict[str, list[int]], dict[str, Callable[[np.ndarray], np.ndarray]]]:
        """Each retrieval's ranked list of clause positions (of the mask), and for each a function
        giving its score of any clauses. In process: BM25 arrays and the FAISS index."""
        lists: dict[str, list[int]] = {}
        sources: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
        if self.mode in ("fused", "lexical"):
            lexical = self.index.lexical.scores(text)
            ids, _ = self.index.lexical.top(lexical, n, mask)
            lists["lexical"] = [int(i) for i in ids]
            sources["lexical"] = lambda chosen: lexical[chosen]
        if self.mode in ("fused", "dense"):
            vector = self.index.dense.encode(_without_particles(text))
            ids, _ = self.index.dense.top(vector, n, mask)
            lists["dense"] = [int(i) for i in ids]
            sources["dense"] = lambda chosen: self.index.dense.similarity(vector, chosen)
        return lists, sources
