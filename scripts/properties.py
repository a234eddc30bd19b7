"""Property checks over generated questions on the default index (no gold needed): pass rates of
(a) the first citation's scope, (b) the asked fact in the first sentence, (c) a first citation that
word order and topic synonyms do not change — and failing examples of each.

The questions and the checks are those of `tests/slow/test_properties.py` (`assistant/eval/generated.py`).

    python scripts/properties.py [--examples 15]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from assistant.eval.generated import MIN_RATE, NAMES, Outcome, check, generate_for  # noqa: E402


def report(outcome: Outcome, n_questions: int, n_pairs: int, seconds: float, examples: int, out: TextIO) -> None:
    out.write(f"{n_questions} generated questions ({n_pairs} pairs for (c)), answered in {seconds:.1f} s\n\n")
    for prop in "abc":
        rate = outcome.rate(prop)
        verdict = "ok" if rate >= MIN_RATE[prop] else f"BELOW {100 * MIN_RATE[prop]:.0f} %"
        out.write(f"({prop}) {NAMES[prop]}: {outcome.passed[prop]}/{outcome.total[prop]} passed = "
                  f"{100 * rate:.1f} % [{verdict}]\n")
        failures = outcome.failures[prop]
        if failures:
            causes = Counter(_cause(prop, f.detail) for f in failures)
            out.write("    failures by " + ("relation" if prop == "a" else "ask" if prop == "b" else "kind") + ": "
                      + ", ".join(f"{k} {v}" for k, v in causes.most_common()) + "\n")
        for failure in failures[:examples]:
            out.write(f"    {failure}\n")
        out.write("\n")


def _cause(prop: str, detail: str) -> str:
    if prop == "a":
        return detail.split(": ", 1)[-1]
    if prop == "b":
        return detail.split(";", 1)[0].removeprefix("asks ")
    return detail.split(":", 1)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=15, help="failing examples shown per property")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from assistant.service.assistant import Assistant

    assistant = Assistant()
    cases = generate_for(assistant)
    started = time.perf_counter()
    outcome = check(cases, assistant.ask, assistant.engine().index.corpus_manifest)
    seconds = time.perf_counter() - started
    report(outcome, len(cases.questions()), len(cases.pairs), seconds, args.examples, sys.stdout)
    return 0 if all(outcome.rate(p) >= MIN_RATE[p] for p in "abc") else 1


if __name__ == "__main__":
    sys.exit(main())
