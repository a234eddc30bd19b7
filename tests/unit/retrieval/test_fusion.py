import pytest

from assistant.retrieval.fusion import reciprocal_rank_fusion


def test_rrf_rewards_agreement_and_respects_weights():
    fused = reciprocal_rank_fusion({"lexical": [1, 2, 3], "dense": [3, 1]}, {"lexical": 1.0, "dense": 0.5}, k=10)
    assert fused[1] == pytest.approx(1 / 11 + 0.5 / 12)
    assert fused[3] == pytest.approx(1 / 13 + 0.5 / 11)
    assert max(fused, key=fused.__getitem__) == 1


def test_rrf_zero_weight_ignores_a_list():
    fused = reciprocal_rank_fusion({"lexical": [1], "dense": [2]}, {"dense": 0.0}, k=60)
    assert set(fused) == {1}


def test_rrf_rejects_bad_k():
    with pytest.raises(ValueError, match="k must be positive"):
        reciprocal_rank_fusion({"a": [1]}, {}, k=0)
