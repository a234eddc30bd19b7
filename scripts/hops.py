"""Profile one question through the service: the project modules it enters and the calls that
cross from one project module to another (with `sys.setprofile`). Prints the figures.

    python scripts/hops.py "泾河新城开办企业要多久？" [--history "开办企业要多久？"]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])


def _module(frame) -> str:  # type: ignore[no-untyped-def]
    name = frame.f_globals.get("__name__", "")
    return name if name.split(".")[0] in ("assistant", "web") else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question")
    parser.add_argument("--history", action="append", default=[], help="an earlier user question (repeatable)")
    parser.add_argument("--kept", action="store_true",
                        help="send each earlier answer's kept context back (Turn.subject, Turn.clause_id), as the "
                             "page and /api/ask clients do, instead of a plain chat history")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    from assistant.service.assistant import Assistant

    assistant = Assistant()
    assistant.ask("营业执照多久能办好？")  # load the index, read once, so the profile sees one question
    history = []
    for question in args.history:
        earlier = assistant.ask(question, history=history) if args.kept else None
        history += [_turn("user", question)] + ([_turn("assistant", earlier.text, earlier.subject, earlier.top_clause)]
                                                if earlier else [])
    hops: Counter[tuple[str, str]] = Counter()
    entered: Counter[str] = Counter()

    def profile(frame, event, _arg):  # type: ignore[no-untyped-def]
        if event != "call":
            return
        callee = _module(frame)
        caller = _module(frame.f_back) if frame.f_back else ""
        if callee:
            entered[callee] += 1
            if caller and caller != callee:
                hops[(caller, callee)] += 1

    sys.setprofile(profile)
    try:
        answer = assistant.ask(args.question, history=history)
    finally:
        sys.setprofile(None)
    print(f"answer: {answer.text[:80]}")
    print(f"modules entered: {len(entered)}")
    print(f"cross-module hops: {sum(hops.values())} ({len(hops)} distinct module pairs)")
    for module, calls in sorted(entered.items(), key=lambda p: -p[1]):
        print(f"  {calls:6d}  {module}")
    return 0


def _turn(*fields: str):  # type: ignore[no-untyped-def]
    from assistant.understand.conversation import Turn

    return Turn(*fields)


if __name__ == "__main__":
    raise SystemExit(main())
