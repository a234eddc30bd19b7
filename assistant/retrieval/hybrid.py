"""The retriever: lexical and dense scores fused by reciprocal rank, region and indicator aware."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Literal, Protocol

import numpy as np

from assistant.errors import UnknownDocument, UnknownRegion
from assistant.index import LoadedIndex
from assistant.models import Hit
from assistant.query import Query, QueryReader
from assistant.retrieval.fusion import reciprocal_rank_fusion
from assistant.retrieval.tokenize import QUERY_FILLERS
from assistant.settings import Settings

Mode = Literal["fused", "lexical", "dense"]
MODES: tuple[Mode, ...] = ("fused", "lexical", "dense")


# One-character function words of a question (在, 的, 了, 吗 …): the bag of words the dense
# model averages should not move with them ("X在Y" and "Y的X" ask the same).
_PARTICLES = re.compile("[" + "".join(w for w in QUERY_FILLERS if len(w) == 1) + "]")


def _without_particles(text: str) -> str:
    return _PARTICLES.sub("", text) or text


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
        self._doc_region = np.array([index.documents[c.doc_id].region for c in index.clauses])
        self._doc_ids = np.array([c.doc_id for c in index.clauses])
        self._clause_topic = np.array([index.documents[c.doc_id].topic for c in index.clauses])
        self._in_force = np.array([index.documents[c.doc_id].in_force for c in index.clauses], dtype=bool)

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

    def _scope_mask(self, scope: frozenset[str]) -> np.ndarray:
        """Clauses of documents of the scope's regions: the named region and the regions containing it."""
        return np.isin(self._doc_region, list(scope))

    def _document_mask(self, document: str) -> np.ndarray:
        docs = self.index.documents
        if document not in docs:
            ids = sorted(docs)
            raise UnknownDocument(f"unknown document {document!r}; known document ids: {', '.join(ids)}",
                                  f"未知文件“{document}”，可选文件编号见 `assistant documents` 或 /api/documents",
                                  valid=ids)
        family = {d.id for d in docs.values() if d.id == document or self._descends(d.id, document)}
        return np.isin(self._doc_ids, list(family))

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

    def _boosts(self, query: Query) -> np.ndarray:
        boost = np.ones(len(self.index.clauses), dtype=np.float32)
        manifest = self.index.corpus_manifest
        if query.regions:
            named = set(query.regions)
            factor = np.ones_like(boost)
            for region in set(self._doc_region):
                line = manifest.ancestors(str(region))
                if line and line[0] in named:
                    f = 1 + self.settings.region_boost
                elif named & set(line[1:]) or any(str(region) in manifest.ancestors(n) for n in named):
                    f = 1 + self.settings.region_boost / 4  # inside a named region, or the province of a named city
                else:
                    continue
                factor[self._doc_region == region] = f
            boost *= factor
        if query.topics:
            boost[np.isin(self._clause_topic, list(query.topics))] *= 1 + self.settings.topic_boost
        return boost

    def search(self, question: str | Query, k: int = 5, *, region: str | None = None,
               document: str | None = None, include_retired: bool = False, scoped: bool = True) -> list[Hit]:
        """The k best clauses for the question, from the regions it names (or `region`) and the
        regions containing them. Repealed and superseded documents only with `include_retired`,
        or when `document` names one (whoever filters on a document asks for it, whatever its
        status). `scoped=False` searches every region (for "what other regions say")."""
        if region:
            region = self.check_region(region)
        query = question if isinstance(question, Query) else self.reader.read(question, region_filter=region)
        mask = np.ones(len(self.index.clauses), dtype=bool)
        if scoped and query.scope:
            mask &= self._scope_mask(query.scope)
        if document:
            mask &= self._document_mask(document)
        elif not include_retired:
            mask &= self._in_force
        n = self.settings.candidates
        lists: dict[str, list[int]] = {}
        raw: dict[str, np.ndarray] = {}
        text = query.search_text
        if self.mode in ("fused", "lexical"):
            raw["lexical"] = self.index.lexical.scores(text)
        if self.mode in ("fused", "dense"):
            raw["dense"] = self.index.dense.scores(_without_particles(text))
        for name, scores in raw.items():
            order = np.argsort(-np.where(mask, scores, -np.inf), kind="stable")[:n]
            lists[name] = [int(i) for i in order if mask[i] and (name != "lexical" or scores[i] > 0)]
        fused = reciprocal_rank_fusion(lists, {"lexical": 1.0, "dense": self.settings.dense_weight},
                                       k=self.settings.rrf_k)
        boost = self._boosts(query)
        ranked = sorted(((score * float(boost[i]), i) for i, score in fused.items()), key=lambda p: (-p[0], p[1]))
        return [
            Hit(self.index.clauses[i], score, rank, {name: float(raw[name][i]) for name in raw})
            for rank, (score, i) in enumerate(ranked[:k], start=1)
        ]
