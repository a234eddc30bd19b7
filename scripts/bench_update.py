"""Benchmark: keeping the corpus current. Adds one generated 20-page Chinese PDF to the built corpus
and compares the incremental update with a full rebuild, then measures how soon a running server
answers from the new document, through the CLI and through an HTTP upload.

Everything runs on copies in a temporary folder; the repository's corpus and index are untouched.

    python scripts/bench_update.py [--pages 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from assistant.eval.documents import make_pdf  # noqa: E402

QUESTION = "雁塔区企业迁移登记要多久？"
TOKEN = "bench-token-Wd46kLs1"


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.strip()}")
    return time.perf_counter() - started, done.stdout


def build_seconds(stdout: str) -> float:
    """The in-process build time `assistant build/add` reports ("built in 1.23s")."""
    return float(stdout.split(" built in ")[1].split("s")[0])


def answered_from(url: str, region: str) -> bool:
    answer = httpx.post(url + "/api/ask", json={"question": QUESTION}, timeout=10).json()
    return bool(answer["citations"]) and answer["citations"][0]["region"] == region


def wait_until(condition, limit: float = 60.0) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > limit:
            raise SystemExit("timed out")
        time.sleep(0.05)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-update-"))
    shutil.copytree(ROOT / "corpus", work / "corpus")
    pdf = make_pdf(work / "雁塔区优化营商环境措施.pdf", pages=args.pages)
    env = {**os.environ, "ASSISTANT_CORPUS_DIR": str(work / "corpus"), "ASSISTANT_INDEX_DIR": str(work / "index"),
           "ASSISTANT_DATA_DIR": str(work / "data"), "ASSISTANT_ADMIN_TOKEN": TOKEN}
    cli = [sys.executable, "-m", "assistant.cli"]

    print(f"corpus copy and a {args.pages}-page PDF ({pdf.stat().st_size // 1024} kB) in {work}")
    full_wall, out = run([*cli, "build", "--full"], env)
    full_build = build_seconds(out)
    print(f"full rebuild (parse, tokens, embedder training, vectors): {full_build:.2f} s in the build, "
          f"{full_wall:.2f} s for the command")

    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = port.getsockname()[1]
    port.close()
    url = f"http://127.0.0.1:{number}"
    server = subprocess.Popen([*cli, "serve", "--port", str(number)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def ready() -> bool:
            try:
                return httpx.get(url + "/api/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, 180)
        assert not answered_from(url, "雁塔区")

        # 1. `assistant add` in another process; the server notices the new build and loads it.
        add_wall, out = run([*cli, "add", str(pdf), "--region", "雁塔区", "--region-parent", "西安"], env)
        add_build = build_seconds(out)
        lag = wait_until(lambda: answered_from(url, "雁塔区"))
        doc_id = out.split("added ")[1].split(":")[0]
        print(f"assistant add ({args.pages} pages, new region): {add_build:.2f} s in the build, {add_wall:.2f} s for "
              f"the command; the running server answered from it {lag:.2f} s after the command returned")

        # 2. The same file through the admin API of the running server (everything already loaded),
        #    filed under another region the corpus does not know yet.
        run([*cli, "remove", doc_id], env)
        wait_until(lambda: not answered_from(url, "雁塔区"))
        started = time.perf_counter()
        response = httpx.post(url + "/api/documents", files={"file": (pdf.name, pdf.read_bytes(), "application/pdf")},
                              data={"region": "曲江新区", "region_parent": "西安"},
                              headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        upload_s = time.perf_counter() - started
        response.raise_for_status()
        upload_build = response.json()["index"]["build_seconds"]
        answered = answered_from(url, "曲江新区")
        print(f"POST /api/documents (same PDF, new region): {upload_s:.2f} s until the response ({upload_build:.2f} s "
              f"in the build); answered from it on the very next request: {answered}")

        # 3. A document for a region the corpus already knows: no tokenizer change.
        run([*cli, "remove", response.json()["document"]["id"]], env)
        known_wall, out = run([*cli, "add", str(pdf), "--region", "西安"], env)
        known_build = build_seconds(out)
        print(f"assistant add (same PDF, known region 西安): {known_build:.2f} s in the build, "
              f"{known_wall:.2f} s for the command")
    finally:
        server.terminate()
        server.wait(timeout=20)

    print()
    print("incremental / full rebuild (build times):")
    for name, value in (("CLI add, new region", add_build), ("HTTP upload, new region", upload_build),
                        ("CLI add, known region", known_build)):
        print(f"  {name:<26} {value:6.2f} s  = {100 * value / full_build:5.1f} % of {full_build:.2f} s")
    print("incremental / full rebuild (whole commands):")
    print(f"  {'CLI add, new region':<26} {add_wall:6.2f} s  = {100 * add_wall / full_wall:5.1f} % of {full_wall:.2f} s")
    print(f"  {'CLI add, known region':<26} {known_wall:6.2f} s  = {100 * known_wall / full_wall:5.1f} % of "
          f"{full_wall:.2f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
