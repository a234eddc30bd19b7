"""What one document may make: clauses of bounded length, and at most so many of them. Inline
texts; the upload-level caps (per upload, relative to the corpus) are in tests/unit/service/test_caps.py."""

from __future__ import annotations

import time

import pytest

from assistant.errors import TooManyClauses
from assistant.ingest.clauses import ClauseCap, cut_text
from assistant.ingest.corpus import parse_source
from assistant.ingest.loaders import load_bytes
from assistant.ingest.manifest import Manifest, SourceSpec
from assistant.models import Clause

SENTENCE = "企业开办全流程一个工作日办结，申请人提交材料齐全的当场受理。"


def parse(text: str, cap: ClauseCap | None = None, name: str = "a.txt") -> list[Clause]:
    data = text.encode()
    loaded = load_bytes(name, data)
    spec = SourceSpec(name, "doc", "标题", "西安", layout=loaded.layout)
    return list(parse_source(spec, data, Manifest((spec,), ()), "key", loaded, cap=cap).clauses)


def test_a_long_text_is_cut_after_sentence_ends_into_bounded_consecutive_pieces():
    text = "第一句话到此为止。" * 30 + "没有句号的一段" * 100
    pieces = cut_text(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert "".join(pieces) == text  # nothing lost, nothing repeated
    assert all(p.endswith("。") for p in pieces[:2])  # cut where a sentence ends
    assert cut_text("短句。", 100) == ["短句。"]


def test_a_sentence_longer_than_the_limit_is_cut_after_a_comma_within_it():
    text = ("甲" * 60 + "，") * 5 + "。"
    pieces = cut_text(text, 100)
    assert all(len(p) <= 100 for p in pieces) and pieces[0].endswith("，")


def test_a_line_of_two_million_characters_becomes_bounded_clauses():
    text = "第一条 " + SENTENCE * (2_000_000 // len(SENTENCE))
    started = time.perf_counter()
    clauses = parse(text)
    assert len(text) >= 1_990_000 and len(clauses) >= 1900
    assert max(len(c.text) for c in clauses) <= 1000  # max_clause_chars
    assert all(c.text.endswith("。") for c in clauses[:-1])  # cut at sentence ends
    assert len({c.id for c in clauses}) == len(clauses)
    assert time.perf_counter() - started < 30


def test_a_table_cell_of_a_million_characters_is_cut_too():
    text = "序号\t措施\t牵头单位\n1\t" + SENTENCE * 30_000 + "\t市市场监管局\n"
    clauses = parse(text)
    assert len(clauses) > 900 and max(len(c.text) for c in clauses) <= 1000
    assert all(("牵头单位", "市市场监管局") in c.fields for c in clauses)  # every piece keeps the row's fields


def test_past_its_cap_a_document_is_refused_at_once_with_the_figures():
    text = "".join(f"{'一二三四五六七八九十'[i % 10]}、事项。\n" for i in range(100_000))
    started = time.perf_counter()
    with pytest.raises(TooManyClauses) as refused:
        parse(text, ClauseCap(5000))
    seconds = time.perf_counter() - started
    assert refused.value.message_zh == "该文件将产生约 100000 条条款，超过每份文件上限 5000 条。"
    assert refused.value.details == {"clauses": 100_000, "limit": 5000, "line": 5001}
    assert "would make about 100000 clauses" in refused.value.message
    assert seconds < 10, seconds  # the 5,001st clause stops the parse: ~1.5 s here, not the ~12 s of all
    assert len(parse(text[: 4000 * 6], ClauseCap(5000))) == 4000  # within the cap: every clause


def test_without_a_cap_the_corpus_parser_builds_whatever_a_source_holds():
    text = "".join(f"（{i % 99 + 1}）事项。\n" for i in range(6000))
    assert len(parse(text)) == 6000  # a document already in the corpus is never refused by a build
