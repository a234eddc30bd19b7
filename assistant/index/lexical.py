"""BM25 over jieba tokens (bm25s), saved as plain files (no pickle)."""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

from assistant.index.dense import top_k
from assistant.lexicon.tokenize import Glossary, Tokenizer

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import and logs every build


def save_bm25(bm25: bm25s.BM25, folder: Path) -> None:
    bm25.save(str(folder), show_progress=False)


class LexicalIndex:
    def __init__(self, bm25: bm25s.BM25, tokenizer: Tokenizer, glossary: Glossary) -> None:
        self.bm25 = bm25
        self.tokenizer = tokenizer
        self.glossary = glossary
        vocab = bm25.vocab_dict or {}
        counts = np.diff(bm25.scores["indptr"])  # CSC columns are tokens: column length = df
        self._df = {tok: int(counts[i]) for tok, i in vocab.items() if tok and i < len(counts)}
        self.vocab: set[str] = set(self._df)

    def save(self, folder: Path) -> None:
        save_bm25(self.bm25, folder)

    @classmethod
    def load(cls, folder: Path, tokenizer: Tokenizer, glossary: Glossary, *, mmap: bool = False) -> LexicalIndex:
        """With `mmap` the score arrays stay on disk, paged in as questions touch them."""
        bm25 = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0, mmap=mmap)
        return cls(bm25, tokenizer, glossary)

    def query_tokens(self, question: str) -> list[str]:
        return [t for t in self.tokenizer.query(question, self.glossary) if t in self.vocab]

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every clause, in index order."""
        tokens = self.query_tokens(question)
        if not tokens:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    def top(self, scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k clauses (of the mask) with the highest positive score: (ids, scores), best first,
        ties by id; only the clauses that score are ranked, not all of them."""
        hit = scores > 0
        if mask is not None:
            hit &= mask
        ids = np.flatnonzero(hit)
        return top_k(ids, scores[ids], k)

    @property
    def n_clauses(self) -> int:
        return int(self.bm25.scores["num_docs"])

    @property
    def max_idf(self) -> float:
        """The IDF of a token used by one clause: the rarest a word of the corpus can be."""
        n = self.bm25.scores["num_docs"]
        return float(np.log(1 + (n - 1 + 0.5) / (1 + 0.5)))

    def df(self, token: str) -> int:
        """How many clauses use the token."""
        return self._df.get(token, 0)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token (0 for tokens the corpus lacks)."""
        df = self._df.get(token, 0)
        if not df:
            return 0.0
        n = self.bm25.scores["num_docs"]
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
