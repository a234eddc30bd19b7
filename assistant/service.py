"""The service layer: one loaded index, questions in, cited answers out.

Every edge (CLI, HTTP, UI) calls these functions; none of them opens index files itself.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from assistant.answer import compose
from assistant.conversation import Context, FollowUpResolver, Resolved, Turn, user_questions
from assistant.errors import EmptyQuestion, QuestionTooLong, UnknownClause
from assistant.index import LoadedIndex, load_index
from assistant.intent import FACT_TYPES, Intent, detect_intent, intent_cue
from assistant.models import Answer, Clause, ClauseInContext, Document, Hit
from assistant.retrieval.hybrid import HybridRetriever, Mode
from assistant.retrieval.terms import key_terms
from assistant.retrieval.terms import warm_up as warm_up_terms
from assistant.settings import Settings, get_settings
from assistant.text import norm

log = logging.getLogger(__name__)


class Assistant:
    """Answers questions from one loaded index. Loads lazily, once, thread-safely."""

    def __init__(self, settings: Settings | None = None, index: LoadedIndex | None = None) -> None:
        self.settings = settings or get_settings()
        self._index = index
        self._lock = threading.Lock()
        self._retrievers: dict[str, HybridRetriever] = {}

    @property
    def index(self) -> LoadedIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    started = time.perf_counter()
                    self._index = load_index(self.settings)
                    log.info("index loaded in %.2fs (%d clauses)", time.perf_counter() - started,
                             len(self._index.clauses))
        return self._index

    def retriever(self, mode: Mode = "fused") -> HybridRetriever:
        if mode not in self._retrievers:
            self._retrievers[mode] = HybridRetriever(self.index, self.settings, mode)
        return self._retrievers[mode]

    @cached_property
    def places(self) -> frozenset[str]:
        """Region names as questions write them (西安, 西安市 …), left out of abstention coverage."""
        names = {norm(n) for n, _ in self.index.corpus_manifest.names()}
        return frozenset(names | {n + suffix for n in names for suffix in ("市", "省", "区")})

    @cached_property
    def follow_ups(self) -> FollowUpResolver:
        index = self.index
        topics = sorted({d.topic for d in index.documents.values() if d.topic})
        return FollowUpResolver(index.corpus_manifest, topics, index.lexical.tokenizer, index.lexical.glossary)

    @cached_property
    def _searchable_regions(self) -> frozenset[str]:
        """Regions a filter accepts: those of the documents and every region containing them."""
        manifest = self.index.corpus_manifest
        return frozenset(r for d in self.index.documents.values() for r in manifest.ancestors(d.region))

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.index.clauses)}

    # -- questions -----------------------------------------------------------------------------
    def validate(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise EmptyQuestion("the question is empty", "问题不能为空。")
        question = question.strip()
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise QuestionTooLong(f"the question has {len(question)} characters, more than {limit} allowed",
                                  f"问题有 {len(question)} 个字符，超过 {limit} 字的上限。", limit=limit)
        return question

    def search(self, question: str, k: int = 5, *, region: str | None = None, document: str | None = None,
               mode: Mode = "fused") -> list[Hit]:
        question = self.validate(question)
        return self.retriever(mode).search(question, k, region=region, document=document)

    def ask(self, question: str, *, region: str | None = None, document: str | None = None,
            mode: Mode = "fused", history: Sequence[Turn] = ()) -> Answer:
        """Answer `question`; `history` (earlier turns of the chat) lets it be a follow-up."""
        started = time.perf_counter()
        question = self.validate(question)
        context = self._context(history, region, document, mode)
        resolved = self.follow_ups.resolve(question, context)
        if resolved.follow_up:
            log.info("follow-up (%s): %r read as %r", resolved.follow_up, question, resolved.question)
        answer = self._answer(question, resolved, region, document, mode)
        elapsed = (time.perf_counter() - started) * 1000
        return dataclasses.replace(answer, latency_ms=elapsed,
                                   interpreted_as=resolved.question if resolved.follow_up else "",
                                   follow_up=resolved.follow_up)

    def _context(self, history: Sequence[Turn], region: str | None, document: str | None,
                 mode: Mode) -> Context | None:
        """Replay the earlier questions: what each was about, and the clause it was answered from."""
        context: Context | None = None
        for previous in user_questions(history, self.settings.max_history_turns):
            previous = previous.strip()[: self.settings.max_question_chars]
            resolved = self.follow_ups.resolve(previous, context)
            answer = self._answer(previous, resolved, region, document, mode)
            top = answer.citations[0].clause.id if answer.citations and not answer.abstained else ""
            keeps_subject = context is not None and resolved.follow_up in ("clause", "context")
            context = Context(context.question if context and keeps_subject else resolved.question, top)
        return context

    def _answer(self, question: str, resolved: Resolved, region: str | None, document: str | None,
                mode: Mode) -> Answer:
        retriever = self.retriever(mode)
        limit = self.settings.max_citations
        if resolved.region and not region:
            region = resolved.region if resolved.region in self._searchable_regions else None
        hits = retriever.search(resolved.question, limit, region=region, document=document)
        intent = detect_intent(question) if intent_cue(question) else detect_intent(resolved.question)
        if resolved.pinned:
            hits = self._pin(hits, resolved.pinned, intent, limit)
        terms = key_terms(resolved.question, self.index.lexical, self.places)
        hints = retriever.hints(resolved.question)
        return compose(question, hits, self.index.documents, intent, terms, self.settings.min_coverage,
                       bool(hints.regions or region), limit)

    def _pin(self, hits: list[Hit], clause_id: str, intent: Intent, limit: int) -> list[Hit]:
        """Put the clause a follow-up asks about first, when it states a fact of the asked kind."""
        position = self._positions.get(clause_id)
        if position is None:
            return hits
        clause = self.index.clauses[position]
        wanted = FACT_TYPES[intent]
        if wanted and not any(f.type in wanted for f in clause.facts):
            return hits  # it does not say: let retrieval find the clause that does
        score = max((h.score for h in hits), default=1.0)
        rest = [h for h in hits if h.clause.id != clause_id]
        ordered = [Hit(clause, score, 1, {})] + rest
        return [dataclasses.replace(h, rank=r) for r, h in enumerate(ordered[:limit], start=1)]

    def warm_up(self) -> None:
        """Load the index and the lazily loaded tokenizer models, so the first user waits for nothing."""
        warm_up_terms()
        self.ask("泾河新城开办企业要多久？", history=[Turn("user", "开办企业要多久？")])

    # -- browsing ------------------------------------------------------------------------------
    def documents(self) -> list[tuple[Document, int]]:
        """Every document with its clause count, in corpus order."""
        counts: dict[str, int] = {}
        for clause in self.index.clauses:
            counts[clause.doc_id] = counts.get(clause.doc_id, 0) + 1
        return [(doc, counts.get(doc.id, 0)) for doc in self.index.documents.values()]

    def regions(self) -> list[str]:
        return self.retriever().regions()

    def clause(self, clause_id: str) -> ClauseInContext:
        position = self._positions.get(clause_id)
        if position is None:
            raise UnknownClause(f"no clause with id {clause_id!r}", f"未找到编号为“{clause_id}”的条款。")
        clauses = self.index.clauses
        clause = clauses[position]

        def neighbour(i: int) -> Clause | None:
            return clauses[i] if 0 <= i < len(clauses) and clauses[i].doc_id == clause.doc_id else None

        return ClauseInContext(clause, self.index.documents[clause.doc_id], neighbour(position - 1),
                               neighbour(position + 1))

    def manifest(self) -> dict[str, Any]:
        """The loaded index's manifest: corpus fingerprint, model, build time, counts."""
        return dict(self.index.manifest)
