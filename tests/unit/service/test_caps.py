"""The caps on what one upload may add, in the library (single add, bulk add, the CLI): a file
over them is refused with the figures and nothing is written. Temp corpora, no index."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.errors import TooManyClauses
from assistant.service.imports import add_many
from assistant.service.library import Library, Metadata
from assistant.settings import Settings, get_settings


def notice(items: int, title: str = "西安市优化营商环境若干措施") -> bytes:
    return (title + "\n" + "".join(f"（{i % 99 + 1}）事项{i}办结。\n" for i in range(items))).encode()


@pytest.fixture
def library(tmp_path: Path) -> Library:
    (tmp_path / "corpus").mkdir()
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", data_dir=tmp_path / "data",
                        max_clauses_per_document=50, upload_clauses_floor=30, upload_clauses_corpus_share=2.0)
    return Library(settings)


def test_a_document_over_the_cap_is_refused_with_its_figures_and_nothing_is_written(library):
    with pytest.raises(TooManyClauses) as refused:
        library.add("big.txt", notice(200), Metadata(region="西安"))
    assert "该文件将产生约" in refused.value.message_zh and "超过本次上传剩余可新增的条款数 30 条" in refused.value.message_zh
    assert library.pending == {} and library.prepared == []


def test_the_upload_cap_grows_with_the_corpus(library):
    library._corpus_clauses = 20  # a share of 2 -> 40; under the floor of 30 it would be 30
    assert library.upload_clauses() == 40
    library._corpus_clauses = 1000  # 2000 > the per-document cap of 50: that one speaks
    with pytest.raises(TooManyClauses) as refused:
        library.add("big.txt", notice(200), Metadata(region="西安"))
    assert refused.value.message_zh == "该文件将产生约 201 条条款，超过每份文件上限 50 条。"
    spec = library.add("ok.txt", notice(40), Metadata(region="西安"))
    assert len(library.prepared[0].clauses) == 41 and spec.id in library.prepared[0].spec.id


def test_a_bulk_add_refuses_the_file_past_the_upload_cap_and_adds_the_others(library):
    files = [("a.txt", notice(12, "西安市甲措施")), ("b.txt", notice(12, "西安市乙措施")),
             ("c.txt", notice(12, "西安市丙措施")), ("d.txt", notice(3, "西安市丁措施"))]
    report = add_many(library, files, "西安", progress=False)
    assert [s.file.split("_", 1)[1] for s in report.added] == ["a.txt", "b.txt", "d.txt"]  # 13 + 13 + 4 <= 30
    [refused] = report.refused
    assert (refused.file, refused.code) == ("c.txt", "too_many_clauses")
    assert "超过本次上传剩余可新增的条款数 4 条（每次上传最多新增 30 条，文件库现有 0 条）" in refused.reason_zh
    written = {p.name.split("_", 1)[1] for p in library.pending if p.name != "documents.toml"}
    assert written == {"a.txt", "b.txt", "d.txt"}
    assert "c.txt" not in library.pending[library.dir / "documents.toml"].decode()  # type: ignore[union-attr]


def test_the_cli_refuses_in_one_line_with_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from assistant.cli import main

    (tmp_path / "corpus").mkdir()
    for key, value in (("CORPUS_DIR", tmp_path / "corpus"), ("INDEX_DIR", tmp_path / "index"),
                       ("DATA_DIR", tmp_path / "data"), ("MAX_CLAUSES_PER_DOCUMENT", "50")):
        monkeypatch.setenv(f"ASSISTANT_{key}", str(value))
    get_settings.cache_clear()
    (tmp_path / "big.txt").write_bytes(notice(200))
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert main(["add", str(tmp_path / "big.txt"), "--region", "西安"], io.StringIO()) == 1
    said = err.getvalue().strip()
    assert "\n" not in said and "201" in said and "50" in said, said
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == []  # no file, no documents.toml
