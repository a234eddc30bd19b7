"""The question's key terms, weighted by rarity, for abstention and for picking the sentence to quote.

A term is a jieba word of the question (fillers removed) with its IDF in the corpus. Words the
corpus never uses count too when they are nouns (哈密瓜, 犬, 狗): a question about something the
documents never mention should not be answered from the words around it. A word covered by the
glossary counts as found when any of its policy terms is found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from assistant.index.lexical import LexicalIndex
from assistant.lexicon.text import norm
from assistant.lexicon.words import one_of, words


@dataclass(frozen=True)
class KeyTerm:
    text: str
    weight: float
    alternatives: tuple[str, ...] = ()
    contracted: bool = False  # a two-character word the documents never use may stand for a longer one
    quoted: bool = False  # a name the asker put in quotes: what answers must say it
    grams: tuple[str, ...] = field(default=(), init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "grams", tuple(bigrams(self.text)))

    def found_in(self, normalized_text: str) -> bool:
        """Said in the text: the word itself, one of its alternatives (glossary terms, the phrases
        of its concept), or most of its character bigrams (企业开办 says 开办企业)."""
        if self.text in normalized_text or any(a in normalized_text for a in self.alternatives):
            return True
        grams = self.grams
        if self.contracted and len(self.text) == 2:  # a contraction: 老人 is said by 老年人
            return _contraction(self.text).search(normalized_text) is not None
        return len(grams) >= 2 and sum(g in normalized_text for g in grams) >= 0.66 * len(grams)



@lru_cache(maxsize=8192)
def _contraction(word: str) -> re.Pattern[str]:
    return re.compile(re.escape(word[0]) + r"[\u4e00-\u9fff]" + re.escape(word[1]))


def bigrams(text: str) -> list[str]:
    return [text[i : i + 2] for i in range(len(text) - 1)]


@lru_cache(maxsize=8192)
def _flags(word: str) -> tuple[str, ...]:
    import jieba.posseg

    return tuple(p.flag for p in jieba.posseg.cut(word))


def _is_noun(word: str) -> bool:
    """Every part a noun (哈密瓜, 犬只), so colloquial fragments (开了个) are not taken for one."""
    flags = _flags(word)
    return bool(flags) and all(f.startswith("n") or f == "j" for f in flags)


# Parts of speech that say how, not what: adverbs, pronouns, prepositions, numerals, particles.
_FUNCTION_FLAGS = words().function_pos
# "能办", "不用", "想查": a modal or a negation glued to a verb by the cut, not a subject; "前要",
# "还要": one glued to the word before it.
_MODAL = re.compile("^" + one_of(words().modal_heads))
_MODAL_TAIL = re.compile(one_of(words().modal_heads) + "$")
FUNCTION_WEIGHT = 0.3


def _discount(token: str, df_rare: bool) -> float:
    """How much a question word counts: content words fully, function words a little, a rare
    modal+verb fragment of colloquial speech ("能办", "能通") not at all."""
    if len(token) == 2 and df_rare and (_MODAL.match(token) or (_MODAL_TAIL.search(token) and not _is_noun(token))):
        return 0.0
    flags = _flags(token)
    if flags and all(f in _FUNCTION_FLAGS for f in flags):
        return FUNCTION_WEIGHT
    return 1.0


def warm_up() -> None:
    """Load jieba's part-of-speech model now rather than in the first question with an unknown word."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    _is_noun("营商环境")


def key_terms(question: str, lexical: LexicalIndex, places: frozenset[str] = frozenset(),
              concept_phrases: tuple[tuple[str, ...], ...] = ()) -> list[KeyTerm]:
    """Weighted key terms of `question`. Place names (`places`) are left out: where a question
    applies is the retriever's business, and a place alone answers nothing. A word inside a
    phrase of a concept the question names may be said with any of the concept's phrases."""
    q = norm(question)
    for place in sorted(places, key=len, reverse=True):
        q = q.replace(place, " ")
    tokens = [t for t in lexical.tokenizer.query(q) if norm(t) not in places and len(t) > 1]
    # A name the asker puts in quotes (“智能秒批”) is one term: said by a text that says it, not by
    # one that says a word of it.
    names = quoted(q)
    tokens += [phrase for phrase in names if phrase not in tokens]
    # The whole word stands for its parts: 个人所得税 is not said by a text that says 所得税.
    tokens = [t for t in tokens if not any(t != o and t in o for o in tokens)]
    glossary = lexical.glossary
    phrases = {key: tuple(norm(t) for t in terms) for key, terms in glossary.terms.items() if key in q}
    for group in concept_phrases:
        for key in group:
            # A phrase the documents use means itself (出口退税 is not any 跨境贸易 clause); one
            # they do not use (开公司) is said by any phrase of its concept.
            if key in q and lexical.df(key) < 3:
                phrases[key] = tuple(dict.fromkeys(phrases.get(key, ()) + group))
    known = [t for t in tokens if t in lexical.vocab]
    weights = {t: lexical.idf(t) for t in known}
    words = lexical.tokenizer.words
    for token in tokens:  # a compound the corpus never uses as one word weighs as its rarest part
        if token not in weights and len(token) >= 3:
            parts = [lexical.idf(w) for w in words(token) if w != token and w in lexical.vocab]
            if parts:
                weights[token] = max(parts)
    # A noun the corpus never uses is as rare as a word can be: it weighs like the rarest one.
    rarest = lexical.max_idf
    terms: list[KeyTerm] = []
    for token in tokens:
        alternatives = tuple(a for key, alts in phrases.items() if token in key for a in alts)
        factor = 1.0 if alternatives else _discount(token, lexical.df(token) < 3)
        if factor <= 0:
            continue
        if token in weights:
            terms.append(KeyTerm(norm(token), weights[token] * factor, alternatives))
        elif alternatives:
            # A word people use and the documents do not (饭馆 → 餐饮): said by its policy terms,
            # weighing as the rarest of them.
            said = [lexical.idf(w) for a in alternatives for w in words(a) if w in lexical.vocab]
            if said:
                terms.append(KeyTerm(norm(token), max(said), alternatives))
        elif _is_noun(token):
            terms.append(KeyTerm(norm(token), rarest * factor, contracted=True))
        elif modifies(token, q, lexical):
            terms.append(KeyTerm(norm(token), rarest * factor))
    return [replace(t, quoted=True) if t.text in names else t for t in terms]


_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"]{2,12})[”」』\"]")


def quoted(text: str) -> list[str]:
    """The phrases a question puts in quotes, without spaces (place names taken out leave none)."""
    return [phrase for m in _QUOTED.finditer(text) if len(phrase := "".join(m.group(1).split())) >= 2]


def modifies(token: str, question: str, lexical: LexicalIndex) -> bool:
    """A word the documents never use, written straight before the head noun of a procedure
    (登记, 许可, 备案 …), says which procedure is asked: 离婚 in 离婚登记 (the documents speak of
    不动产登记), so a clause that says only 登记 does not answer it."""
    if lexical.df(token) > 0 or _MODAL.match(token):
        return False
    at = question.find(token)
    return at >= 0 and question.startswith(_PROCEDURE_HEADS, at + len(token))


_PROCEDURE_HEADS = tuple(words().procedure_heads)


def coverage(text: str, terms: list[KeyTerm]) -> float:
    """Share of the question's weighted key terms found in `text`."""
    total = sum(t.weight for t in terms)
    if total <= 0:
        return 0.0
    normalized = norm(text)
    return sum(t.weight for t in terms if t.found_in(normalized)) / total
