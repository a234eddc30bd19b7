"""What was said, before it is read: an operator's relay words dropped ("来电人问…"), small talk
told apart ("谢谢", "今天天气怎么样"), and input-method homophones of a place or a domain term
read as the word meant ("西按" → 西安, "抵压" → 抵押). The words: lexicon/words.toml [said].
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from assistant.lexicon.text import norm
from assistant.lexicon.words import either, one_of, words

_W = words()
_RELAY = re.compile(f"^(?:{either(_W.relay_speakers)})(?:{either(_W.relay_adverbs)})*"
                    f"(?:{either(_W.relay_verbs)})(?!{one_of(_W.relay_not_before)})(?:一下)?[，,：:\\s]*")
_SMALL_TALK = {kind: frozenset(norm(w).lower() for w in ws) for kind, ws in _W.small_talk}
_TALK_WORDS = re.compile(either(tuple(sorted({norm(w).lower() for _k, ws in _W.small_talk for w in ws}
                                             | {norm(w) for w in _W.small_talk_fillers}, key=len, reverse=True))))
_NOT_TEXT = re.compile(r"[\W_]+")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class Said:
    text: str  # what is read as the question
    small_talk: str = ""  # thanks | greeting | farewell | chat: a message that asks nothing of the documents
    corrected: tuple[tuple[str, str], ...] = ()  # (as written, as read) for each homophone read as another word


def without_relay(text: str) -> str:
    """The question without the operator's relay words before it ("来电人问：", "他又问", "对方还想知道")."""
    out = text.strip()
    while (m := _RELAY.match(out)) and m.end() < len(out):
        out = out[m.end() :]
    return out


def small_talk(text: str) -> str:
    """The kind of small talk `text` is, "" when it asks something: a message made only of small-talk
    words and fillers. Chat (天气) wins over a greeting, a greeting over a farewell or thanks."""
    plain = _NOT_TEXT.sub("", norm(text).lower())
    if not plain or _TALK_WORDS.sub("", plain):
        return ""
    said = set(_TALK_WORDS.findall(plain))
    for kind in ("chat", "greeting", "farewell", "thanks"):
        if said & _SMALL_TALK[kind]:
            return kind
    return ""


@lru_cache(maxsize=8192)
def _sound(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL)[0]


def _toned(text: str) -> list[str]:
    return lazy_pinyin(text, style=Style.TONE3)


Cut = Callable[[str], Iterable[tuple[str, int, int]]]


class Homophones:
    """Places and domain terms by their toneless pinyin: a stretch of the question that sounds the
    same as one of them, differs from it in at most `max_changes` characters (and not in all), is
    no word itself and cuts no word of the question in two (`cut`: the question's words with their
    spans), is read as it."""

    def __init__(self, terms: Iterable[str], is_word: Callable[[str], bool], cut: Cut | None = None,
                 max_changes: int = _W.homophone_max_changes, places: Iterable[str] = (),
                 in_corpus: Callable[[str], bool] | None = None, toned: Iterable[str] = (),
                 frequent: Callable[[str], bool] | None = None) -> None:
        by_sound: dict[tuple[str, ...], str | None] = {}
        for term in [*terms, *places]:
            term = norm(term)
            if not (2 <= len(term) <= 8 and _HAN.match(term)):
                continue
            key = tuple(_sound(c) for c in term)
            by_sound[key] = term if by_sound.get(key, term) == term else None  # two terms, one sound: neither
        self._by_sound = {k: v for k, v in by_sound.items() if v is not None}
        self._lengths = sorted({len(k) for k in self._by_sound}, reverse=True)
        self._is_word = is_word
        # A place of the corpus is read for a homophone that is a place elsewhere (卫滨区 for 渭滨区)
        # unless the documents themselves use that word.
        self._places = frozenset(norm(p) for p in places)
        # Short common words, read for a stretch only when even its tones match (犬证 is no 权证).
        self._toned = frozenset(norm(t) for t in toned)
        self._in_corpus = in_corpus or is_word
        # A character the documents use as a word of its own, often (是, 区, 市): two such words side
        # by side are two words ("是区" in 我们是区政务中心), not a typo of a common one (市区).
        self._frequent = frequent or (lambda _ch: False)
        self._cut = cut
        self._max_changes = max_changes

    def _word_starts(self, text: str) -> set[int]:
        """Where the cut starts a word of `text` (empty when there is no cut)."""
        return set() if self._cut is None else {s for _w, s, _e in self._cut(text)}

    def _edges_inside_words(self, text: str) -> set[int]:
        """Positions inside a dictionary word of `text` (a typo does not begin or end there)."""
        if self._cut is None:
            return set()
        return {p for w, s, e in self._cut(text) if e - s >= 2 and self._is_word(w) for p in range(s + 1, e)}

    def _word_and_more(self, window: str, term: str) -> bool:
        """A word with another character after (or before) it: "西安是" is 西安 and 是, not 西安市."""
        changed = [k for k, (a, b) in enumerate(zip(window, term, strict=True)) if a != b]
        first, last = changed[0], changed[-1]
        if changed == list(range(first, len(window))) and first >= 2 and self._is_word(window[:first]):
            return True
        return changed == list(range(0, last + 1)) and len(window) - last - 1 >= 2 and self._is_word(window[last + 1 :])

    def correct(self, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """`text` with its homophones replaced, and the replacements (as written, as read)."""
        out: list[str] = []
        corrected: list[tuple[str, str]] = []
        inside: set[int] | None = None  # cut only when a stretch sounds like a term
        starts: set[int] | None = None
        i = 0
        while i < len(text):
            for size in self._lengths:
                window = text[i : i + size]
                term = self._by_sound.get(tuple(_sound(c) for c in window)) if (
                    len(window) == size and _HAN.match(window)) else None
                if term is None:
                    continue
                if term != window:
                    inside = self._edges_inside_words(text) if inside is None else inside
                    if not self._typo_of(window, term, i in inside or i + size in inside):
                        continue
                    starts = self._word_starts(text) if starts is None else starts
                    if (size == 2 and term in self._toned and term not in self._places and {i, i + 1} <= starts
                            and self._frequent(window[0]) and self._frequent(window[1])):
                        continue  # two words of their own ("是区" in 我们是区政务中心), not a typo of one (市区)
                    corrected.append((window, term))
                out.append(term)  # a term as written, or the term a typo stands for: nothing inside is read again
                i += size
                break
            else:
                out.append(text[i])
                i += 1
        return "".join(out), tuple(corrected)

    def _typo_of(self, window: str, term: str, cuts_a_word: bool) -> bool:
        """Whether `window`, which sounds like `term`, is a typo of it (see the class docstring)."""
        changes = sum(a != b for a, b in zip(window, term, strict=True))
        if term in self._toned and term not in self._places and _toned(window) != _toned(term):
            return False  # the very same sounds, tones too (代款 → 贷款, never 犬证 → 权证)
        taken = self._in_corpus(window) if term in self._places else self._is_word(window)
        return (changes <= self._max_changes and changes < len(window) and not taken and not cuts_a_word
                and not self._word_and_more(window, term))


class Listener:
    """Turns a message into what is read: relay words dropped, small talk told apart, homophones
    of `homophones` read as the words meant."""

    def __init__(self, homophones: Homophones | None = None) -> None:
        self.homophones = homophones

    def hear(self, message: str) -> Said:
        text = without_relay(message)
        kind = small_talk(text)
        if kind:
            return Said(text, kind)
        if self.homophones is None:
            return Said(text)
        fixed, corrected = self.homophones.correct(text)
        return Said(fixed, corrected=corrected)
