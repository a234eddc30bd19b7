"""A search scope as a Milvus filter expression (no Milvus needed; the backend itself is tested in
tests/slow/test_milvus.py)."""

from __future__ import annotations

from assistant.retrieval.base import Scope
from assistant.retrieval.milvus import filter_expression


def test_a_scope_becomes_a_filter_expression():
    assert filter_expression(Scope()) == ""
    assert filter_expression(Scope(("泾河新城", "西安"), (), True)) == 'region in ["泾河新城", "西安"] and in_force == true'
    assert filter_expression(Scope((), ('a"b',))) == 'doc_id in ["a\\"b"]'  # quoted as JSON strings
