"""Bulk import benchmark: N generated plain-text notices (default 600) added in one go to a new
corpus that has the product's region table and no documents, then one build. Prints the time of
the add (read, check, parse, one documents.toml edit), of the journal and the build, in all, and
the peak memory.

    python scripts/bench_bulk.py [--count 600] [--work DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

import tomlkit

from assistant.eval.documents import make_notices
from assistant.service.imports import ImportReport
from assistant.service.library import Library, change
from assistant.settings import REPO_ROOT, Settings


def _peak_mb() -> float:
    """This process's peak resident memory (and that of any child it waited for), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def run(count: int, work: Path) -> dict[str, object]:
    corpus, notices = work / "corpus", work / "notices"
    corpus.mkdir(parents=True)
    product = tomlkit.parse((REPO_ROOT / "corpus" / "documents.toml").read_text("utf-8"))
    regions = tomlkit.document()
    regions["regions"] = product["regions"]
    (corpus / "documents.toml").write_text(tomlkit.dumps(regions), encoding="utf-8")
    make_notices(notices, count)
    settings = Settings(corpus_dir=corpus, index_dir=work / "index", data_dir=work / "data")
    started = time.perf_counter()
    marks: dict[str, float] = {}

    def add(library: Library) -> ImportReport:
        report = library.add_many([notices], progress=None)
        marks["added"] = time.perf_counter()
        return report

    report, manifest = change(settings, add)  # the add, the journal, one build
    added = marks["added"]
    done = time.perf_counter()
    return {"notices": count, "added": len(report.added), "duplicates": len(report.duplicates),
            "refused": len(report.refused), "region_unknown": len(report.region_unknown),
            "add_seconds": round(added - started, 2), "build_seconds": round(done - added, 2),
            "total_seconds": round(done - started, 2), "builds": 1, "build_mode": manifest["mode"],
            "documents": manifest["documents"], "clauses": manifest["clauses"], "peak_rss_mb": _peak_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--work", type=Path, help="a folder to work in (default: a temporary one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.work:
        result = run(args.count, args.work)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(args.count, Path(tmp))
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        sys.stdout.write("\n".join(f"{k:>16}: {v}" for k, v in result.items()) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
