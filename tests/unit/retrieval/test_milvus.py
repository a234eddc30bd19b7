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


class FakeClient:
    """The few MilvusClient calls `MilvusStore.published` makes, over an inline layout."""

    def __init__(self, aliases: dict[str, str], properties: dict[str, dict[str, str]]) -> None:
        self.aliases, self.properties = aliases, properties

    def list_collections(self) -> list[str]:
        return sorted(self.properties)

    def list_aliases(self, collection: str) -> dict[str, list[str]]:
        return {"aliases": [a for a, c in self.aliases.items() if c == collection]}

    def describe_collection(self, collection: str) -> dict[str, object]:
        return {"properties": self.properties[collection]}


def store_on(monkeypatch, tmp_path, client: object, **settings: object):  # type: ignore[no-untyped-def]
    from assistant.retrieval import milvus
    from assistant.settings import Settings

    monkeypatch.setattr(milvus, "connect", lambda uri, s: client)
    return milvus.MilvusStore(Settings(data_dir=tmp_path, **settings))


def test_the_alias_names_the_build_its_collection_holds(monkeypatch, tmp_path):
    newer = "clauses_abc_20260102T000000000000_7"
    client = FakeClient({"clauses": newer}, {newer: {"assistant.build": "20260105T000000000000-9"},
                                              "clauses_abc_20260101T000000000000_7": {}})
    store = store_on(monkeypatch, tmp_path, client)
    assert store.published() == (newer, "20260105T000000000000-9")  # the recorded build, not the name's
    client.properties[newer] = {}  # a collection written before builds were recorded: its name's build
    assert store.published() == (newer, "20260102T000000000000-7")
    client.aliases = {}
    assert store.published() is None


def test_only_the_process_holding_a_milvus_lite_file_writes_by_default(monkeypatch, tmp_path):
    empty = FakeClient({}, {})
    assert store_on(monkeypatch, tmp_path, empty).writes  # Milvus Lite: the one process with the file
    assert not store_on(monkeypatch, tmp_path, empty, milvus_uri="http://milvus:19530").writes  # a replica reads
    assert store_on(monkeypatch, tmp_path, empty, milvus_uri="http://milvus:19530", milvus_writer=True).writes
    assert not store_on(monkeypatch, tmp_path, empty, milvus_writer=False).writes
