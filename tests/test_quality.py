"""`assistant eval` on the shared dev set must meet the acceptance figures."""

import io
import json

import pytest

from assistant.cli import main
from tests.conftest import DEV_SET

pytestmark = [pytest.mark.integration, pytest.mark.quality]


@pytest.mark.skipif(not DEV_SET.is_file(), reason="../shared/eval/dev.jsonl is not beside this checkout")
def test_dev_set_scores(use_built_index):
    out = io.StringIO()
    assert main(["eval", "--gold", str(DEV_SET), "--json"], out=out) == 0
    report = json.loads(out.getvalue())
    fused, lexical = report["fused"], report["lexical"]
    assert fused["hit@1"] >= 0.85
    assert fused["hit@5"] >= 0.95
    assert fused["key_containment"] >= 0.85
    assert fused["abstention_on_unanswerable"] == 1.0
    assert fused["false_abstention"] <= 0.05
    assert fused["median_answer_chars"] <= 250
    # The fused default must not score below lexical-only.
    assert fused["hit@1"] >= lexical["hit@1"] and fused["mrr"] >= lexical["mrr"]
