"""The second corpus (../shared/eval/external/ncp/, read its README): its notices added in bulk
beside the product's corpus with no region given, one build, then its questions asked and scored
as its README says (doc@1, doc@5, contain, ROUGE-L, declined, median answer length).

    python scripts/ncp_eval.py [--ncp ../shared/eval/external/ncp] [--work DIR] [--limit N]

Prints figures only; the corpus and the index live in a temporary folder (or --work), never in
the repository (the set has no licence: internal evaluation only).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from assistant.lexicon.text import norm
from assistant.settings import REPO_ROOT, Settings

NCP = REPO_ROOT.parent / "shared" / "eval" / "external" / "ncp"


def lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence of two strings (characters)."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if ch == other else max(previous[j], current[-1]))
        previous = current
    return previous[-1]


def rouge_l(answer: str, gold: str) -> tuple[float, float]:
    """Character-level ROUGE-L (recall, F1) of `answer` against `gold` (both normalised)."""
    common = lcs(answer[:2000], gold[:2000])
    if not common:
        return 0.0, 0.0
    recall, precision = common / len(gold), common / len(answer)
    return recall, 2 * recall * precision / (recall + precision)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ncp", type=Path, default=NCP)
    parser.add_argument("--work", type=Path, default=None, help="keep the corpus and index here")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from assistant.service.assistant import Assistant
    from assistant.service.library import change

    work = args.work or Path(tempfile.mkdtemp(prefix="ncp-"))
    corpus = work / "corpus"
    if not corpus.exists():
        shutil.copytree(REPO_ROOT / "corpus", corpus)
    settings = Settings(corpus_dir=corpus, index_dir=work / "index", data_dir=work / "data")
    docs = sorted((args.ncp / "docs").glob("*.txt"))

    started = time.perf_counter()
    report, _manifest = change(settings, lambda lib: lib.add_many(docs, progress=True))
    took = time.perf_counter() - started
    print(report.summary().splitlines()[0])
    print(f"bulk add + one build: {took:.1f} s for {len(docs)} notices")
    added = {spec.id: spec for spec in report.added}
    by_file = {}  # NCP docid → product document id (the added ones; duplicates name the kept one)
    for spec in report.added:
        by_file[spec.file.split("_", 1)[1].removesuffix(".txt")] = spec.id
    for name, doc_id in report.duplicates:
        by_file[Path(name).stem] = doc_id
    regions = [spec.region for spec in added.values()]
    national = sum(r == "全国" for r in regions)
    print(f"regions inferred: {len(regions)} of {len(docs)} added ({national} 全国); "
          f"asked for (region unknown): {len(report.region_unknown)}")

    also = {}
    also_path = args.ncp / "answer_also_in.jsonl"
    if also_path.is_file():
        for line in also_path.read_text("utf-8").splitlines():
            row = json.loads(line)
            also[row["id"]] = set(row.get("doc_ids") or row.get("also_in") or [])
    questions = [json.loads(line) for line in (args.ncp / "dev.jsonl").read_text("utf-8").splitlines() if line.strip()]
    if args.limit:
        questions = questions[: args.limit]

    assistant = Assistant(settings)
    doc1 = doc5 = contained = declined = 0
    recalls: list[float] = []
    f1s: list[float] = []
    lengths: list[int] = []
    latencies: list[float] = []
    for q in questions:
        t = time.perf_counter()
        answer = assistant.ask(q["question"])
        latencies.append((time.perf_counter() - t) * 1000)
        gold_ids = {by_file.get(q["doc_id"])} | {by_file.get(d) for d in also.get(q["id"], ())}
        cited = [c.document.id for c in answer.citations]
        doc1 += bool(cited[:1] and cited[0] in gold_ids)
        doc5 += any(c in gold_ids for c in cited[:5])
        text, gold = norm(answer.text), norm(q["answer"])
        contained += gold in text
        declined += answer.abstained
        recall, f1 = rouge_l(text, gold)
        recalls.append(recall)
        f1s.append(f1)
        lengths.append(len(answer.text))
    n = len(questions) or 1
    print(f"questions {len(questions)}: doc@1 {doc1 / n:.3f}  doc@5 {doc5 / n:.3f}  contain {contained / n:.3f}  "
          f"declined {declined / n:.3f}  ROUGE-L recall {statistics.mean(recalls):.3f} F {statistics.mean(f1s):.3f}  "
          f"median answer {statistics.median(lengths):.0f} chars  p50 {statistics.median(latencies):.0f} ms")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
