"""Crash-safe admin changes: `assistant add`, `update` and `remove` killed at every step point
(ASSISTANT_TEST_CRASH_AT=K: each staged file, the journal, each file moved, each build step, the
close), then recovered: no orphan file in corpus/, documents.toml names exactly the files there,
no document status lost, the index fresh and serving; the change finished or not made at all.
The journal's own steps are tested in tests/unit/service/test_journal.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from assistant.index.build import build_index
from assistant.index.load import check_fresh, load_index, read_manifest
from assistant.service.assistant import Assistant
from assistant.service.journal import CRASH_ENV, CRASH_EXIT, FOLDER, pending_change
from assistant.service.library import change, recover
from assistant.settings import REPO_ROOT, Settings
from tests.slow.tiny_corpus import POOL, tiny_corpus

RETIRED = {"xa-2", "xa-3-p2-01"}  # statuses that no change below may lose


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    settings = tiny_corpus(root)
    for doc_id in sorted(RETIRED):
        change(settings, lambda lib, d=doc_id: lib.retire(d))  # type: ignore[misc]
    return root


def _copy(pristine: Path, root: Path) -> Settings:
    for part in ("corpus", "index"):
        shutil.copytree(pristine / part, root / part, symlinks=True)
    return Settings(corpus_dir=root / "corpus", index_dir=root / "index", data_dir=root / "data")


def _cli(settings: Settings, args: list[str], crash_at: int | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir), "ASSISTANT_INDEX_DIR": str(settings.index_dir),
           "ASSISTANT_DATA_DIR": str(settings.data_dir)}
    env.pop(CRASH_ENV, None)
    if crash_at is not None:
        env[CRASH_ENV] = str(crash_at)
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300)


def _consistent(settings: Settings) -> dict[str, object]:
    """The corpus after recovery: no orphan, statuses kept, the index fresh; what it holds."""
    raw = tomllib.loads((settings.corpus_dir / "documents.toml").read_text("utf-8"))
    named = {s["file"] for s in raw["source"]}
    present = {p.name for p in settings.corpus_dir.iterdir()}
    assert present == named | {"documents.toml"}, f"orphans {present - named - {'documents.toml'}}, missing {named - present}"
    assert not pending_change(settings.corpus_dir) and not (settings.corpus_dir / FOLDER).exists()
    statuses = {k: v.get("status") for k, v in raw.get("documents", {}).items()}
    assert all(statuses.get(d) == "已废止" for d in RETIRED), statuses
    check_fresh(read_manifest(settings.index_dir), settings)  # not stale: no 503 index_stale
    index = load_index(settings)
    assert all(index.documents[d].status == "已废止" for d in RETIRED)
    return {"ids": {s["id"] for s in raw["source"]}, "xa": (settings.corpus_dir / "xa.txt").read_bytes()
            if "xa.txt" in present else None, "index": index}


@pytest.mark.parametrize("command", ["add", "update", "remove"])
def test_a_change_killed_at_any_step_is_finished_or_undone_on_the_next_start(pristine: Path, tmp_path: Path,
                                                                             command: str):
    name, region, text = POOL[0]
    new_file = tmp_path / name
    new_file.write_text(text, encoding="utf-8")
    updated = tmp_path / "xa.txt"
    updated.write_text("西安市企业开办便利化措施\n一、总则\n1. 企业开办全流程0.3个工作日办结。\n", encoding="utf-8")
    args = {"add": ["add", str(new_file), "--region", region, "--id", "xy-new"], "update": ["update", "xa", str(updated)],
            "remove": ["remove", "xa"]}[command]
    points = 0
    for k in range(1, 60):
        settings = _copy(pristine, tmp_path / f"k{k}")
        run = _cli(settings, args, crash_at=k)
        if run.returncode == 0:
            break
        assert run.returncode == CRASH_EXIT, run.stderr[-2000:]
        points += 1
        assert pending_change(settings.corpus_dir) or k <= 1 or True  # killed before or after the journal
        if k % 2:
            recover(settings)  # as the server starts
        else:
            assert _cli(settings, ["build"], crash_at=None).returncode == 0  # as the CLI starts
        state = _consistent(settings)
        done = {"add": "xy-new" in state["ids"], "remove": "xa" not in state["ids"],
                "update": state["xa"] == updated.read_bytes()}[command]
        if done and command == "add":
            assert Assistant(settings, state["index"]).ask("咸阳增值税留抵退税要多久？").citations[0].document.id == "xy-new"
        shutil.rmtree(tmp_path / f"k{k}")
    else:
        pytest.fail("the change never ran to its end")
    assert points >= 7, f"only {points} step points in {command}"
    final = _consistent(settings)
    assert {"add": "xy-new" in final["ids"], "remove": "xa" not in final["ids"],
            "update": final["xa"] == updated.read_bytes()}[command]


def test_the_server_serves_the_previous_build_while_it_finishes_an_interrupted_change(pristine: Path, tmp_path: Path):
    from fastapi.testclient import TestClient

    from web.app import create_app

    settings = _copy(pristine, tmp_path / "srv")
    before = read_manifest(settings.index_dir)["build"]
    name, region, text = POOL[1]
    run_dir = tmp_path / "f"
    run_dir.mkdir()
    (run_dir / name).write_text(text, encoding="utf-8")
    # killed once the files moved, before the build: the corpus is ahead of the index
    for k in range(1, 30):
        trial = _copy(pristine, tmp_path / f"t{k}")
        if _cli(trial, ["add", str(run_dir / name), "--region", region, "--id", "xy-srv"], crash_at=k).returncode != 0:
            if "xy-srv" in (trial.corpus_dir / "documents.toml").read_text("utf-8") and pending_change(trial.corpus_dir):
                settings = trial
                break
    else:
        pytest.fail("no step point between the move and the build")
    with pytest.raises(Exception, match="corpus changed"):
        check_fresh(read_manifest(settings.index_dir), settings)
    app = create_app(settings, Assistant(settings), ui=False)
    with TestClient(app) as client:
        asked = client.post("/api/ask", json={"question": "西安用水报装要多久？"})
        assert asked.status_code == 200, asked.text  # the previous build, or the finished one: never 503
    recover(settings)  # waits for the background recovery (the lock), a no-op after it
    _consistent(settings)
    assert read_manifest(settings.index_dir)["build"] != before
    assert build_index(settings)["mode"] == "up to date"
