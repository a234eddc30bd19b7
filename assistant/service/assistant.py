"""The service: questions in, cited answers out; search and browsing; the corpus kept current.

Every edge (CLI, HTTP, UI, MCP) calls these functions; none of them opens index files itself. A
question is read once into a `Query`, which becomes the `SearchRequest` the backend takes; the
answer is composed once from the query and the hits.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from datetime import date
from functools import cached_property
from typing import Any

from assistant.answer.compose import compose
from assistant.answer.departments import Abbreviations
from assistant.errors import EmptyQuestion, InvalidQuestion, NoDocuments, QuestionTooLong, UnknownClause
from assistant.index.load import LoadedIndex
from assistant.ingest.manifest import SourceSpec
from assistant.lexicon.text import encodable
from assistant.models import Answer, Clause, ClauseInContext, Document, Hit
from assistant.retrieval.base import Mode, SearchRequest
from assistant.service.admin import Admin
from assistant.service.engine import Engine, Engines
from assistant.service.history import Replay, stored
from assistant.service.imports import ImportReport
from assistant.service.library import Metadata
from assistant.settings import Settings, get_settings
from assistant.understand.conversation import Context, Turn
from assistant.understand.query import Query
from assistant.understand.terms import warm_up as warm_up_terms

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Filters:
    """The filters a question and its follow-ups are answered under."""

    region: str | None
    document: str | None
    mode: Mode
    include_retired: bool


def search_request(query: Query, k: int, filters: Filters, *, scoped: bool = True) -> SearchRequest:
    """The search a `Query` asks for, under `filters`; `scoped=False` searches every region (for
    "what other regions say")."""
    return SearchRequest(query.search_text, k, dense_text=query.dense_text,
                         scope=query.place.scope if scoped else frozenset(), regions=query.place.names, topics=query.topics,
                         document=filters.document, include_retired=filters.include_retired)


class Assistant:
    """Answers questions from the newest complete index. Loads lazily, once, thread-safely, and
    picks up a newer build (`assistant build`, `assistant add`, an upload) without a restart."""

    def __init__(self, settings: Settings | None = None, index: LoadedIndex | None = None) -> None:
        self.settings = settings or get_settings()
        self.engines = Engines(self.settings, index)
        self.admin = Admin(self.settings, self.engines.reload)
        self._replay = Replay(self.settings)
        # told of every answer `ask` gives (the server counts them by state for its metrics)
        self.observers: list[Callable[[Answer], None]] = []

    def engine(self) -> Engine:
        return self.engines.current()

    @property
    def index(self) -> LoadedIndex:
        return self.engine().index

    @property
    def degraded(self) -> dict[str, Any]:
        """Set when a damaged build could not serve and an older good one does instead."""
        return self.engines.degraded

    def reload(self) -> bool:
        return self.engines.reload()

    def watch(self) -> None:
        """Load newly published builds in the background (every `watch_seconds`), idle or not."""
        self.engines.watch(self.settings.watch_seconds)

    def stop_watching(self) -> None:
        self.engines.stop_watching()

    # -- questions -----------------------------------------------------------------------------
    def validate(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise EmptyQuestion("the question is empty", "问题不能为空。")
        if not encodable(question):
            raise InvalidQuestion("the question holds characters that are not text (a lone surrogate)",
                                  "问题包含无法识别的字符。")
        question = question.strip()
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionTooLong(f"the question has {len(question)} characters, more than {limit} allowed",
                                  f"问题有 {len(question)} 个字符，超过 {limit} 字的上限。", limit=limit)
        return question

    def search(self, question: str, k: int = 5, *, region: str | None = None, document: str | None = None,
               mode: Mode = "fused", include_retired: bool = False) -> list[Hit]:
        try:
            engine = self.engine()
        except NoDocuments:  # nothing to find yet
            self.validate(question)
            return []
        return self.search_in(engine, question, k, region=region, document=document, mode=mode,
                              include_retired=include_retired)

    def search_in(self, engine: Engine, question: str, k: int = 5, *, region: str | None = None,
                  document: str | None = None, mode: Mode = "fused", include_retired: bool = False) -> list[Hit]:
        """`search` on a given engine, for callers that also read its documents."""
        question = self.validate(question)
        filters = Filters(engine.check_region(region) if region else None, document, mode, include_retired)
        query = self.read(engine, question, None, filters)
        return engine.backend(mode).search(search_request(query, k, filters))

    def ask(self, question: str, *, region: str | None = None, document: str | None = None,
            mode: Mode = "fused", history: Sequence[Turn] = (), include_retired: bool = False) -> Answer:
        """Answer `question`; `history` (earlier turns of the chat) lets it be a follow-up. Documents
        no longer in force are left out unless `include_retired` (or `document` names one)."""
        started = time.perf_counter()
        question = self.validate(question)
        try:
            engine = self.engine()
        except NoDocuments as exc:  # a new deployment before its first document: said, not an error
            return Answer(question, exc.message_zh, True, (), ())
        filters = Filters(engine.check_region(region) if region else None, document, mode, include_retired)
        context = self._context(engine, history, filters)
        query = self.read(engine, question, context, filters)
        answer = self._answer(engine, query, filters, started)
        for observe in self.observers:
            try:
                observe(answer)
            except Exception:  # an observer never costs the user the answer
                log.exception("answer observer %r failed", observe)
        return answer

    def read(self, engine: Engine, question: str, context: Context | None = None,
             filters: Filters | None = None) -> Query:
        """The one reading of `question` (in its conversation, under its filters; a question naming no
        place is about the deployment's home region, when it has one)."""
        home = engine.check_region(self.settings.home_region) if self.settings.home_region else ""
        query = engine.reader.read(question, context, region_filter=filters.region if filters else None,
                                   home_region=home or "")
        if query.follow_up:
            log.info("follow-up (%s): %r read as %r", query.follow_up, question, query.standalone)
        return query

    def _context(self, engine: Engine, history: Sequence[Turn], filters: Filters) -> Context | None:
        """What the conversation is about: as the client kept it, else replayed from its questions."""
        kept = stored(history, self.settings, lambda clause_id: clause_id in engine.positions)
        if kept is not None:
            return kept
        return self._replay.context(history, (engine.index.build, filters),
                                    lambda q, c: engine.reader.read(q, c, region_filter=filters.region),
                                    lambda q: self._answer(engine, q, filters))

    def evidence(self, question: str, *, mode: Mode = "fused") -> tuple[Query, list[Hit], dict[str, Document]]:
        """What the answer to a standalone question is made from: its reading, the hits in its
        scope, and the documents (for fitting the decision model and for inspection)."""
        engine = self.engine()
        filters = Filters(None, None, mode, False)
        query = self.read(engine, self.validate(question), None, filters)
        return query, self._hits(engine, query, filters), engine.index.documents

    def _hits(self, engine: Engine, query: Query, filters: Filters) -> list[Hit]:
        # small talk searches nothing; compose replies to it
        hits = [] if query.small_talk else engine.backend(filters.mode).search(
            search_request(query, self.settings.rerank_candidates, filters))
        return self._pin(engine, hits, query) if query.pinned else hits

    def _answer(self, engine: Engine, query: Query, filters: Filters, started: float | None = None) -> Answer:
        backend = engine.backend(filters.mode)
        hits = self._hits(engine, query, filters)
        documents = engine.index.documents

        def elsewhere() -> list[Hit]:
            """What other regions say, for a question whose region's documents are silent."""
            if filters.document:
                return []
            found = backend.search(search_request(query, self.settings.rerank_candidates, filters, scoped=False))
            return [h for h in found if not query.place.allows(documents[h.clause.doc_id].region)]

        return compose(query, hits, documents, min_coverage=self.settings.min_coverage,
                       max_citations=self.settings.max_citations, today=self.today(), elsewhere=elsewhere,
                       abbreviations=self.abbreviations, filtered=bool(filters.document) or query.place.from_filter,
                       started=started)

    @cached_property
    def abbreviations(self) -> Abbreviations:
        """Department abbreviations and their full names (`corpus/departments.toml`)."""
        return Abbreviations.load(self.settings.corpus_dir / "departments.toml")

    def today(self) -> date:
        return self.settings.today or date.today()

    @staticmethod
    def _pin(engine: Engine, hits: list[Hit], query: Query) -> list[Hit]:
        """Put the clause a follow-up asks about first, when it states a fact of the asked kind."""
        position = engine.positions.get(query.pinned)
        if position is None:
            return hits
        clause = engine.index.clauses[position]
        wanted = {t for a in query.asks for t in a.fact_types}
        if wanted and not any(f.type in wanted for f in clause.facts):
            return hits  # it does not say: let retrieval find the clause that does
        score = max((h.score for h in hits), default=1.0)
        rest = [h for h in hits if h.clause.id != query.pinned]
        ordered = [Hit(clause, score, 1, {})] + rest
        return [dataclasses.replace(h, rank=r) for r, h in enumerate(ordered, start=1)]

    def warm_up(self) -> None:
        """Load the index and the lazily loaded tokenizer models, so the first user waits for nothing."""
        warm_up_terms()
        self.ask("泾河新城开办企业要多久？", history=[Turn("user", "开办企业要多久？")])

    # -- browsing ------------------------------------------------------------------------------
    def documents(self) -> list[tuple[Document, int]]:
        """Every document with its clause count, in corpus order (none yet for an empty corpus)."""
        try:
            index = self.index
        except NoDocuments:
            return []
        counts = index.document_counts()
        return [(doc, counts.get(doc.id, 0)) for doc in index.documents.values()]

    def regions(self) -> list[str]:
        return [name for name, _depth in self.region_tree()]

    def region_tree(self) -> list[tuple[str, int]]:
        """The regions with documents and their depth in the region tree (province › city › district)."""
        try:
            return self.engine().region_tree()
        except NoDocuments:
            return []

    def clause(self, clause_id: str) -> ClauseInContext:
        engine = self.engine()
        position = engine.positions.get(clause_id)
        if position is None:
            raise UnknownClause(f"no clause with id {clause_id!r}", f"未找到编号为“{clause_id}”的条款。")
        clauses = engine.index.clauses
        clause = clauses[position]

        def neighbour(i: int) -> Clause | None:
            return clauses[i] if 0 <= i < len(clauses) and clauses[i].doc_id == clause.doc_id else None

        return ClauseInContext(clause, engine.index.documents[clause.doc_id], neighbour(position - 1),
                               neighbour(position + 1))

    def manifest(self) -> dict[str, Any]:
        """The loaded index's manifest: corpus fingerprint, model, build time, counts."""
        return dict(self.index.manifest)

    # -- keeping the corpus current: `Admin`, reached from here by the edges ----------------------
    def authorize(self, token: str | None) -> None:
        self.admin.authorize(token)

    def check_size(self, name: str, size: int) -> None:
        self.admin.check_size(name, size)

    def add_document(self, name: str, data: bytes, meta: Metadata | None = None) -> tuple[SourceSpec, dict[str, Any]]:
        return self.admin.add_document(name, data, meta)

    def add_documents(self, files: Sequence[tuple[str, bytes]], region: str = "",
                      region_parent: str = "") -> tuple[ImportReport, dict[str, Any]]:
        return self.admin.add_documents(files, region, region_parent)

    def update_document(self, doc_id: str, name: str, data: bytes) -> tuple[SourceSpec, dict[str, Any]]:
        return self.admin.update_document(doc_id, name, data)

    def remove_document(self, doc_id: str) -> tuple[SourceSpec, dict[str, Any]]:
        return self.admin.remove_document(doc_id)

    def retire_document(self, doc_id: str, superseded_by: str = "") -> dict[str, Any]:
        return self.admin.retire_document(doc_id, superseded_by)

    def reinstate_document(self, doc_id: str) -> dict[str, Any]:
        return self.admin.reinstate_document(doc_id)
