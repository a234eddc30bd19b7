"""The command line: `assistant build | ask | chat | serve | mcp | eval | list | status` and the corpus
changes `add | update | remove | retire | reinstate`.

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

from assistant import __version__
from assistant.errors import AssistantError
from assistant.service.contract import answer_json, answer_text, error_json
from assistant.settings import REPO_ROOT, Settings, get_settings

EXIT_USAGE = 2
EXIT_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="营商环境政策问答：答案必附条款出处")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument("--version", action="version", version=f"assistant (policy-assistant) {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="bring the index up to date with the corpus (only what changed)")
    build.add_argument("--full", action="store_true",
                       help="rebuild everything from the sources, refitting the trained embedder")
    build.add_argument("--executor", choices=["local", "ray"],
                       help="where parse, tokenize and embed run: here (default) or on Ray Data "
                            "(ASSISTANT_RAY_ADDRESS; empty starts a local Ray instance)")

    ask = sub.add_parser("ask", help="answer one question, or a JSON Lines batch")
    ask.add_argument("question", nargs="?", help="the question, in Chinese")
    ask.add_argument("--region", help="only clauses of this region (and the regions inside it)")
    ask.add_argument("--document", help="only clauses of this document id (and its sub-plans)")
    ask.add_argument("--json", action="store_true", help="print the JSON contract")
    ask.add_argument("--batch", type=Path, help="JSON Lines file with id and question per line")
    ask.add_argument("--include-retired", action="store_true", help="also answer from repealed or superseded documents")

    chat = sub.add_parser("chat", help="terminal chat")
    chat.add_argument("--region", help="only clauses of this region")

    ev = sub.add_parser("eval", help="score against gold files (default: the shared dev.jsonl, dev2.jsonl and dev3.jsonl)")
    ev.add_argument("--gold", type=Path, action="append",
                    help="a gold JSON Lines file; repeat for several "
                         "(default: ../shared/eval/dev.jsonl, dev2.jsonl and dev3.jsonl)")
    ev.add_argument("--mode", action="append", choices=("fused", "lexical", "dense"),
                    help="retrieval mode to score; repeat for several (default: all three)")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--failures", action="store_true",
                    help="also list the questions answered wrongly, with file, kind and why")

    serve = sub.add_parser("serve", help="run the web server: the page at /, the API at /api and /v1")
    serve.add_argument("--host", help="interface to listen on (default from settings: 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default from settings: 7860)")

    add = sub.add_parser("add", help="add .txt/.md/.pdf/.docx files (or folders of them) to the corpus, then "
                                     "update the index once; several files print a summary")
    add.add_argument("files", nargs="+", type=Path, metavar="DIR_OR_FILE")
    add.add_argument("--recursive", action="store_true", help="also the files in sub-folders of a folder given")
    add.add_argument("--default-region", help="for several files: the region of a file whose region is neither "
                                              "given nor read from it (default: refuse such a file, add the rest)")
    for flag, what in (("--region", "the region it applies to (read from the text when left out)"),
                       ("--region-parent", "for a region the corpus does not know yet: the region containing it"),
                       ("--title", "title"), ("--issuer", "issuing body"), ("--doc-number", "文号"),
                       ("--date", "date, YYYY-MM-DD"), ("--id", "document id (default: made from date and content)")):
        add.add_argument(flag, help=what)
    update = sub.add_parser("update", help="replace a document's file with a new version, keeping its id")
    update.add_argument("doc_id")
    update.add_argument("file", type=Path)
    remove = sub.add_parser("remove", help="delete a document from the corpus, then update the index")
    remove.add_argument("doc_id")
    retire = sub.add_parser("retire", help="mark a document 已废止 (or 被替代 with --superseded-by)")
    retire.add_argument("doc_id")
    retire.add_argument("--superseded-by", default="", help="the id of the document that replaces it")
    reinstate = sub.add_parser("reinstate", help="mark a retired document 现行 again")
    reinstate.add_argument("doc_id")
    sub.add_parser("mcp", help="serve the MCP tools (ask, search, get_clause, …) over stdin/stdout, for agent clients")
    for name, said in (("list", "the documents with id, status, region, date, 文号 and clause count"),
                       ("documents", "same as list")):
        listing = sub.add_parser(name, help=said)
        listing.add_argument("--json", action="store_true", help="a JSON array, one object per document")
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


def cmd_build(args: argparse.Namespace, out: TextIO) -> int:
    from assistant.index.build import build_index
    from assistant.index.executors import make_executor

    settings = get_settings()
    executor = make_executor(settings, args.executor) if args.executor else None
    manifest = build_index(settings, progress=lambda _step: None, full=args.full, executor=executor)
    out.write(_built_line(manifest) + "\n")
    _publish(settings, out)
    return 0


def _publish(settings: Settings, out: TextIO) -> None:
    """Where builds run, the build goes to Milvus too when this process is its one writer."""
    from assistant.errors import SearchUnavailable
    from assistant.retrieval.backends import publish_build

    try:
        collection = publish_build(settings)
    except SearchUnavailable as exc:
        if "://" in settings.milvus_uri or settings.milvus_writer:
            raise
        # a Milvus Lite file another process holds: that process (the server) publishes on loading it
        sys.stderr.write(f"note: build not published to Milvus here ({exc.message}); the server holding the "
                         "Milvus Lite file publishes it when it loads the build\n")
        return
    if collection is not None:
        out.write(f"published to Milvus: {settings.milvus_collection} -> {collection}\n")


def _built_line(manifest: dict[str, Any]) -> str:
    reuse = manifest["reuse"]
    return (f"index {manifest['build']} built in {manifest['build_seconds']}s ({manifest['mode']}): "
            f"{manifest['documents']} documents, {manifest['clauses']} clauses; parsed {reuse['sources_parsed']} "
            f"of {reuse['sources_parsed'] + reuse['sources_reused']} sources, embedded {reuse['vectors_computed']} "
            f"clauses; model {manifest['embedding_model']}")


def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    from assistant.service.assistant import Assistant

    assistant = Assistant()
    if args.batch:
        for id_, question in _batch(args.batch):
            try:
                answer = assistant.ask(question, region=args.region, document=args.document,
                                       include_retired=args.include_retired)
                row = answer_json(answer, id_)
            except AssistantError as exc:
                row = {"id": id_, "question": question, **error_json(exc)}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return 0
    if args.question is None:
        raise AssistantError("give a question, or --batch FILE")
    answer = assistant.ask(args.question, region=args.region, document=args.document,
                           include_retired=args.include_retired)
    out.write((json.dumps(answer_json(answer), ensure_ascii=False, indent=1) if args.json
               else answer_text(answer)) + "\n")
    return 0


def cmd_chat(args: argparse.Namespace, out: TextIO, inp: TextIO) -> int:
    from assistant.service.assistant import Assistant
    from assistant.understand.conversation import Turn

    assistant = Assistant()
    started = time.perf_counter()
    assistant.warm_up()
    history: list[Turn] = []
    out.write(f"营商环境政策问答（已加载 {len(assistant.index.clauses)} 条条款，用时 "
              f"{time.perf_counter() - started:.1f}s）。输入问题，空行或 Ctrl-D 退出。\n")
    ask_line = _line_reader(inp, out, assistant.settings.data_dir / "chat_history")
    while True:
        line = ask_line("\n问> ")
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


def _line_reader(inp: TextIO, out: TextIO, history_file: Path) -> Any:
    """At a terminal: `input()` with readline's line editing and a history kept across sessions
    (Up recalls earlier questions); otherwise (a pipe, a test) plain lines from `inp`."""
    if inp is sys.stdin and out is sys.stdout and sys.stdin.isatty():
        try:
            import readline
        except ImportError:  # not on every platform
            readline = None  # type: ignore[assignment]
        if readline is not None:
            try:
                readline.read_history_file(history_file)
            except OSError:
                pass
            readline.set_history_length(1000)

            def save() -> None:
                try:
                    history_file.parent.mkdir(parents=True, exist_ok=True)
                    readline.write_history_file(history_file)
                except OSError:
                    pass

            import atexit

            atexit.register(save)

        def from_terminal(prompt: str) -> str:
            try:
                return input(prompt)
            except EOFError:
                return ""

        return from_terminal

    def from_stream(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        return inp.readline()

    return from_stream


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    from assistant.eval.score import ALL_MODES, evaluate, failures, load_golds, named_regions
    from assistant.service.assistant import Assistant

    shared = REPO_ROOT.parent / "shared" / "eval"
    items = load_golds(args.gold or [shared / "dev.jsonl", shared / "dev2.jsonl", shared / "dev3.jsonl"])
    assistant = Assistant()
    report, answers = evaluate(assistant, items, tuple(m for m in ALL_MODES if m in (args.mode or ALL_MODES)))
    if args.json:
        out.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        _eval_tables(report, items, out)
    if args.failures:
        mode = "fused" if "fused" in answers else next(iter(answers))
        named, manifest = named_regions(assistant, items)
        for row in failures(items, answers[mode], named, manifest):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


def _eval_tables(report: dict[str, Any], items: Sequence[Any], out: TextIO) -> None:
    """The figures per mode, then (for fused, or the one mode run) the figures per kind and persona."""
    def cell(value: Any, width: int) -> str:
        return f"{'-' if value is None else str(value):>{width}}"

    files = ", ".join(dict.fromkeys(i.file for i in items))
    out.write(f"{len(items)} questions from {files}\n")
    first = next(iter(report.values()))
    metrics = [m for m, v in first.items() if not isinstance(v, dict) and m != "region_correct_count"]
    out.write(f"{'metric':<28}" + "".join(f"{m:>10}" for m in report) + "\n")
    for metric in metrics:
        out.write(f"{metric:<28}" + "".join(cell(report[m][metric], 10) for m in report))
        if metric == "region_correct":
            out.write("   (" + ", ".join(f"{m} {report[m]['region_correct_count']}" for m in report) + ")")
        out.write("\n")
    for m in report:
        reasons = ", ".join(f"{why} {n}" for why, n in report[m]["wrong_by_reason"].items()) or "none"
        out.write(f"wrong answers ({m}): {reasons}\n")
    mode = "fused" if "fused" in report else next(iter(report))
    columns = ("n", "hit@1", "key_containment", "abstention_on_unanswerable", "false_abstention")
    heads = ("n", "hit@1", "keys", "abstain", "false_abst")
    for field in ("kind", "persona"):
        out.write(f"\n{'by ' + field + ' (' + mode + ')':<28}" + "".join(f"{h:>11}" for h in heads) + "\n")
        for value, row in report[mode][f"by_{field}"].items():
            out.write(f"{value:<28}" + "".join(cell(row[c], 11) for c in columns) + "\n")


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    import uvicorn

    settings = get_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    if not args.verbose:  # a server says what happened: ready, follow-ups, refused requests (one line each)
        for name in ("assistant", "web"):
            logging.getLogger(name).setLevel(logging.INFO)
    from web.ops import configure_logging

    configure_logging(settings.log_format)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    out.write(f"营商环境政策问答 → http://{shown}:{port}/   (API docs: http://{shown}:{port}/docs)\n")
    out.flush()
    # the web edge by name: the command line stands beside it, not above it. Proxy headers are
    # the project's setting alone: unless ASSISTANT_TRUST_FORWARDED_FOR, uvicorn ignores them too
    # (by default it believes X-Forwarded-For from 127.0.0.1, a bucket per request for a local client).
    trust = settings.trust_forwarded_for
    # create_server: the port bound at once, the index loading behind (503 `starting` meanwhile)
    uvicorn.run("web.app:create_server", factory=True, host=host, port=port,
                log_level="info" if args.verbose else "warning",
                proxy_headers=trust, forwarded_allow_ips="*" if trust else "")
    return 0


def cmd_mcp() -> int:
    """MCP over stdio: stdout carries the protocol, so logs go to stderr only."""
    from assistant.service.assistant import Assistant
    from web.limits import usable_token
    from web.mcp import run_stdio

    run_stdio(Assistant(usable_token(get_settings())))
    return 0


def cmd_documents(args: argparse.Namespace, out: TextIO) -> int:
    from assistant.service.assistant import Assistant
    from assistant.service.contract import document_json

    documents = Assistant().documents()
    if args.json:
        out.write(json.dumps([document_json(doc, count) for doc, count in documents], ensure_ascii=False, indent=2)
                  + "\n")
        return 0
    out.write(f"{'ID':<22} {'STATUS':<4} {'REGION':<6} {'DATE':<10} {'文号':<20} {'CLAUSES':>7}  TITLE\n")
    for doc, count in documents:
        replaced = f" → {doc.superseded_by}" if doc.superseded_by else ""
        out.write(f"{doc.id:<22} {doc.status:<4} {doc.region:<6} {doc.date_iso:<10} {doc.doc_number or '-':<20} "
                  f"{count:>7}  {doc.title}{replaced}\n")
    return 0


def cmd_library(args: argparse.Namespace, out: TextIO) -> int:
    """add / update / remove / retire / reinstate: change the corpus, then update the index."""
    from assistant.service.imports import add_many
    from assistant.service.library import Library, Metadata, change

    settings = get_settings()

    def read(path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise AssistantError(f"cannot read {path}: {exc.strerror}") from exc

    def edit(library: Library) -> str:
        if args.command == "add" and (len(args.files) > 1 or args.recursive or args.files[0].is_dir()):
            single = [f for f in ("title", "issuer", "doc_number", "date", "id") if getattr(args, f)]
            if single:
                raise AssistantError(f"--{single[0].replace('_', '-')} describes one document: add the files one "
                                     "at a time, or give only --region for all")
            report = add_many(library, args.files, args.region, recursive=args.recursive,
                              region_parent=args.region_parent or "",
                              default_region=args.default_region or settings.import_default_region)
            return report.summary()
        if args.command == "add":
            meta = Metadata(title=args.title or "", issuer=args.issuer or "", doc_number=args.doc_number or "",
                            date=args.date or "", region=args.region or "", region_parent=args.region_parent or "",
                            doc_id=args.id or "")
            specs = [library.add(path.name, read(path), meta) for path in args.files]
            return "\n".join(f"added {s.id}: {s.title} ({s.region}, {s.date or '日期未知'}) <- {s.file}" for s in specs)
        if args.command == "update":
            spec = library.update(args.doc_id, args.file.name, read(args.file))
            return f"updated {spec.id} from {args.file}"
        if args.command == "remove":
            spec = library.remove(args.doc_id)
            return f"removed {spec.id} ({spec.file})"
        if args.command == "retire":
            library.retire(args.doc_id, args.superseded_by)
            return f"retired {args.doc_id}" + (f", superseded by {args.superseded_by}" if args.superseded_by else "")
        library.reinstate(args.doc_id)
        return f"reinstated {args.doc_id}"

    said, manifest = change(settings, edit)
    out.write(said + "\n" + _built_line(manifest) + "\n")
    _publish(settings, out)
    return 0


def _recover() -> None:
    """A corpus change a killed process left is finished (and built) before anything else."""
    from assistant.service.library import recover

    manifest = recover(get_settings())
    if manifest is not None:
        sys.stderr.write(f"finished an interrupted corpus change: {_built_line(manifest)}\n")


def cmd_status(out: TextIO) -> int:
    """Whether the serving build is whole (every file against its size and SHA-256) and fresh."""
    from assistant.errors import IndexDamaged
    from assistant.index.load import check_fresh, read_manifest, verify_build
    from assistant.index.store import IndexStore

    settings = get_settings()
    manifest = read_manifest(settings.index_dir)
    problems = verify_build(IndexStore(settings.index_dir).builds / manifest["build"], manifest)
    if problems:
        raise IndexDamaged(f"index build {manifest['build']} is damaged: {'; '.join(problems)}; "
                           "`assistant build` builds it again", damaged=problems)
    check_fresh(manifest, settings)
    checked = f", {len(manifest['files'])} files checked" if manifest.get("files") else ""
    out.write(f"index ok: {manifest['clauses']} clauses, model {manifest['embedding_model']}, "
              f"built {manifest['built_at']}{checked}\n")
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, inp: TextIO | None = None) -> int:
    out = out or sys.stdout
    inp = inp or sys.stdin
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "region_parent", None) and not getattr(args, "region", None):
        parser.error("--region-parent needs --region: it names the region containing the new --region")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "jieba", "bm25s", "faiss"):
        logging.getLogger(noisy).setLevel(logging.INFO if args.verbose else logging.ERROR)
    try:
        if args.command in ("build", "add", "update", "remove", "retire", "reinstate"):
            _recover()
        if args.command == "build":
            return cmd_build(args, out)
        if args.command == "ask":
            return cmd_ask(args, out)
        if args.command == "chat":
            return cmd_chat(args, out, inp)
        if args.command == "eval":
            return cmd_eval(args, out)
        if args.command == "serve":
            return cmd_serve(args, out)
        if args.command == "mcp":
            return cmd_mcp()
        if args.command in ("documents", "list"):
            return cmd_documents(args, out)
        if args.command in ("add", "update", "remove", "retire", "reinstate"):
            return cmd_library(args, out)
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
