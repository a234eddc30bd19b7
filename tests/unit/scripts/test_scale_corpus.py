"""The scale corpus generator's own rules (`scripts/scale_corpus.py`; from the scale tests)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


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
