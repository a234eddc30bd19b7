"""Dense search on inline vectors (from the scale tests): top-k without sorting every score, and
scoped dense search exact or through FAISS (flat and IVF)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index.dense import DenseIndex, faiss_index, top_k


def test_top_k_equals_a_full_stable_sort():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 20, size=5000).astype(np.float32)  # many ties
    ids = np.arange(5000)
    for k in (1, 7, 50, 5000, 6000):
        got, got_scores = top_k(ids, scores, k)
        expected = np.argsort(-scores, kind="stable")[:k]
        assert got_scores.tolist() == scores[expected].tolist()
        assert got.tolist() == expected.tolist()  # ties by id, as a stable sort gives them


def _unit(rng: np.random.Generator, n: int, d: int = 32, topics: int = 0) -> np.ndarray:
    """Unit vectors; with `topics`, gathered around that many centres, as texts about a few
    subjects are (IVF relies on that)."""
    v = rng.normal(size=(n, d)).astype(np.float32)
    if topics:
        centres = rng.normal(size=(topics, d)).astype(np.float32)
        v = centres[rng.integers(0, topics, size=n)] + 0.35 * v
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("n", [3000, 40_000])
def test_scoped_dense_search_is_exact_or_close_and_never_leaves_the_scope(tmp_path, n):
    """Flat below the threshold, IVF above it (the threshold lowered for the test): a narrow scope
    is scored exactly; a wide one through FAISS's bitmap selector finds only clauses in scope."""
    rng = np.random.default_rng(5)
    vectors = _unit(rng, n, topics=60)
    import faiss

    faiss.write_index(faiss_index(vectors, flat_up_to=10_000), str(tmp_path / "dense.faiss"))
    np.save(tmp_path / "vectors.npy", vectors)
    dense = DenseIndex.load(tmp_path, encoder=None, nprobe=16, exact_up_to=500)  # type: ignore[arg-type]
    assert isinstance(dense.index, faiss.IndexIVF if n > 10_000 else faiss.IndexFlat)  # read memory-mapped
    query = vectors[17] + 0.01 * _unit(rng, 1)[0]
    for share in (0.01, 0.5, 1.0):
        mask = rng.random(n) < share
        mask[17] = True
        ids, sims = dense.top(query, 10, None if share == 1.0 else mask)
        exact = np.flatnonzero(mask)[np.argsort(-(vectors[mask] @ query), kind="stable")[:10]]
        assert mask[ids].all() and ids[0] == 17
        assert np.allclose(sims, vectors[ids] @ query, atol=1e-5)  # the cosines are exact
        overlap = len(set(ids.tolist()) & set(exact.tolist()))
        assert overlap == 10 if (n <= 10_000 or mask.sum() <= 500) else overlap >= 6, (n, share, overlap)
    assert dense.top(query, 5, np.zeros(n, dtype=bool))[0].size == 0
