"""Build the index: incrementally by default, from scratch with `full=True`.

Incremental builds reuse, from the build that serves now, whatever still matches by content:

- a source's documents and clauses, when its bytes, manifest entry, regions, overrides and the
  parser code hash the same (`ParsedSource.key` + the overrides applied);
- a clause's tokens, when its indexed text and jieba's dictionary hash the same and it contains
  none of the region or indicator names that joined or left the dictionary;
- a clause's vector, when its indexed text and the embedder hash the same.

Everything else is computed as a full build would compute it, so the two give the same files
(`tests/slow/test_updates.py` checks this). BM25 and FAISS are rebuilt from the tokens and vectors each
time: both take milliseconds. The trained embedder is fitted when there is none, or by a full
build, which refits it to the corpus as it is now.

Every build writes a new folder and switches to it only when complete (`assistant.index.store`).

This module runs the build: the up-to-date check, the steps and their timings, the manifest
(`assistant.index.manifest.BuildManifest`) and the switch. The stages themselves are in
`assistant.index.stages`; what the serving build offers for reuse is `assistant.index.previous`.
"""

from __future__ import annotations

import errno
import json
import logging
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant import __version__
from assistant.errors import AssistantError, DiskFull
from assistant.index.executors import Executor, make_executor
from assistant.index.load import FORMAT_VERSION, TRAINED, check_fresh, file_digests, read_manifest, verify_build
from assistant.index.manifest import BuildManifest
from assistant.index.previous import PreviousBuild
from assistant.index.stages import (
    BuildRun,
    Embedder,
    Parsed,
    Tokens,
    embedder,
    parse_corpus,
    reuse_counts,
    tokens_and_bm25,
    vectors_and_faiss,
    write_files,
)
from assistant.index.store import IndexStore
from assistant.ingest.corpus import ParsedSource, corpus_fingerprint, parser_fingerprint
from assistant.ingest.manifest import load_manifest
from assistant.settings import Settings

log = logging.getLogger(__name__)

STEPS = ("parse corpus", "tokens", "embedder", "vectors", "write", "switch")


def _up_to_date(settings: Settings) -> dict[str, Any] | None:
    """The serving build's manifest, when it already matches the corpus, the model and the parser."""
    try:
        manifest = read_manifest(settings.index_dir)
        check_fresh(manifest, settings)
    except AssistantError:
        return None
    problems = verify_build(IndexStore(settings.index_dir).builds / manifest["build"], manifest)
    if problems:
        log.warning("index %s is damaged (%s): building it again", manifest["build"], "; ".join(problems[:3]))
        return None
    return manifest if manifest.get("parser_fingerprint") == parser_fingerprint() else None


def _tty() -> bool:
    return sys.stderr.isatty()


class _Steps:
    """The build's steps as they begin: a progress bar, the caller's callback, and the seconds
    each step took (recorded when the next one begins)."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        from tqdm import tqdm

        self.progress = progress
        self.bar = tqdm(total=len(STEPS), desc="build index", unit="step", disable=progress is None and not _tty())
        self.timings: dict[str, float] = {}  # step name -> seconds it took
        self.current: tuple[str, float] | None = None

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.current:
            done, since = self.current
            self.timings[done] = round(now - since, 3)
            self.bar.update(1)
        self.current = (name, now)
        self.bar.set_postfix_str(name)
        if self.progress:
            self.progress(name)


def build_index(settings: Settings, progress: Callable[[str], None] | None = None, *, full: bool = False,
                lock_timeout: float = -1, executor: Executor | None = None) -> dict[str, Any]:
    """Build the index and make it the one that serves. Returns the new build's manifest. The
    heavy stages run on `executor` (default: the one settings name, local unless told)."""
    store = IndexStore(settings.index_dir)
    with store.lock(lock_timeout):
        return build_locked(settings, store, progress, full=full, executor=executor)


def build_locked(settings: Settings, store: IndexStore, progress: Callable[[str], None] | None = None, *,
                 full: bool = False, prepared: Sequence[ParsedSource] = (),
                 executor: Executor | None = None) -> dict[str, Any]:
    """`build_index` for a caller that already holds the store's lock; `prepared` holds sources the
    caller parsed already (a new document, checked before it was written)."""
    if not full:
        serving = _up_to_date(settings)
        if serving is not None:
            log.info("index %s is up to date with the corpus", serving["build"])
            store.collect_garbage()  # leftovers of a killed build go even when nothing is built
            return {**serving, "mode": "up to date"}

    started = time.perf_counter()
    store.collect_garbage()  # a killed build's .partial folder goes now
    if not load_manifest(settings.corpus_dir).sources:
        return _build_empty(settings, store, started)
    partial = store.new_build()
    step = _Steps(progress)
    try:
        manifest = _build(settings, store, partial, step, full=full, prepared=prepared, executor=executor)
        manifest = _switch(manifest, partial, step, started)
        final = store.publish(partial)
        step("done")
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        _no_space(exc, partial)
        raise
    finally:
        step.bar.close()
    # The switch step's seconds are known only now: they are in what is returned, not in the file.
    result = {**manifest.to_json(), "step_seconds": step.timings, "build": final.name}
    log.info("index %s built in %.2fs (%s): %d documents, %d clauses; %s", final.name, manifest.build_seconds,
             manifest.mode, manifest.documents, manifest.clauses, manifest.reuse)
    return result


def _build_empty(settings: Settings, store: IndexStore, started: float) -> dict[str, Any]:
    """A corpus with no documents yet (a new deployment) builds too: a build of no clauses, whose
    loading says so (`NoDocuments`), so the server starts and answers "no documents yet"."""
    partial = store.new_build()
    try:
        (partial / "documents.json").write_text("[]", encoding="utf-8")
        manifest = BuildManifest(
            format_version=FORMAT_VERSION, package_version=__version__,
            corpus_fingerprint=corpus_fingerprint(settings.corpus_dir), parser_fingerprint=parser_fingerprint(),
            regions=[asdict(r) for r in load_manifest(settings.corpus_dir).regions],
            embedding_model=settings.embedding_model, mode="empty", reuse=reuse_counts(),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 2), files=file_digests(partial))
        (partial / "manifest.json").write_text(json.dumps(manifest.to_json(), ensure_ascii=False, indent=1),
                                               encoding="utf-8")
        final = store.publish(partial)
    except BaseException as exc:
        shutil.rmtree(partial, ignore_errors=True)
        _no_space(exc, partial)
        raise
    log.info("index %s built: the corpus has no documents yet", final.name)
    return {**manifest.to_json(), "step_seconds": {}, "build": final.name}


def _no_space(exc: BaseException, partial: Path) -> None:
    """A full disk (or quota) while a build wrote its files is DiskFull: the half-written build is
    gone already and `CURRENT` still names the previous build, which goes on serving."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        log.error("no space left on the disk while writing index build %s (%s): it was removed; the previous "
                  "build still serves", partial.name, exc.strerror)
        raise DiskFull(f"no space left on the disk while writing the index build ({exc.strerror}); nothing was "
                       "published and the previous build still serves",
                       "服务器磁盘空间不足，新索引未能写入；更改未保存，仍使用之前的索引。") from exc


def _build(settings: Settings, store: IndexStore, partial: Path, step: _Steps, *, full: bool,
           prepared: Sequence[ParsedSource], executor: Executor | None) -> BuildManifest:
    """The stages up to the switch, in `partial`: what the manifest says of them."""
    step("parse corpus")
    previous = PreviousBuild(store, settings, use=not full)
    run = BuildRun(settings, store, partial, executor or make_executor(settings), previous, full)
    parsed = parse_corpus(run, prepared)
    step("tokens")
    tokens = tokens_and_bm25(run, parsed)
    step("embedder")
    model = embedder(run, parsed)
    step("vectors")
    dimension = vectors_and_faiss(run, parsed, model)
    step("write")
    write_files(run, parsed.corpus)
    return _describe(run, parsed, tokens, model, dimension)


def _describe(run: BuildRun, parsed: Parsed, tokens: Tokens, model: Embedder, dimension: int) -> BuildManifest:
    """The new build's manifest, but for what only the switch knows (its seconds and files)."""
    settings, corpus = run.settings, parsed.corpus
    return BuildManifest(
        format_version=FORMAT_VERSION,
        package_version=__version__,
        corpus_fingerprint=corpus.fingerprint,
        parser_fingerprint=parser_fingerprint(),
        tokenizer_fingerprint=tokens.fingerprint,
        tokenizer_base=tokens.base,
        extra_words=list(tokens.words),
        regions=[asdict(r) for r in corpus.manifest.regions],
        embedding_model=settings.embedding_model,
        embedding_model_description=(
            "StaticEmbedding trained on this corpus (Unigram tokenizer, MNRL)"
            if settings.embedding_model == TRAINED else settings.embedding_model
        ),
        embedder_folder=model.folder,
        embedder_fingerprint=model.fingerprint,
        dimension=dimension,
        documents=len(corpus.documents),
        clauses=len(corpus.clauses),
        sources=[{"file": p.spec.file, "id": p.spec.id, "key": p.key, "documents": [d.id for d in p.documents],
                  "overrides": p.overrides, "clauses": len(p.clauses)} for p in parsed.sources],
        training=model.training,
        mode="full" if run.full or run.previous.manifest is None else "incremental",
        reuse=run.counts,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _switch(manifest: BuildManifest, partial: Path, step: _Steps, started: float) -> BuildManifest:
    """The manifest completed with the build's seconds and its files' digests, written into
    `partial` (the last file written before the build is published)."""
    step("switch")
    manifest = replace(manifest, build_seconds=round(time.perf_counter() - started, 2),
                       step_seconds=dict(step.timings),
                       files=file_digests(partial))  # so a damaged file is found: `assistant status`, loading
    (partial / "manifest.json").write_text(json.dumps(manifest.to_json(), ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    return manifest
