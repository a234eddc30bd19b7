"""The service layer: one loaded index, questions in, cited answers out.

Every edge (CLI, HTTP, UI) calls these functions; none of them opens index files itself.
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any, Generic, TypeVar

from assistant.answer.compose import compose
from assistant.answer.departments import Abbreviations, of_answer
from assistant.answer.passages import windows
from assistant.errors import (
    AdminDisabled,
    AssistantError,
    EmptyQuestion,
    IndexDamaged,
    InvalidQuestion,
    QuestionTooLong,
    Unauthorized,
    UnknownClause,
    UploadTooLarge,
)
from assistant.index.load import LoadedIndex, load_index
from assistant.index.store import IndexStore
from assistant.ingest.manifest import SourceSpec
from assistant.lexicon.text import encodable
from assistant.models import Answer, Clause, ClauseInContext, Document, Hit
from assistant.retrieval.inprocess import HybridRetriever, Mode
from assistant.service.library import Library, Metadata, change
from assistant.settings import Settings, get_settings
from assistant.understand.conversation import Context, FollowUpResolver, Turn, user_questions
from assistant.understand.query import Query, QueryReader
from assistant.understand.terms import warm_up as warm_up_terms

log = logging.getLogger(__name__)
# Up to this many clauses every clause is cut into sentences when the index loads.
CUT_AT_LOAD_UP_TO = 50_000
T = TypeVar("T")



K = TypeVar("K")
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """A small thread-safe LRU map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass(frozen=True)
class _Scope:
    """The filters a question and its follow-ups are answered under."""

    region: str | None
    document: str | None
    mode: Mode
    include_retired: bool


_MILVUS: dict[str, Any] = {}
_MILVUS_LOCK = threading.Lock()


def milvus_store(settings: Settings) -> Any:
    """One Milvus connection per URI in this process (Milvus Lite lets one process open a file)."""
    from assistant.retrieval.milvus import MilvusStore

    key = settings.milvus_uri or str(settings.data_dir / "milvus.db")
    with _MILVUS_LOCK:
        if key not in _MILVUS:
            _MILVUS[key] = MilvusStore(settings)
        return _MILVUS[key]


class Engine:
    """Everything derived from one loaded index. A request takes the engine once and uses only
    it, so a request in flight finishes on the index it started with while a newer one loads."""

    def __init__(self, index: LoadedIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._retrievers: dict[str, HybridRetriever] = {}

    def retriever(self, mode: Mode = "fused") -> HybridRetriever:
        if mode not in self._retrievers:
            if self.settings.search_backend == "milvus":
                from assistant.retrieval.milvus import MilvusRetriever

                self._retrievers[mode] = MilvusRetriever(self.index, self.settings, milvus_store(self.settings), mode)
            else:
                self._retrievers[mode] = HybridRetriever(self.index, self.settings, mode)
        return self._retrievers[mode]

    @property
    def follow_ups(self) -> FollowUpResolver:
        return self.reader.follow_ups

    def cut_passages(self) -> None:
        """Cut every clause into its sentences and passages once, when the index loads."""
        if len(self.index.clauses) > CUT_AT_LOAD_UP_TO:  # a large corpus cuts its clauses as they are asked for
            return
        for clause in self.index.clauses:
            windows(clause.text)

    @cached_property
    def reader(self) -> QueryReader:
        """Makes the one reading (`Query`) of each question that everything downstream uses."""
        return QueryReader.for_index(self.index)

    @property
    def positions(self) -> dict[str, int]:
        return self.index.positions


class Assistant:
    """Answers questions from the newest complete index. Loads lazily, once, thread-safely, and
    picks up a newer build (`assistant build`, `assistant add`, an upload) without a restart."""

    def __init__(self, settings: Settings | None = None, index: LoadedIndex | None = None) -> None:
        self.settings = settings or get_settings()
        self._engine = Engine(index, self.settings) if index is not None else None
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._checked = time.monotonic()
        self._failed = ""  # a build that would not load: not tried again every second
        self._store = IndexStore(self.settings.index_dir)
        self._contexts: Remembered[tuple[Any, ...], Context] = Remembered(4096)
        # set when a damaged build could not serve and an older good one does instead
        self.degraded: dict[str, Any] = {}

    def engine(self) -> Engine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._load(fresh=True)
                engine = self._engine
        elif self.settings.reload_check_seconds >= 0:
            self._notice_new_build(engine)
        return engine

    @property
    def index(self) -> LoadedIndex:
        return self.engine().index

    def retriever(self, mode: Mode = "fused") -> HybridRetriever:
        return self.engine().retriever(mode)

    def _load(self, fresh: bool) -> Engine:
        started = time.perf_counter()
        try:
            index = load_index(self.settings, fresh=fresh)
            self.degraded = {}
        except IndexDamaged as exc:
            index = self._fallback(exc)
        engine = Engine(index, self.settings)
        engine.reader  # noqa: B018 - built now, not in the first question
        engine.retriever()  # and the retriever (with Milvus: its collection synced to this build)
        engine.cut_passages()
        log.info("index %s loaded in %.2fs (%d documents, %d clauses)", index.build, time.perf_counter() - started,
                 len(index.documents), len(index.clauses))
        return engine

    def _fallback(self, damage: IndexDamaged) -> LoadedIndex:
        """The newest other build that loads whole, when the one CURRENT names is damaged; said
        loudly, and reported by `/api/health` as degraded until a good build serves."""
        damaged = self._store.current_name() or ""
        log.error("%s", damage.message)
        for folder in sorted((p for p in self._store.builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")
                              and p.name != damaged), key=lambda p: p.name, reverse=True):
            try:
                index = load_index(self.settings, fresh=False, build=folder.name)
            except AssistantError as exc:
                log.warning("build %s cannot serve either: %s", folder.name, exc.message)
                continue
            log.error("serving the previous good build %s instead of the damaged %s; run `assistant build` to repair",
                      folder.name, damaged)
            self.degraded = {"damaged_build": damaged, "serving_build": folder.name,
                             "problems": list(damage.details.get("damaged") or [damage.message])}
            return index
        raise damage

    def _notice_new_build(self, engine: Engine) -> None:
        """At most every `reload_check_seconds`, look at CURRENT; load a newer build in the background."""
        now = time.monotonic()
        if now - self._checked < self.settings.reload_check_seconds:
            return
        self._checked = now
        name = self._store.current_name()
        if name and name not in (engine.index.build, self._failed) and not self._reload_lock.locked():
            threading.Thread(target=self.reload, name="index-reload", daemon=True).start()

    def reload(self) -> bool:
        """Load the build CURRENT names, if it is not the one serving; True when it swapped."""
        with self._reload_lock:
            name = self._store.current_name()
            engine = self._engine
            if not name or (engine is not None and engine.index.build == name):
                return False
            try:
                fresh = self._load(fresh=False)
            except Exception as exc:  # whatever goes wrong, the loaded index keeps serving
                log.error("new index %s not loaded, still serving %s: %s", name,
                          engine.index.build if engine else "nothing", exc)
                self._failed = name
                return False
            self._engine = fresh  # requests in flight keep the engine they took
            return True

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
        return self.search_in(self.engine(), question, k, region=region, document=document, mode=mode,
                              include_retired=include_retired)

    def search_in(self, engine: Engine, question: str, k: int = 5, *, region: str | None = None,
                  document: str | None = None, mode: Mode = "fused", include_retired: bool = False) -> list[Hit]:
        """`search` on a given engine, for callers that also read its documents."""
        question = self.validate(question)
        return engine.retriever(mode).search(question, k, region=region, document=document,
                                             include_retired=include_retired)

    def ask(self, question: str, *, region: str | None = None, document: str | None = None,
            mode: Mode = "fused", history: Sequence[Turn] = (), include_retired: bool = False) -> Answer:
        """Answer `question`; `history` (earlier turns of the chat) lets it be a follow-up. Documents
        no longer in force are left out unless `include_retired` (or `document` names one)."""
        started = time.perf_counter()
        question = self.validate(question)
        engine = self.engine()
        if region:
            region = engine.retriever(mode).check_region(region)
        scope = _Scope(region, document, mode, include_retired)
        context = self._context(engine, history, scope)
        query = self.read(engine, question, context, scope)
        answer = self._answer(engine, query, scope)
        used = {cid: engine.index.clauses[engine.positions[cid]] for cid, _s, _e in answer.used
                if cid in engine.positions}
        # a not-found answer names no department: those of other regions' clauses would mislead
        departments = () if answer.abstained else of_answer(answer.used, used, engine.index.documents,
                                                             self.abbreviations)
        elapsed = (time.perf_counter() - started) * 1000
        return dataclasses.replace(answer, latency_ms=elapsed, departments=departments,
                                   filtered=bool(document) or query.region_from_filter,
                                   interpreted_as=query.standalone if query.follow_up else "",
                                   follow_up=query.follow_up)

    @cached_property
    def abbreviations(self) -> Abbreviations:
        """Department abbreviations and their full names (`corpus/departments.toml`)."""
        return Abbreviations.load(self.settings.corpus_dir / "departments.toml")

    def read(self, engine: Engine, question: str, context: Context | None = None,
             scope: _Scope | None = None) -> Query:
        """The one reading of `question` (in its conversation, under its filters)."""
        query = engine.reader.read(question, context, region_filter=scope.region if scope else None)
        if query.follow_up:
            log.info("follow-up (%s): %r read as %r", query.follow_up, question, query.standalone)
        return query

    def _context(self, engine: Engine, history: Sequence[Turn], scope: _Scope) -> Context | None:
        """Replay the earlier questions: what each was about, and the clause it was answered from.

        At most `max_history_turns` questions of at most `max_question_chars` each, whatever the
        history sent; and a conversation's context is remembered, so its next request replays
        only the newest question, not every earlier one again."""
        context: Context | None = None
        questions = [q.strip()[: self.settings.max_replay_chars]
                     for q in user_questions(history, self.settings.max_history_turns)]
        for i, previous in enumerate(questions):
            last = i == len(questions) - 1
            # only the last earlier question needs its answer (the clause a follow-up may ask
            # about); the ones before it only say what the conversation is about
            key = (engine.index.build, scope, tuple(questions[: i + 1]), last)
            remembered = self._contexts.get(key)
            if remembered is not None:
                context = remembered
                continue
            query = engine.reader.read(previous, context, region_filter=scope.region)
            top = ""
            if last:
                answer = self._answer(engine, query, scope)
                top = answer.citations[0].clause.id if answer.citations and not answer.abstained else ""
            keeps_subject = context is not None and query.follow_up in ("clause", "context")
            context = Context(context.question if context and keeps_subject else query.standalone, top)
            self._contexts.put(key, context)
        return context

    def _answer(self, engine: Engine, query: Query, scope: _Scope) -> Answer:
        retriever = engine.retriever(scope.mode)
        limit = self.settings.max_citations
        hits = retriever.search(query, self.settings.rerank_candidates, document=scope.document,
                                include_retired=scope.include_retired)
        if query.pinned:
            hits = self._pin(engine, hits, query)
        documents = engine.index.documents

        def elsewhere() -> list[Hit]:
            """What other regions say, for a question whose region's documents are silent."""
            if scope.document:
                return []
            found = retriever.search(query, self.settings.rerank_candidates, include_retired=scope.include_retired,
                                     scoped=False)
            return [h for h in found if not query.in_scope(documents[h.clause.doc_id].region)]

        return compose(query, hits, documents, min_coverage=self.settings.min_coverage, max_citations=limit,
                       today=self.today(), elsewhere=elsewhere)

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
        """Every document with its clause count, in corpus order."""
        index = self.index
        counts = index.document_counts()
        return [(doc, counts.get(doc.id, 0)) for doc in index.documents.values()]

    def regions(self) -> list[str]:
        return self.retriever().regions()

    def region_tree(self) -> list[tuple[str, int]]:
        """The regions with documents and their depth in the region tree (province › city › district)."""
        return self.retriever().region_tree()

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

    # -- keeping the corpus current (admin) -----------------------------------------------------
    def authorize(self, token: str | None) -> None:
        """Admin actions need the token from settings; without one configured they are off."""
        expected = self.settings.admin_token.get_secret_value()
        if not expected:
            raise AdminDisabled("admin actions are off: set ASSISTANT_ADMIN_TOKEN on the server to turn them on")
        if not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise Unauthorized("missing or wrong admin token")

    def _change(self, edit: Callable[[Library], T]) -> tuple[T, dict[str, Any]]:
        """Edit the corpus, build, and serve the new build before returning (all or nothing)."""
        result, manifest = change(self.settings, edit, timeout=self.settings.build_wait_seconds)
        self.reload()
        return result, manifest

    def check_size(self, name: str, size: int) -> None:
        limit = self.settings.max_upload_bytes
        if size > limit:
            raise UploadTooLarge(f"{name} has more than the {limit} bytes allowed",
                                 f"文件超过 {limit / (1024 * 1024):g} MB 的上限。", limit=limit)

    def add_document(self, name: str, data: bytes, meta: Metadata | None = None) -> tuple[SourceSpec, dict[str, Any]]:
        self.check_size(name, len(data))
        return self._change(lambda library: library.add(name, data, meta or Metadata()))

    def update_document(self, doc_id: str, name: str, data: bytes) -> tuple[SourceSpec, dict[str, Any]]:
        self.check_size(name, len(data))
        return self._change(lambda library: library.update(doc_id, name, data))

    def remove_document(self, doc_id: str) -> tuple[SourceSpec, dict[str, Any]]:
        return self._change(lambda library: library.remove(doc_id))

    def retire_document(self, doc_id: str, superseded_by: str = "") -> dict[str, Any]:
        return self._change(lambda library: library.retire(doc_id, superseded_by))[1]

    def reinstate_document(self, doc_id: str) -> dict[str, Any]:
        return self._change(lambda library: library.reinstate(doc_id))[1]

    def manifest(self) -> dict[str, Any]:
        """The loaded index's manifest: corpus fingerprint, model, build time, counts."""
        return dict(self.index.manifest)
