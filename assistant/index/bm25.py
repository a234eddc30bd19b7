"""BM25 arrays built with numpy from token ids, for bm25s to save and load.

bm25s's own `index()` counts terms document by document in Python, holding a Python int per
token: at 10^6 clauses (about 2·10^8 tokens) that alone is several GB. Here the same matrix, the
same numbers, comes from sorting one int64 key per token (term · n + document): term frequencies
are run lengths, document frequencies a bincount, and the scores bm25s's "lucene" variant, IDF
rounded to float32 first as bm25s does. `tests/unit/index/test_bm25.py` checks it against bm25s.
"""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np


def bm25_from_ids(docs: Sequence[np.ndarray], vocab: dict[str, int], *, k1: float = 1.2,
                  b: float = 0.6) -> bm25s.BM25:
    """A bm25s.BM25 over documents given as arrays of term ids (`vocab` maps term → id, ids from 0)."""
    n = len(docs)
    n_vocab = len(vocab)
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=n)
    average = np.array(lengths).mean()  # float64, as bm25s computes it
    key = np.concatenate([np.asarray(d, dtype=np.int64) for d in docs]) if n else np.zeros(0, dtype=np.int64)
    key *= n
    key += np.repeat(np.arange(n, dtype=np.int64), lengths)
    key.sort()
    starts = np.flatnonzero(np.diff(key)) + 1 if len(key) else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], starts]) if len(key) else starts
    tf = np.diff(np.concatenate([starts, [len(key)]])).astype(np.float32)
    pairs = key[starts]
    del key, starts
    term = (pairs // n).astype(np.int32)
    doc = (pairs % n).astype(np.int32)
    del pairs
    df = np.bincount(term, minlength=n_vocab)
    idf = np.zeros(n_vocab, dtype=np.float32)
    seen = df > 0
    idf[seen] = np.log(1 + (n - df[seen] + 0.5) / (df[seen] + 0.5))
    tfc = tf / (k1 * ((1 - b) + b * lengths[doc] / average) + tf)
    data = (idf[term] * tfc).astype(np.float32)
    indptr = np.zeros(n_vocab + 1, dtype=np.int32)
    np.cumsum(df, out=indptr[1:])
    bm25 = bm25s.BM25(k1=k1, b=b)
    bm25.scores = {"data": data, "indices": doc, "indptr": indptr, "num_docs": n}
    bm25.vocab_dict = {**vocab, "": n_vocab}  # the empty token, last, as bm25s adds it
    bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
    bm25.nonoccurrence_array = None  # the "lucene" variant has none
    return bm25
