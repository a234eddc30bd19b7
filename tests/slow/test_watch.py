"""A change made with the CLI reaches an idle server without a request: the watcher loads the
published build within 2 s (request-time checks turned off, so only the watcher can)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

from assistant.settings import REPO_ROOT
from tests.conftest import serving
from tests.slow.tiny_corpus import tiny_corpus


def test_cli_retire_is_seen_by_an_idle_server_within_2_seconds(tmp_path):
    tiny = tiny_corpus(tmp_path / "w")
    env = {"ASSISTANT_INDEX_DIR": str(tiny.index_dir), "ASSISTANT_CORPUS_DIR": str(tiny.corpus_dir),
           "ASSISTANT_DATA_DIR": str(tiny.data_dir), "PYTHONPATH": str(REPO_ROOT),
           "ASSISTANT_RELOAD_CHECK_SECONDS": "-1"}
    with serving(env, tmp_path / "server.log") as url:
        before = httpx.get(url + "/api/health").json()["manifest"]["build"]
        docs = {d["id"]: d for d in httpx.get(url + "/api/documents").json()["documents"]}
        assert docs["xa-2"]["status"] == "现行"
        done = subprocess.run([sys.executable, "-m", "assistant.cli", "retire", "xa-2"], env={**os.environ, **env},
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
        published = time.monotonic()
        assert done.returncode == 0, done.stderr
        while True:  # /api/health reads the serving build; it does not look for a new one
            build = httpx.get(url + "/api/health").json()["manifest"]["build"]
            waited = time.monotonic() - published
            if build != before or waited > 5:
                break
            time.sleep(0.05)
        assert build != before, "the server never loaded the published build"
        assert waited < 2.0, f"loaded {waited:.2f}s after the CLI returned"
        docs = {d["id"]: d for d in httpx.get(url + "/api/documents").json()["documents"]}
        assert docs["xa-2"]["status"] == "已废止"
        sys.stderr.write(f"\nwatcher: build loaded {waited:.2f}s after `assistant retire` returned\n")
