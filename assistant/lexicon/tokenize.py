"""Chinese tokenisation for lexical search: jieba with a domain dictionary, plus a glossary that
maps how people ask to how policies say it.

Text is NFKC-normalised, traditional characters made simplified (OpenCC t2s: "營業執照" is found
by "营业执照" and the other way round) and lower-cased before cutting; nothing with legal meaning (应当, 不得,
以上, 以下, 前) is dropped. Only punctuation and the question's own filler words (多少, 什么 …)
are removed from queries.
"""

from __future__ import annotations

import logging
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jieba

from assistant.errors import CorpusError
from assistant.lexicon.text import simplified
from assistant.lexicon.words import words

log = logging.getLogger(__name__)

_KEEP = re.compile(r"[\w%+]")
# Words that only make a question a question; removed from queries, never from documents.
QUERY_FILLERS = frozenset(words().query_fillers)


def normalize(text: str) -> str:
    return simplified(unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Glossary:
    terms: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path) -> Glossary:
        if not path.is_file():
            return cls({})
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CorpusError(f"cannot read glossary {path}: {exc}") from exc
        terms = {normalize(k): tuple(normalize(v) for v in vs) for k, vs in data.get("terms", {}).items()}
        return cls(terms)

    def expand(self, text: str) -> list[str]:
        """Policy terms for the colloquial phrases found in `text`."""
        t = normalize(text)
        return [term for key, terms in self.terms.items() if key in t for term in terms]


class Tokenizer:
    """jieba with the corpus's domain dictionary; one instance per index, thread-safe.

    `extra_words` (region and indicator names, which change as documents come and go) join the
    dictionary without adding to jieba's total frequency. The total weighs every segmentation, so
    keeping it fixed means a new word changes the tokens only of texts that contain it: an
    incremental build re-tokenizes just those (`assistant.index.build`).
    """

    _lock = threading.Lock()

    def __init__(self, dictionary: Path | None = None, extra_words: tuple[str, ...] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        jieba.setLogLevel(logging.WARNING)
        with self._lock:
            self._jieba.initialize()
            if dictionary is not None and dictionary.is_file():
                self._jieba.load_userdict(str(dictionary))
            total = self._jieba.total
            for word in extra_words:
                self._jieba.add_word(normalize(word), freq=20000)
            self._jieba.total = total

    def words(self, text: str) -> list[str]:
        """Search-mode cut of the normalised text, punctuation removed."""
        return [w for w in self._jieba.cut_for_search(normalize(text)) if _KEEP.search(w)]

    def boundaries(self, normalized: str) -> frozenset[int]:
        """Where the words of an already normalised text begin and end (jieba's accurate cut)."""
        out = {0, len(normalized)}
        for _word, start, end in self._jieba.tokenize(normalized):
            out.update((start, end))
        return frozenset(out)

    def starts_word(self, normalized: str, position: int) -> bool:
        """A word of two or more characters in the dictionary begins at `position`."""
        freq = self._jieba.FREQ
        return any(freq.get(normalized[position : position + n]) for n in (2, 3, 4)
                   if position + n <= len(normalized))

    def cut(self, text: str) -> list[tuple[str, int, int]]:
        """The words of `text` (jieba's accurate cut, no new words guessed) with their spans."""
        return list(self._jieba.tokenize(text, HMM=False))

    def is_word(self, text: str) -> bool:
        """Whether `text` is a word of the dictionary (jieba's and the domain's)."""
        return bool(self._jieba.FREQ.get(normalize(text)))

    def document(self, text: str) -> list[str]:
        return self.words(text)

    def query(self, text: str, glossary: Glossary | None = None) -> list[str]:
        tokens = [w for w in self.words(text) if w not in QUERY_FILLERS]
        if glossary is not None:
            for term in glossary.expand(text):
                tokens.extend(w for w in self.words(term) if w not in QUERY_FILLERS)
        return list(dict.fromkeys(tokens))
