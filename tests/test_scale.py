"""The parts that let one machine serve a large corpus, on inline data: the clause store read on
demand, top-k without sorting every score, scoped dense search exact or through FAISS (flat and
IVF), and the scale corpus generator's own rules."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.index.clauses import ClauseStore, clause_from_json, clause_to_json, write_clauses
from assistant.index.dense import DenseIndex, faiss_index, top_k
from assistant.models import Clause, Fact

ROOT = Path(__file__).resolve().parent.parent


def clause(i: int, doc: str) -> Clause:
    text = f"第{i}条 企业开办全流程{i % 5 + 1}个工作日办结。“引号”\n牵头单位：市监分局"
    return Clause(id=f"{doc}:{i}.", doc_id=doc, path=f"{i}.", headings=("一、总体要求",), text=text, page=i % 3 or None,
                  source_file="f.txt", line_start=i, line_end=i + 1,
                  facts=(Fact("time_limit", f"{i % 5 + 1}个工作日", f"{i % 5 + 1} working_days", 10, 15),),
                  fields=(("牵头单位", "市监分局"),))


def test_the_clause_store_reads_clauses_on_demand(tmp_path):
    clauses = [clause(i, "a" if i < 7 else "b") for i in range(12)]
    assert write_clauses(tmp_path, clauses, {"a": 0, "b": 1}) == 12
    store = ClauseStore(tmp_path, cache_size=4)
    assert len(store) == 12 and store[3] == clauses[3] and store[-1] == clauses[-1]
    assert list(store) == clauses and store[2:5] == clauses[2:5]
    assert store.positions["b:9."] == 9 and store.doc_positions.tolist() == [0] * 7 + [1] * 5
    assert store.counts(2).tolist() == [7, 5]
    assert clause_from_json(clause_to_json(clauses[0])) == clauses[0]
    with pytest.raises(IndexError):
        store[12]
    store.close()
    (tmp_path / "clauses.jsonl").write_bytes((tmp_path / "clauses.jsonl").read_bytes()[:-10])
    with pytest.raises(ValueError, match="offsets"):
        ClauseStore(tmp_path)


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


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("scale_corpus", ROOT / "scripts" / "scale_corpus.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["scale_corpus"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_the_generator_moves_numbers_and_years_but_not_dates_or_doc_numbers():
    import random

    g = _generator()
    text = "2023年6月底前，开办企业压缩至3个工作日，由45天压缩至20天。陕政发〔2023〕15号。3月13日"
    moved = g._shift_years(g._renumber(text, random.Random(1)), 2)
    assert "2025年6月底前" in moved and "〔2023〕15号" in moved and "3月13日" in moved
    assert "3个工作日" not in moved and "45天" not in moved
    assert g._stem("对标学习先进地区，全面实现企业开办全流程") == "对标学习先进地区，全面实现企业开办全流程"
    names = g.districts(500, {"东川区"})
    assert len({n for n, _ in names}) == 500 and "东川区" not in {n for n, _ in names}


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
