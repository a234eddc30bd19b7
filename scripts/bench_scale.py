"""Scale benchmark (not a test): the in-process backend on generated corpora of 10^4, 10^5 and
10^6 clauses (`scripts/scale_corpus.py`), and the Milvus backend (Milvus Lite) beside it.

For each size it prints: build time and peak build memory, index size on disk, serving RSS, cold
start (a fresh process: import, load, first answer), ask p50/p95 over the generated questions,
and their hit@1 and key containment (scored as `assistant eval` scores). Each size lives in
its own folder under --root and is generated and built once; later runs reuse it (--rebuild
to build again).

    python scripts/bench_scale.py --sizes 10000 100000 [--backends inprocess milvus] [--root /tmp/scale] [--json]

With Milvus the first load writes the collection (`milvus_first_load_s`); cold start is measured
on a second process, which finds it written.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("bench_scale")


def env_for(folder: Path, backend: str = "inprocess") -> dict[str, str]:
    return {**os.environ, "ASSISTANT_CORPUS_DIR": str(folder / "corpus"), "ASSISTANT_INDEX_DIR": str(folder / "index"),
            "ASSISTANT_DATA_DIR": str(folder / "data"), "ASSISTANT_SEARCH_BACKEND": backend}


def size_on_disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


BUILD = (
    "import resource, sys; from assistant.cli import main; code = main(['build', '--full']); "
    "sys.stdout.write('\\nPEAK_KB %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(code)"
)


def build(folder: Path) -> dict[str, float]:
    """`assistant build --full` in a child process: seconds and that process's own peak memory."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", BUILD], cwd=ROOT, env=env_for(folder), check=True,
                         stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    peak = next(int(line.split()[1]) for line in out.stdout.splitlines() if line.startswith("PEAK_KB"))
    (folder / "build.json").write_text(json.dumps({"build_s": round(seconds, 1),
                                                   "build_peak_rss_gb": round(peak / 2**20, 2)}))
    return json.loads((folder / "build.json").read_text())  # type: ignore[no-any-return]


PROBE = r"""
import json, statistics, sys, time
started = time.perf_counter()
from assistant.service.assistant import Assistant
from assistant.eval.score import load_gold, score_answers
items = load_gold(__import__("pathlib").Path(sys.argv[1]))
if int(sys.argv[2]):
    items = items[: int(sys.argv[2])]
assistant = Assistant()
assistant.ask(items[0].question)
cold = time.perf_counter() - started
answers, latencies = [], []
for item in items:
    t = time.perf_counter()
    answers.append(assistant.ask(item.question))
    latencies.append((time.perf_counter() - t) * 1000)
for item in items:  # a second pass: the figures of a warm server
    t = time.perf_counter()
    assistant.ask(item.question)
    latencies.append((time.perf_counter() - t) * 1000)
scores = score_answers(items, answers)
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
latencies.sort()
sys.stdout.write(json.dumps({"cold_start_s": round(cold, 2), "serving_rss_gb": round(rss / 2**20, 2),
    "ask_p50_ms": round(statistics.median(latencies), 1),
    "ask_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
    "questions": len(items), "hit@1": scores["hit@1"], "keys": scores["key_containment"]}))
"""


def serve(folder: Path, backend: str, questions: int) -> dict[str, float]:
    def probe() -> dict[str, float]:
        out = subprocess.run([sys.executable, "-c", PROBE, str(folder / "questions.jsonl"), str(questions)], cwd=ROOT,
                             env=env_for(folder, backend), check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    if backend != "milvus":
        return probe()
    shutil.rmtree(folder / "data", ignore_errors=True)  # the first load writes the collection
    first = probe()
    return {**probe(), "milvus_first_load_s": first["cold_start_s"]}


def bench(size: int, root: Path, rebuild: bool, backend: str, questions: int = 0) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from scale_corpus import generate

    folder = root / f"clauses-{size}"
    if not (folder / "corpus" / "documents.toml").is_file():
        log.info("generating %d clauses in %s", size, folder)
        folder.mkdir(parents=True, exist_ok=True)
        generate(size, folder)
    built = json.loads((folder / "build.json").read_text()) if (folder / "build.json").is_file() and not rebuild \
        else build(folder)
    manifest = json.loads((folder / "index" / "builds" / (folder / "index" / "CURRENT").read_text().strip()
                           / "manifest.json").read_text())
    return {"backend": backend, "clauses": manifest["clauses"], "documents": manifest["documents"], **built,
            "index_gb": round(size_on_disk(folder / "index") / 2**30, 2), **serve(folder, backend, questions)}


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--root", type=Path, default=Path("/tmp/scale"))
    parser.add_argument("--backends", nargs="+", default=["inprocess"], choices=["inprocess", "milvus"])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--questions", type=int, default=0,
                        help="ask only the first N generated questions (0: all); Milvus Lite is slow to ask")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [bench(size, args.root, args.rebuild, backend, args.questions) for backend in args.backends
            for size in args.sizes]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    columns = ("backend", "clauses", "documents", "build_s", "build_peak_rss_gb", "index_gb", "serving_rss_gb", "cold_start_s",
               "ask_p50_ms", "ask_p95_ms", "questions", "hit@1", "keys", "milvus_first_load_s")
    print("  ".join(f"{c:>17}" for c in columns))
    for row in rows:
        print("  ".join(f"{row.get(c, ''):>17}" for c in columns))
    for backend in args.backends:
        mine = [r for r in rows if r["backend"] == backend]
        for row in mine[1:]:
            print(f"{backend}: hit@1 at {row['clauses']} clauses {row['hit@1']} "
                  f"({float(row['hit@1']) - float(mine[0]['hit@1']):+.3f} against {mine[0]['clauses']})")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
