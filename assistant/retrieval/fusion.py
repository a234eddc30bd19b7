"""Reciprocal-rank fusion: a pure function over ranked lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float], k: int = 60
) -> dict[int, float]:
    """Fuse ranked lists of item ids: score(d) = Σ weight_r / (k + rank_r(d)), ranks from 1.

    Items missing from a list get nothing from it. Unknown weights count as 1.0.
    """
    if k <= 0:
        raise ValueError(f"rrf k must be positive, got {k}")
    fused: dict[int, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        if weight == 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
