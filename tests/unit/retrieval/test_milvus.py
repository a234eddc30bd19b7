"""A search scope as a Milvus filter expression (no Milvus needed; the backend itself is tested in
tests/slow/test_milvus.py)."""

from __future__ import annotations

import pytest

from assistant.retrieval.base import Scope
from assistant.retrieval.milvus import filter_expression


def test_a_scope_becomes_a_filter_expression():
    assert filter_expression(Scope()) == ""
    assert filter_expression(Scope(("泾河新城", "西安"), (), True)) == 'region in ["泾河新城", "西安"] and in_force == true'
    assert filter_expression(Scope((), ('a"b',))) == 'doc_id in ["a\\"b"]'  # quoted as JSON strings


def test_an_unreachable_milvus_server_is_one_clear_error(tmp_path):
    from assistant.errors import SearchUnavailable
    from assistant.retrieval.milvus import connect
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path, milvus_user="reader", milvus_password="not-a-real-one", milvus_db_name="policy")
    with pytest.raises(SearchUnavailable, match="cannot reach Milvus at http://127.0.0.1:9"):
        connect("http://127.0.0.1:9", settings)
