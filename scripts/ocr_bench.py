"""OCR engines compared on the corpus's own pages: each seed document's text set as pages of 公文
(28 characters × 22 lines, 16 pt), drawn to a picture as a scan would give it, then read back.
Character accuracy = 1 − edit distance / characters (whitespace left out on both sides), and
seconds per page on this machine (wall, and CPU: the machine may be shared).

    python scripts/ocr_bench.py [--pages-per-doc 2] [--dpi 200] [--engines rapidocr,tesseract]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import shutil
import subprocess
import tempfile
import time

from assistant.eval.documents import render_page, wrap_lines
from assistant.lexicon.text import norm
from assistant.settings import REPO_ROOT

log = logging.getLogger("ocr_bench")


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(truth: str, read: str, comparison: bool = False) -> float:
    """1 − edit distance / characters, whitespace left out; `comparison`: both in the form the
    search compares text in (NFKC: full- and half-width punctuation alike)."""
    truth, read = (norm(truth), norm(read)) if comparison else (re.sub(r"\s+", "", truth), re.sub(r"\s+", "", read))
    return 1 - edit_distance(truth, read) / max(len(truth), 1)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (tesseract): wall time on a shared
    machine counts the other users' load too."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rapidocr_engine():  # type: ignore[no-untyped-def]
    from assistant.ingest.ocr import recognise

    return lambda image: recognise(image)


def tesseract_engine():  # type: ignore[no-untyped-def]
    if not shutil.which("tesseract"):
        raise RuntimeError("tesseract is not installed (Debian tesseract-ocr tesseract-ocr-chi-sim)")

    def run(image) -> str:  # type: ignore[no-untyped-def]
        with tempfile.NamedTemporaryFile(suffix=".png") as tmp:
            image.save(tmp.name)
            out = subprocess.run(["tesseract", tmp.name, "stdout", "-l", "chi_sim", "--psm", "6"],
                                 capture_output=True, text=True, check=True, env={"OMP_THREAD_LIMIT": "1"})
        return out.stdout

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages-per-doc", type=int, default=2)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--no-noise", action="store_true")
    parser.add_argument("--skew", type=float, default=0.0, help="degrees the page is turned (a sheet laid askew)")
    parser.add_argument("--blur", type=float, default=0.6, help="Gaussian blur radius in pixels")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    pages: list[tuple[str, list[str]]] = []
    for path in sorted((REPO_ROOT / "corpus").glob("*.txt")):
        if path.name == "domain_dict.txt":
            continue
        lines = wrap_lines(path.read_text(encoding="utf-8"))
        for p in range(args.pages_per_doc):
            start = 22 * (p + 1)  # skip the cover page
            pages.append((f"{path.stem}#{p + 1}", lines[start:start + 22]))
    results = {}
    for name in args.engines.split(","):
        engine = {"rapidocr": rapidocr_engine, "tesseract": tesseract_engine}[name]()
        engine(render_page(["预热"], args.dpi, noise=False))  # load the models once, outside the timing
        scores, compared, seconds, cpu, chars = [], [], 0.0, 0.0, 0
        for label, lines in pages:
            image = render_page(lines, args.dpi, noise=not args.no_noise, skew=args.skew, blur=args.blur)
            started, cpu_started = time.perf_counter(), cpu_seconds()
            read = engine(image)
            seconds += time.perf_counter() - started
            cpu += cpu_seconds() - cpu_started
            truth = "".join(lines)
            scores.append(accuracy(truth, read))
            compared.append(accuracy(truth, read, comparison=True))
            chars += len(truth)
            log.info("%s %s: %.4f (%.4f compared)", name, label, scores[-1], compared[-1])
        sizes = [len("".join(lines)) for _label, lines in pages]
        results[name] = {"pages": len(pages), "characters": chars,
                         "accuracy": round(sum(s * n for s, n in zip(scores, sizes, strict=True)) / chars, 4),
                         "accuracy_compared": round(sum(s * n for s, n in zip(compared, sizes, strict=True)) / chars, 4),
                         "worst_page": round(min(scores), 4), "seconds_per_page": round(seconds / len(pages), 2),
                         "cpu_seconds_per_page": round(cpu / len(pages), 2)}
    print(json.dumps(results, ensure_ascii=False, indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
