"""The fitted decision: whether a chosen passage answers its ask."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.decide import FEATURES, Decision, features, model
from assistant.answer.passages import rank_passages
from assistant.answer.select import candidates, searchable
from scripts.fit_decision import calibration, fit, out_of_fold, predict, threshold
from tests.unit.answer.test_answer import clause, doc, hits, query


def toml(weights: list[float], bias: float = 0.0, threshold: float = 0.5, names: tuple[str, ...] = FEATURES) -> str:
    n = len(names)
    return (f"features = {list(names)!r}\nmean = {[0.0] * n}\nscale = {[1.0] * n}\n"
            f"weights = {weights}\nbias = {bias}\nthreshold = {threshold}\n").replace("'", '"')


def test_confidence_is_the_logistic_of_the_standardised_features():
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("relevance")] = 2.0
    decision = Decision.from_toml(toml(weights, bias=-1.0))
    x = dict.fromkeys(FEATURES, 0.0)
    assert decision.confidence({**x, "relevance": 0.5}) == pytest.approx(0.5)
    assert decision.confidence({**x, "relevance": 1.0}) > 0.7
    assert not decision.answers({**x, "relevance": 0.0})


def test_a_model_fitted_on_other_features_is_refused_not_misread():
    with pytest.raises(ValueError, match="refit"):
        Decision.from_toml(toml([0.0, 0.0], names=("relevance", "score")))


def test_the_shipped_model_loads_with_the_codes_features():
    decision = model()
    assert decision is not None
    assert len(decision.weights) == len(FEATURES)
    assert 0.0 <= decision.threshold < 1.0


def test_a_passage_bound_to_the_subject_has_features_that_say_so():
    docs = {"d": doc("d", "西安")}
    bound = clause("企业开办时间压缩至1个工作日以内。", path="1.")
    loose = clause("企业开办全面推行一网通办，实行容缺受理，不动产登记压缩至5个工作日。", path="2.")
    q = query("西安企业开办要多久", {"企业开办": 3.0}, ("西安",), frozenset({"西安"}))
    ask = q.asks[0]
    found = hits(bound, loose)
    ranked = rank_passages(q, ask, found, docs)
    by_clause = {p.clause.id: p for p in ranked}
    x_bound = features(q, ask, by_clause[bound.id], ranked, found, docs, searchable(bound, docs))
    x_loose = features(q, ask, by_clause[loose.id], ranked, found, docs, searchable(loose, docs))
    assert x_bound["bound"] > x_loose["bound"]
    assert x_bound["own_region"] == x_bound["scoped"] == 1.0
    assert x_bound["rank"] > x_loose["rank"]
    assert set(x_bound) == set(FEATURES)
    # the fitting script sees the same candidates, best first
    listed = candidates(q, found, docs, min_coverage=0.4)
    assert [rank for _a, rank, _p, _x in listed] == list(range(len(listed)))
    assert listed[0][2].clause.id == ranked[0].clause.id


def test_the_fit_recovers_a_separating_direction_and_a_threshold_that_keeps_the_right_ones():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + 0.2 * rng.normal(size=400) > 0).astype(float)
    fitted = fit(x, y)
    assert fitted[2][0] > 3 * max(abs(fitted[2][1]), abs(fitted[2][2]))
    p = out_of_fold(x, y, np.arange(400) // 2, folds=5)
    assert ((p > 0.5) == (y == 1)).mean() > 0.9
    t, _utility = threshold(predict(fitted, x), y, cost=3.0)
    kept = predict(fitted, x) >= t
    assert (1 - y[kept]).mean() < 0.1 and y[kept].sum() > 0.8 * y.sum()
    lines = calibration(p, y)
    assert lines[0].startswith("band") and len(lines) == 6


def test_a_passage_the_model_finds_unlikely_is_not_stated(monkeypatch):
    from assistant.answer import select
    from tests.unit.answer.test_answer import answer

    docs = {"d": doc("d", "西安")}
    c = clause("企业开办时间压缩至1个工作日以内。")
    q = query("西安企业开办要多久", {"企业开办": 3.0}, ("西安",), frozenset({"西安"}))
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("relevance")] = 1.0
    monkeypatch.setattr(select, "model", lambda: Decision.from_toml(toml(weights, bias=-6.0, threshold=0.5)))
    assert answer(q, [c], docs).abstained  # confidence ≈ 0.01 < 0.5: declined, not guessed
    monkeypatch.setattr(select, "model", lambda: Decision.from_toml(toml(weights, bias=6.0, threshold=0.5)))
    assert not answer(q, [c], docs).abstained
    monkeypatch.setattr(select, "model", lambda: Decision.from_toml(toml(weights, bias=-6.0, threshold=0.0)))
    assert not answer(q, [c], docs).abstained  # a threshold of 0 sets nothing aside
