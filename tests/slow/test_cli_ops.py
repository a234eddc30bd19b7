"""The command line as an operator uses it: --version, list with a header and as JSON, a clear
error for --region-parent alone, and documents.toml untouched by an add and a remove."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assistant import __version__
from assistant.cli import main
from assistant.settings import Settings, get_settings
from tests.slow.tiny_corpus import POOL, tiny_corpus


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = tiny_corpus(tmp_path / "t")
    for key, value in (("CORPUS_DIR", settings.corpus_dir), ("INDEX_DIR", settings.index_dir),
                       ("DATA_DIR", settings.data_dir)):
        monkeypatch.setenv(f"ASSISTANT_{key}", str(value))
    get_settings.cache_clear()
    return settings


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_add_then_remove_leaves_documents_toml_byte_identical(tiny: Settings, tmp_path: Path) -> None:
    manifest = tiny.corpus_dir / "documents.toml"
    # an operator's own layout: blank lines, aligned values, comments, a trailing comment
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('id = "xa"\n', 'id    = "xa"   # 首个\n\n'),
                        encoding="utf-8")
    before = manifest.read_bytes()
    name, region, text = POOL[0]
    new = tmp_path / name
    new.write_text(text, encoding="utf-8")
    code, said = run("add", str(new), "--region", region, "--id", "xy-tax")
    assert code == 0 and "added xy-tax" in said
    assert manifest.read_bytes() != before
    code, said = run("remove", "xy-tax")
    assert code == 0, said
    assert manifest.read_bytes() == before


def test_version_list_json_and_header(tiny: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and __version__ in capsys.readouterr().out
    code, said = run("list")
    header, *rows = said.splitlines()
    assert code == 0 and header.split()[:3] == ["ID", "STATUS", "REGION"] and rows[0].startswith("xa ")
    code, said = run("list", "--json")
    docs = json.loads(said)
    assert {d["id"] for d in docs} >= {"xa", "xa-2"} and docs[0]["clauses"] > 0 and docs[0]["status"] == "现行"


def test_region_parent_without_region_is_a_clear_error(tiny: Settings, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "x.txt"
    new.write_text(POOL[1][2], encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["add", str(new), "--region-parent", "陕西"])
    assert done.value.code == 2 and "--region-parent needs --region" in capsys.readouterr().err


def test_chat_reads_questions_from_a_pipe_until_an_empty_line(tiny: Settings) -> None:
    out = io.StringIO()
    code = main(["chat"], out=out, inp=io.StringIO("企业开办要多久？\n\n不会读到\n"))
    said = out.getvalue()
    assert code == 0 and said.count("问> ") == 2 and "0.5个工作日" in said and "不会读到" not in said
