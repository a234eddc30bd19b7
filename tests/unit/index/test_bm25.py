"""BM25 assembled from term ids equals bm25s's own, on inline documents (from the scale tests)."""

from __future__ import annotations

import numpy as np


def test_bm25_from_ids_equals_bm25s(tmp_path):
    import bm25s

    from assistant.index.bm25 import bm25_from_ids

    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(300)]
    docs = [[words[j] for j in rng.zipf(1.3, size=rng.integers(1, 60)) % 300] for _ in range(400)]
    docs[7] = ["∅"]
    theirs = bm25s.BM25(k1=1.2, b=0.6)
    theirs.index(docs, show_progress=False)
    vocab: dict[str, int] = {}
    ids = [np.array([vocab.setdefault(t, len(vocab)) for t in d], dtype=np.int32) for d in docs]
    ours = bm25_from_ids(ids, vocab, k1=1.2, b=0.6)
    for query in (["w1", "w2"], ["w17"], ["w250", "w1", "w3"], ["∅"]):
        a = theirs.get_scores(query)
        b = ours.get_scores(query)
        assert np.allclose(a, b, rtol=1e-6, atol=1e-7), query
        assert np.argsort(-a, kind="stable")[:10].tolist() == np.argsort(-b, kind="stable")[:10].tolist()
    assert set(ours.vocab_dict) == set(theirs.vocab_dict)
    ours.save(str(tmp_path / "ours"), show_progress=False)  # saved and loaded as bm25s's own
    loaded = bm25s.BM25.load(str(tmp_path / "ours"), mmap=True)
    assert np.allclose(loaded.get_scores(["w1", "w2"]), theirs.get_scores(["w1", "w2"]), rtol=1e-6, atol=1e-7)
