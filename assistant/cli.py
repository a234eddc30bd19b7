"""The command line: `assistant build | ask | chat | serve | eval | documents | status`.

Thin: every command calls library functions. Errors a user can fix print one line to stderr and
exit non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from assistant.contract import answer_json, answer_text, error_json
from assistant.errors import AssistantError
from assistant.settings import REPO_ROOT, get_settings

EXIT_USAGE = 2
EXIT_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="营商环境政策问答：答案必附条款出处")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("build", help="parse the corpus and build the indexes")

    ask = sub.add_parser("ask", help="answer one question, or a JSON Lines batch")
    ask.add_argument("question", nargs="?", help="the question, in Chinese")
    ask.add_argument("--region", help="only clauses of this region (and the regions inside it)")
    ask.add_argument("--document", help="only clauses of this document id (and its sub-plans)")
    ask.add_argument("--json", action="store_true", help="print the JSON contract")
    ask.add_argument("--batch", type=Path, help="JSON Lines file with id and question per line")

    chat = sub.add_parser("chat", help="terminal chat")
    chat.add_argument("--region", help="only clauses of this region")

    ev = sub.add_parser("eval", help="score against a gold file")
    ev.add_argument("--gold", type=Path, default=REPO_ROOT.parent / "shared" / "eval" / "dev.jsonl")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--failures", action="store_true", help="also list the questions answered wrongly")

    serve = sub.add_parser("serve", help="run the web server: the page at /, the API at /api and /v1")
    serve.add_argument("--host", help="interface to listen on (default from settings: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default from settings: 7860)")

    sub.add_parser("documents", help="list the documents in the index")
    sub.add_parser("status", help="exit 0 when the index is built and fresh, else say why")
    return parser


def _batch(path: Path) -> Iterator[tuple[Any, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AssistantError(f"cannot read batch file {path}: {exc.strerror}") from exc
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            yield row.get("id"), row["question"]
        except (json.JSONDecodeError, KeyError, AttributeError) as exc:
            raise AssistantError(f"{path}:{n}: expected a JSON object with a question ({exc})") from exc


def cmd_build(out: TextIO) -> int:
    from assistant.index import build_index

    manifest = build_index(get_settings(), progress=lambda _step: None)
    out.write(f"index built in {manifest['build_seconds']}s: {manifest['documents']} documents, "
              f"{manifest['clauses']} clauses, model {manifest['embedding_model']} -> {get_settings().index_dir}\n")
    return 0


def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    from assistant.service import Assistant

    assistant = Assistant()
    if args.batch:
        for id_, question in _batch(args.batch):
            try:
                answer = assistant.ask(question, region=args.region, document=args.document)
                row = answer_json(answer, id_)
            except AssistantError as exc:
                row = {"id": id_, "question": question, **error_json(exc)}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return 0
    if args.question is None:
        raise AssistantError("give a question, or --batch FILE")
    answer = assistant.ask(args.question, region=args.region, document=args.document)
    out.write((json.dumps(answer_json(answer), ensure_ascii=False, indent=1) if args.json
               else answer_text(answer)) + "\n")
    return 0


def cmd_chat(args: argparse.Namespace, out: TextIO, inp: TextIO) -> int:
    from assistant.conversation import Turn
    from assistant.service import Assistant

    assistant = Assistant()
    started = time.perf_counter()
    assistant.warm_up()
    history: list[Turn] = []
    out.write(f"营商环境政策问答（已加载 {len(assistant.index.clauses)} 条条款，用时 "
              f"{time.perf_counter() - started:.1f}s）。输入问题，空行或 Ctrl-D 退出。\n")
    while True:
        out.write("\n问> ")
        out.flush()
        line = inp.readline()
        if not line or not line.strip():
            return 0
        try:
            answer = assistant.ask(line, region=args.region, history=history)
            if answer.interpreted_as:
                out.write(f"（理解为：{answer.interpreted_as}）\n")
            out.write(answer_text(answer) + "\n")
            history += [Turn("user", line.strip()), Turn("assistant", answer.text)]
        except AssistantError as exc:
            out.write(f"error: {exc}\n")


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from assistant.evaluate import evaluate, failures, load_gold
    from assistant.service import Assistant

    items = load_gold(args.gold)
    assistant = Assistant()
    report, answers = evaluate(assistant, items)
    if args.json:
        out.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        metrics = list(next(iter(report.values())).keys())
        out.write(f"{'metric':<28}" + "".join(f"{m:>10}" for m in report) + "\n")
        for metric in metrics:
            out.write(f"{metric:<28}" + "".join(f"{str(report[m][metric]):>10}" for m in report) + "\n")
    if args.failures:
        for row in failures(items, answers["fused"]):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    import uvicorn

    from web.app import create_app

    settings = get_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    app = create_app(settings)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    out.write(f"营商环境政策问答 → http://{shown}:{port}/   (API docs: http://{shown}:{port}/docs)\n")
    out.flush()
    uvicorn.run(app, host=host, port=port, log_level="info" if args.verbose else "warning")
    return 0


def cmd_documents(out: TextIO) -> int:
    from assistant.service import Assistant

    index = Assistant().index
    counts: dict[str, int] = {}
    for clause in index.clauses:
        counts[clause.doc_id] = counts.get(clause.doc_id, 0) + 1
    for doc in index.documents.values():
        out.write(f"{doc.id:<18} {doc.region:<6} {doc.date:<10} {doc.doc_number or '-':<20} "
                  f"{counts.get(doc.id, 0):>4}  {doc.title}\n")
    return 0


def cmd_status(out: TextIO) -> int:
    from assistant.index import check_fresh, read_manifest

    settings = get_settings()
    manifest = read_manifest(settings.index_dir)
    check_fresh(manifest, settings)
    out.write(f"index ok: {manifest['clauses']} clauses, model {manifest['embedding_model']}, "
              f"built {manifest['built_at']}\n")
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, inp: TextIO | None = None) -> int:
    out = out or sys.stdout
    inp = inp or sys.stdin
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "jieba", "bm25s", "faiss"):
        logging.getLogger(noisy).setLevel(logging.INFO if args.verbose else logging.ERROR)
    try:
        if args.command == "build":
            return cmd_build(out)
        if args.command == "ask":
            return cmd_ask(args, out)
        if args.command == "chat":
            return cmd_chat(args, out, inp)
        if args.command == "eval":
            return cmd_eval(args, out)
        if args.command == "serve":
            return cmd_serve(args, out)
        if args.command == "documents":
            return cmd_documents(out)
        if args.command == "status":
            return cmd_status(out)
    except AssistantError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
