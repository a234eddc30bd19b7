"""The question's key terms, weighted by rarity, for abstention and for picking the sentence to quote.

A term is a jieba word of the question (fillers removed) with its IDF in the corpus. Words the
corpus never uses count too when they are nouns (哈密瓜, 犬, 狗): a question about something the
documents never mention should not be answered from the words around it. A word covered by the
glossary counts as found when any of its policy terms is found.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.retrieval.lexical import LexicalIndex
from assistant.text import norm


@dataclass(frozen=True)
class KeyTerm:
    text: str
    weight: float
    alternatives: tuple[str, ...] = ()

    def found_in(self, normalized_text: str) -> bool:
        return self.text in normalized_text or any(a in normalized_text for a in self.alternatives)


def _is_noun(word: str) -> bool:
    import jieba.posseg

    return any(p.flag.startswith("n") or p.flag == "j" for p in jieba.posseg.cut(word))


def warm_up() -> None:
    """Load jieba's part-of-speech model now rather than in the first question with an unknown word."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    _is_noun("营商环境")


def key_terms(question: str, lexical: LexicalIndex, places: frozenset[str] = frozenset()) -> list[KeyTerm]:
    """Weighted key terms of `question`. Place names (`places`) are left out: where a question
    applies is the retriever's business, and a place alone answers nothing."""
    tokens = [t for t in lexical.tokenizer.query(question) if norm(t) not in places]
    glossary = lexical.glossary
    q = norm(question)
    phrases = {key: tuple(norm(t) for t in terms) for key, terms in glossary.terms.items() if key in q}
    known = [t for t in tokens if t in lexical.vocab]
    weights = {t: lexical.idf(t) for t in known}
    mean = sum(weights.values()) / len(weights) if weights else 1.0
    terms: list[KeyTerm] = []
    for token in tokens:
        alternatives = tuple(a for key, alts in phrases.items() if token in key for a in alts)
        if token in weights:
            terms.append(KeyTerm(norm(token), weights[token], alternatives))
        elif not alternatives and _is_noun(token):
            terms.append(KeyTerm(norm(token), mean))
    return terms


def coverage(text: str, terms: list[KeyTerm]) -> float:
    """Share of the question's weighted key terms found in `text`."""
    total = sum(t.weight for t in terms)
    if total <= 0:
        return 0.0
    normalized = norm(text)
    return sum(t.weight for t in terms if t.found_in(normalized)) / total
