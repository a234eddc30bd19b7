"""Build the index: incrementally by default, from scratch with `full=True`.

Incremental builds reuse, from the build that serves now, whatever still matches by content:

- a source's documents and clauses, when its bytes, manifest entry, regions, overrides and the
  parser code hash the same (`ParsedSource.key` + the overrides applied);
- a clause's tokens, when its indexed text and jieba's dictionary hash the same and it contains
  none of the region or indicator names that joined or left the dictionary;
- a clause's vector, when its indexed text and the embedder hash the same.

Everything else is computed as a full build would compute it, so the two give the same files
(`tests/test_updates.py` checks this). BM25 and FAISS are rebuilt from the tokens and vectors each
time: both take milliseconds. The trained embedder is fitted when there is none, or by a full
build, which refits it to the corpus as it is now.

Every build writes a new folder and switches to it only when complete (`assistant.index.store`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from assistant import __version__
from assistant.errors import AssistantError
from assistant.index.bm25 import bm25_from_ids
from assistant.index.clauses import iter_clauses, write_clauses
from assistant.index.dense import faiss_index
from assistant.index.embedder import train_static_embedder
from assistant.index.executors import Executor, make_executor
from assistant.index.lexical import save_bm25
from assistant.index.load import (
    FORMAT_VERSION,
    TRAINED,
    check_fresh,
    encoder_source,
    extra_words,
    file_digests,
    index_text,
    read_documents,
    read_manifest,
    shared_encoder,
    shared_tokenizer,
    text_hash,
    tokenizer_base,
    tokenizer_fingerprint,
    verify_build,
)
from assistant.index.store import IndexStore
from assistant.ingest.corpus import (
    Corpus,
    ParsedSource,
    assemble,
    parse_source,
    parser_fingerprint,
    read_source,
    source_key,
)
from assistant.ingest.manifest import Manifest, SourceSpec, load_manifest
from assistant.lexicon.tokenize import Glossary, normalize
from assistant.models import Clause, Document
from assistant.settings import Settings

log = logging.getLogger(__name__)

# At most this many texts fit the embedder's tokenizer, and this many pairs train it.
TRAIN_TEXTS = 200_000
TRAIN_PAIRS = 400_000
# Clauses tokenized (and their tokens written) at a time.
TOKEN_CHUNK = 50_000
STEPS = ("parse corpus", "tokens", "embedder", "vectors", "write", "switch")


class _Previous:
    """What the serving build offers for reuse (nothing for a full build or a first build)."""

    def __init__(self, store: IndexStore, settings: Settings, use: bool) -> None:
        self.manifest: dict[str, Any] = {}
        self.sources: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, Document] = {}
        self.clauses_by_file: dict[str, list[Clause]] = {}
        self.tokens: dict[str, list[str]] = {}
        self.vectors: dict[str, np.ndarray] = {}
        if not use:
            return
        try:
            manifest = read_manifest(settings.index_dir)
        except AssistantError:
            return
        if manifest.get("format_version") != FORMAT_VERSION:
            return
        folder = store.builds / manifest["build"]
        problems = verify_build(folder, manifest)
        if problems:  # nothing of a damaged build is reused
            log.warning("previous build %s is damaged (%s): building everything", manifest["build"], problems[0])
            return
        try:
            self.documents = read_documents(folder)
            clauses = list(iter_clauses(folder))
            hashes, tokens = [], []
            with (folder / "tokens.jsonl").open(encoding="utf-8") as fh:
                for line in fh:
                    row = json.loads(line)
                    hashes.append(row["h"])
                    tokens.append([sys.intern(t) for t in row["t"]])
            vectors = np.load(folder / "vectors.npy")
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.warning("previous build %s cannot be reused (%s): building everything", manifest["build"], exc)
            self.documents = {}
            return
        self.manifest = manifest
        self.sources = {s["file"]: s for s in manifest.get("sources", [])}
        for clause in clauses:
            self.clauses_by_file.setdefault(clause.source_file, []).append(clause)
        self.tokens = dict(zip(hashes, tokens, strict=True))
        self.vectors = dict(zip(hashes, vectors, strict=True))

    def parsed(self, spec: SourceSpec, key: str, overrides: dict[str, dict[str, str]]) -> ParsedSource | None:
        """The source as the serving build parsed it, if nothing it depends on has changed."""
        entry = self.sources.get(spec.file)
        if not entry or entry["key"] != key:
            return None
        ids = entry["documents"]
        applied = {i: overrides[i] for i in ids if i in overrides}
        if applied != entry.get("overrides", {}) or any(i not in self.documents for i in ids):
            return None
        documents = tuple(self.documents[i] for i in ids)
        return ParsedSource(spec, key, documents, tuple(self.clauses_by_file.get(spec.file, ())), applied)


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


def _parse_batch(manifest: Manifest, batch: list[tuple[SourceSpec, bytes, str]]) -> list[ParsedSource]:
    return [parse_source(spec, data, manifest, key) for spec, data, key in batch]


def _dictionary_here(fingerprint: str, dictionary: Path, data: bytes) -> Path:
    """The domain dictionary on this worker: the corpus's file when this machine has it as the
    driver read it, else a copy written from the bytes the task carried (a Ray worker elsewhere)."""
    if dictionary.is_file() and dictionary.read_bytes() == data:
        return dictionary
    copy = Path(tempfile.gettempdir()) / f"assistant-domain-dict-{fingerprint}.txt"
    if not copy.is_file() or copy.read_bytes() != data:
        copy.write_bytes(data)
    return copy


def _tokenize_batch(fingerprint: str, dictionary: Path, data: bytes, words: tuple[str, ...],
                    texts: list[str]) -> list[list[str]]:
    tokenizer = shared_tokenizer(fingerprint, _dictionary_here(fingerprint, dictionary, data), words)  # once per process
    return [tokenizer.document(text) for text in texts]


def _encode_batch(fingerprint: str, source: str, texts: list[str]) -> list[np.ndarray]:
    if source.startswith("/") and not Path(source).exists():
        raise AssistantError(f"the embedder {source} is not on this worker: share index/models/ with the Ray workers",
                             f"本节点没有向量模型 {source}：请让 Ray 各节点能读取 index/models/。")
    return list(shared_encoder(fingerprint, source).encode(texts))


def _parse(settings: Settings, previous: _Previous, counts: dict[str, int],
           prepared: Sequence[ParsedSource], executor: Executor) -> tuple[Corpus, list[ParsedSource]]:
    manifest = load_manifest(settings.corpus_dir)
    code = parser_fingerprint()
    found: dict[int, ParsedSource] = {}
    todo: list[tuple[int, tuple[SourceSpec, bytes, str]]] = []
    ready = {(p.spec, p.key): p for p in prepared}
    for n, spec in enumerate(manifest.sources):
        data = read_source(settings.corpus_dir, spec)
        key = source_key(spec, data, manifest, code)
        source = previous.parsed(spec, key, manifest.overrides)
        counts["sources_reused" if source else "sources_parsed"] += 1
        source = source or ready.get((spec, key))
        if source:
            found[n] = source
        else:
            todo.append((n, (spec, data, key)))
    done = executor.map(functools.partial(_parse_batch, manifest), [item for _n, item in todo], batch_size=8)
    found.update((n, source) for (n, _item), source in zip(todo, done, strict=True))
    parsed = [found[n] for n in range(len(manifest.sources))]
    return assemble(manifest, parsed, settings.corpus_dir), parsed


def _embedder(settings: Settings, store: IndexStore, corpus: Corpus, glossary: Glossary, previous: _Previous,
              full: bool, partial: Path) -> tuple[str, str, dict[str, Any]]:
    """(folder name under models/ or "", fingerprint, training report) of the embedder to use."""
    if settings.embedding_model != TRAINED:
        return "", hashlib.sha256(settings.embedding_model.encode()).hexdigest()[:16], {}
    folder = previous.manifest.get("embedder_folder", "")
    if not full and folder and (store.models / folder).is_dir():
        return folder, previous.manifest["embedder_fingerprint"], previous.manifest.get("training", {})
    from assistant.index.pairs import training_pairs

    staging = partial / "embedder"
    # A large corpus trains on a seeded sample: the tokenizer's vocabulary and the pairs settle
    # long before 10^6 clauses, and training time is capped anyway.
    rng = random.Random(settings.seed)
    texts = [c.text for c in corpus.clauses] + [d.title for d in corpus.documents.values()]
    if len(texts) > TRAIN_TEXTS:
        texts = rng.sample(texts, TRAIN_TEXTS)
    pairs = training_pairs(corpus, glossary, settings.seed)
    if len(pairs) > TRAIN_PAIRS:
        pairs = rng.sample(pairs, TRAIN_PAIRS)
    report = train_static_embedder(texts, pairs, staging, seed=settings.seed, seconds=settings.embedder_train_seconds)
    digest = hashlib.sha256()
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    fingerprint = digest.hexdigest()[:16]
    name = f"trained-{fingerprint}"
    store.models.mkdir(parents=True, exist_ok=True)
    if (store.models / name).exists():
        shutil.rmtree(staging)
    else:
        staging.rename(store.models / name)
    return name, fingerprint, asdict(report)


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
    from tqdm import tqdm

    if not full:
        serving = _up_to_date(settings)
        if serving is not None:
            log.info("index %s is up to date with the corpus", serving["build"])
            store.collect_garbage()  # leftovers of a killed build go even when nothing is built
            return {**serving, "mode": "up to date"}

    started = time.perf_counter()
    store.collect_garbage()  # a killed build's .partial folder goes now
    partial = store.new_build()
    bar = tqdm(total=len(STEPS), desc="build index", unit="step", disable=progress is None and not _tty())
    timings: dict[str, float] = {}  # step name -> seconds it took
    counts = {"sources_parsed": 0, "sources_reused": 0, "tokens_computed": 0, "tokens_reused": 0,
              "vectors_computed": 0, "vectors_reused": 0}
    current: list[tuple[str, float]] = []

    def step(name: str) -> None:
        now = time.perf_counter()
        if current:
            done, since = current.pop()
            timings[done] = round(now - since, 3)
            bar.update(1)
        current.append((name, now))
        bar.set_postfix_str(name)
        if progress:
            progress(name)

    try:
        step("parse corpus")
        previous = _Previous(store, settings, use=not full)
        executor = executor or make_executor(settings)
        corpus, parsed = _parse(settings, previous, counts, prepared, executor)
        glossary = Glossary.load(settings.corpus_dir / "glossary.toml")
        texts = [index_text(c, corpus.documents[c.doc_id]) for c in corpus.clauses]
        hashes = [text_hash(t) for t in texts]

        step("tokens")
        words = extra_words(corpus.documents, corpus.manifest)
        dictionary = settings.corpus_dir / "domain_dict.txt"
        tok_fp = tokenizer_fingerprint(dictionary, words)
        base = tokenizer_base(dictionary)
        reuse_tokens = previous.manifest.get("tokenizer_base") == base
        # A word that joined or left the dictionary changes only the texts that contain it.
        changed = [normalize(w) for w in set(words) ^ set(previous.manifest.get("extra_words", ()))]
        # Streamed in chunks: each clause's tokens are written to tokens.jsonl and kept only as
        # an array of term ids, from which the BM25 matrix is assembled (bm25_build).
        dictionary_bytes = dictionary.read_bytes() if dictionary.is_file() else b""
        tokenize = functools.partial(_tokenize_batch, tok_fp, dictionary, dictionary_bytes, words)
        vocab: dict[str, int] = {}
        term_ids: list[np.ndarray] = []
        with (partial / "tokens.jsonl").open("w", encoding="utf-8") as fh:
            for start in range(0, len(texts), TOKEN_CHUNK):
                chunk = range(start, min(len(texts), start + TOKEN_CHUNK))
                kept: dict[int, list[str]] = {}
                for i in chunk:
                    h = hashes[i]
                    if reuse_tokens and h in previous.tokens and not (
                            changed and any(w in normalize(texts[i]) for w in changed)):
                        kept[i] = previous.tokens[h]
                todo = [i for i in chunk if i not in kept]
                kept.update(zip(todo, executor.map(tokenize, [texts[i] for i in todo], batch_size=5000), strict=True))
                counts["tokens_reused"] += len(chunk) - len(todo)
                counts["tokens_computed"] += len(todo)
                for i in chunk:
                    fh.write(json.dumps({"h": hashes[i], "t": kept[i]}, ensure_ascii=False) + "\n")
                    term_ids.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in kept[i] or ["∅"]),
                                                dtype=np.int32))
        save_bm25(bm25_from_ids(term_ids, vocab), partial / "bm25")
        del term_ids

        step("embedder")
        folder, emb_fp, training = _embedder(settings, store, corpus, glossary, previous, full, partial)

        step("vectors")
        reuse_vectors = previous.manifest.get("embedder_fingerprint") == emb_fp
        missing = [i for i, h in enumerate(hashes) if not (reuse_vectors and h in previous.vectors)]
        fresh: dict[int, np.ndarray] = {}
        if missing:
            manifest_stub = {"embedder_folder": folder, "embedding_model": settings.embedding_model}
            encoded = executor.map(functools.partial(_encode_batch, emb_fp, encoder_source(settings, manifest_stub)),
                                   [texts[i] for i in missing], batch_size=20_000)
            fresh = dict(zip(missing, encoded, strict=True))
        vectors = np.stack([fresh[i] if i in fresh else previous.vectors[h] for i, h in enumerate(hashes)])
        counts["vectors_computed"], counts["vectors_reused"] = len(missing), len(hashes) - len(missing)
        np.save(partial / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(faiss_index(vectors, seed=settings.seed), str(partial / "dense.faiss"))

        step("write")
        for name in ("glossary.toml", "concepts.toml", "domain_dict.txt"):  # a build carries what its queries are read with
            if (settings.corpus_dir / name).is_file():
                shutil.copyfile(settings.corpus_dir / name, partial / name)
        (partial / "documents.json").write_text(
            json.dumps([asdict(d) for d in corpus.documents.values()], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        write_clauses(partial, corpus.clauses, {d: i for i, d in enumerate(corpus.documents)})
        manifest = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "corpus_fingerprint": corpus.fingerprint,
            "parser_fingerprint": parser_fingerprint(),
            "tokenizer_fingerprint": tok_fp,
            "tokenizer_base": base,
            "extra_words": list(words),
            "regions": [asdict(r) for r in corpus.manifest.regions],
            "embedding_model": settings.embedding_model,
            "embedding_model_description": (
                "StaticEmbedding trained on this corpus (Unigram tokenizer, MNRL)"
                if settings.embedding_model == TRAINED else settings.embedding_model
            ),
            "embedder_folder": folder,
            "embedder_fingerprint": emb_fp,
            "dimension": int(vectors.shape[1]),
            "documents": len(corpus.documents),
            "clauses": len(corpus.clauses),
            "sources": [{"file": p.spec.file, "id": p.spec.id, "key": p.key, "documents": [d.id for d in p.documents],
                         "overrides": p.overrides, "clauses": len(p.clauses)} for p in parsed],
            "training": training,
            "mode": "full" if full or not previous.manifest else "incremental",
            "reuse": counts,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        step("switch")
        manifest["build_seconds"] = round(time.perf_counter() - started, 2)
        manifest["step_seconds"] = timings
        manifest["files"] = file_digests(partial)  # so a damaged file is found: `assistant status`, loading
        (partial / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        final = store.publish(partial)
        step("done")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        bar.close()
    manifest["build"] = final.name
    log.info("index %s built in %.2fs (%s): %d documents, %d clauses; %s", final.name, manifest["build_seconds"],
             manifest["mode"], manifest["documents"], manifest["clauses"], counts)
    return manifest
