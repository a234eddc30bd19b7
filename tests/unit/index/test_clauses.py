"""The clause store read on demand, on inline clauses (from the scale tests)."""

from __future__ import annotations

import pytest

from assistant.index.clauses import ClauseStore, clause_from_json, clause_to_json, write_clauses
from assistant.models import Clause, Fact


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
