"""The service layer: one loaded index, questions in, cited answers out.

Every edge (CLI, HTTP, UI) calls these functions; none of them opens index files itself.
"""

from __future__ import annotations

import logging
import threading
import time
from functools import cached_property

from assistant.answer import compose
from assistant.errors import InvalidQuestion
from assistant.index import LoadedIndex, load_index
from assistant.intent import detect_intent
from assistant.models import Answer, Hit
from assistant.retrieval.hybrid import HybridRetriever, Mode
from assistant.retrieval.terms import key_terms
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

    def validate(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidQuestion("the question is empty / 问题不能为空")
        question = question.strip()
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InvalidQuestion(f"the question has {len(question)} characters, more than {limit} / 问题过长")
        return question

    def search(self, question: str, k: int = 5, *, region: str | None = None, document: str | None = None,
               mode: Mode = "fused") -> list[Hit]:
        question = self.validate(question)
        return self.retriever(mode).search(question, k, region=region, document=document)

    def ask(self, question: str, *, region: str | None = None, document: str | None = None,
            mode: Mode = "fused") -> Answer:
        started = time.perf_counter()
        question = self.validate(question)
        retriever = self.retriever(mode)
        hits = retriever.search(question, self.settings.max_citations, region=region, document=document)
        terms = key_terms(question, self.index.lexical, self.places)
        hints = retriever.hints(question)
        answer = compose(question, hits, self.index.documents, detect_intent(question), terms,
                         self.settings.min_coverage, bool(hints.regions or region), self.settings.max_citations)
        elapsed = (time.perf_counter() - started) * 1000
        return Answer(answer.question, answer.text, answer.abstained, answer.citations, answer.facts, elapsed)
