"""The build's stages, in order: parse the corpus, tokens and BM25, the embedder, vectors and
FAISS, and the build folder's files. `assistant.index.build` runs them and writes the manifest.

Each stage reuses what the serving build offers (`PreviousBuild`) and runs its heavy work on the
build's executor, through the module-level batch functions at the end of this file (picklable,
for Ray workers).
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from assistant.errors import AssistantError
from assistant.index.bm25 import bm25_from_ids
from assistant.index.clauses import write_clauses
from assistant.index.dense import faiss_index
from assistant.index.embedder import train_static_embedder
from assistant.index.executors import Executor
from assistant.index.lexical import save_bm25
from assistant.index.load import (
    TRAINED,
    encoder_source,
    extra_words,
    index_text,
    shared_encoder,
    shared_tokenizer,
    text_hash,
    tokenizer_base,
    tokenizer_fingerprint,
)
from assistant.index.previous import PreviousBuild
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
from assistant.settings import Settings

# Clauses tokenized (and their tokens written) at a time.
TOKEN_CHUNK = 50_000
# At most this many texts fit the embedder's tokenizer, and this many pairs train it.
TRAIN_TEXTS = 200_000
TRAIN_PAIRS = 400_000


def reuse_counts() -> dict[str, int]:
    return {"sources_parsed": 0, "sources_reused": 0, "tokens_computed": 0, "tokens_reused": 0,
            "vectors_computed": 0, "vectors_reused": 0}


@dataclass
class BuildRun:
    """One build in progress: where it writes, what it may reuse, and what it computed or reused."""

    settings: Settings
    store: IndexStore
    partial: Path  # the build folder being written
    executor: Executor
    previous: PreviousBuild
    full: bool
    counts: dict[str, int] = field(default_factory=reuse_counts)


@dataclass(frozen=True)
class Parsed:
    """The corpus as parsed, with each clause's indexed text and its hash, in clause order."""

    corpus: Corpus
    sources: list[ParsedSource]
    glossary: Glossary
    texts: list[str]
    hashes: list[str]


@dataclass(frozen=True)
class Embedder:
    folder: str  # under models/, or "" for a named model
    fingerprint: str
    training: dict[str, Any]  # the training report, {} for a named model


@dataclass(frozen=True)
class Tokens:
    fingerprint: str  # the tokenizer as a whole
    base: str  # jieba and the domain dictionary
    words: tuple[str, ...]  # region and indicator names added to the dictionary


# -- parse corpus --------------------------------------------------------------------------------
def parse_corpus(run: BuildRun, prepared: Sequence[ParsedSource]) -> Parsed:
    """Every source of the corpus: reused, taken from `prepared`, or parsed on the executor."""
    settings = run.settings
    manifest = load_manifest(settings.corpus_dir)
    code = parser_fingerprint()
    found: dict[int, ParsedSource] = {}
    todo: list[tuple[int, tuple[SourceSpec, bytes, str]]] = []
    ready = {(p.spec, p.key): p for p in prepared}
    for n, spec in enumerate(manifest.sources):
        data = read_source(settings.corpus_dir, spec)
        key = source_key(spec, data, manifest, code)
        source = run.previous.parsed(spec, key, manifest.overrides)
        run.counts["sources_reused" if source else "sources_parsed"] += 1
        source = source or ready.get((spec, key))
        if source:
            found[n] = source
        else:
            todo.append((n, (spec, data, key)))
    done = run.executor.map(functools.partial(_parse_batch, manifest), [item for _n, item in todo], batch_size=8)
    found.update((n, source) for (n, _item), source in zip(todo, done, strict=True))
    parsed = [found[n] for n in range(len(manifest.sources))]
    corpus = assemble(manifest, parsed, settings.corpus_dir)
    glossary = Glossary.load(settings.corpus_dir / "glossary.toml")
    texts = [index_text(c, corpus.documents[c.doc_id]) for c in corpus.clauses]
    return Parsed(corpus, parsed, glossary, texts, [text_hash(t) for t in texts])


# -- tokens and BM25 -----------------------------------------------------------------------------
def tokens_and_bm25(run: BuildRun, parsed: Parsed) -> Tokens:
    """Every clause's tokens, to tokens.jsonl, and the BM25 arrays assembled from their term ids.
    Streamed in chunks: each clause's tokens are kept only as an array of term ids."""
    dictionary = run.settings.corpus_dir / "domain_dict.txt"
    words = extra_words(parsed.corpus.documents, parsed.corpus.manifest)
    tokens = Tokens(tokenizer_fingerprint(dictionary, words), tokenizer_base(dictionary), words)
    dictionary_bytes = dictionary.read_bytes() if dictionary.is_file() else b""
    tokenize = functools.partial(_tokenize_batch, tokens.fingerprint, dictionary, dictionary_bytes, words)
    reusable = _reusable_tokens(run.previous, parsed, tokens)
    texts, hashes = parsed.texts, parsed.hashes
    vocab: dict[str, int] = {}
    term_ids: list[np.ndarray] = []
    with (run.partial / "tokens.jsonl").open("w", encoding="utf-8") as fh:
        for start in range(0, len(texts), TOKEN_CHUNK):
            chunk = range(start, min(len(texts), start + TOKEN_CHUNK))
            kept = {i: run.previous.tokens[hashes[i]] for i in chunk if reusable(i)}
            todo = [i for i in chunk if i not in kept]
            kept.update(zip(todo, run.executor.map(tokenize, [texts[i] for i in todo], batch_size=5000), strict=True))
            run.counts["tokens_reused"] += len(chunk) - len(todo)
            run.counts["tokens_computed"] += len(todo)
            for i in chunk:
                fh.write(json.dumps({"h": hashes[i], "t": kept[i]}, ensure_ascii=False) + "\n")
                term_ids.append(np.fromiter((vocab.setdefault(t, len(vocab)) for t in kept[i] or ["∅"]),
                                            dtype=np.int32))
    save_bm25(bm25_from_ids(term_ids, vocab), run.partial / "bm25")
    return tokens


def _reusable_tokens(previous: PreviousBuild, parsed: Parsed, tokens: Tokens) -> Callable[[int], bool]:
    """Whether clause i's tokens can come from the serving build: same text, same jieba and
    dictionary, and none of the words that joined or left the dictionary in it."""
    if previous.manifest is None or previous.manifest.tokenizer_base != tokens.base:
        return lambda _i: False
    changed = [normalize(w) for w in set(tokens.words) ^ set(previous.manifest.extra_words)]

    def reusable(i: int) -> bool:
        return parsed.hashes[i] in previous.tokens and not (
            changed and any(w in normalize(parsed.texts[i]) for w in changed))

    return reusable


# -- embedder ------------------------------------------------------------------------------------
def embedder(run: BuildRun, parsed: Parsed) -> Embedder:
    """The embedder to use: the configured model, the serving build's trained one, or (by a full
    build, or when there is none) one trained on the corpus now."""
    settings, previous = run.settings, run.previous
    if settings.embedding_model != TRAINED:
        return Embedder("", hashlib.sha256(settings.embedding_model.encode()).hexdigest()[:16], {})
    serving = None if run.full else previous.manifest
    if serving is not None and serving.embedder_folder and (run.store.models / serving.embedder_folder).is_dir():
        return Embedder(serving.embedder_folder, serving.embedder_fingerprint, serving.training)
    from assistant.index.pairs import training_pairs

    staging = run.partial / "embedder"
    # A large corpus trains on a seeded sample: the tokenizer's vocabulary and the pairs settle
    # long before 10^6 clauses, and training time is capped anyway.
    rng = random.Random(settings.seed)
    corpus = parsed.corpus
    texts = [c.text for c in corpus.clauses] + [d.title for d in corpus.documents.values()]
    if len(texts) > TRAIN_TEXTS:
        texts = rng.sample(texts, TRAIN_TEXTS)
    pairs = training_pairs(corpus, parsed.glossary, settings.seed)
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
    run.store.models.mkdir(parents=True, exist_ok=True)
    if (run.store.models / name).exists():
        shutil.rmtree(staging)
    else:
        staging.rename(run.store.models / name)
    return Embedder(name, fingerprint, asdict(report))


# -- vectors and FAISS ---------------------------------------------------------------------------
def vectors_and_faiss(run: BuildRun, parsed: Parsed, model: Embedder) -> int:
    """Every clause's vector, to vectors.npy, and the FAISS index over them; returns the dimension."""
    previous, hashes = run.previous, parsed.hashes
    reuse = previous.manifest is not None and previous.manifest.embedder_fingerprint == model.fingerprint
    missing = [i for i, h in enumerate(hashes) if not (reuse and h in previous.vectors)]
    fresh: dict[int, np.ndarray] = {}
    if missing:
        stub = {"embedder_folder": model.folder, "embedding_model": run.settings.embedding_model}
        encode = functools.partial(_encode_batch, model.fingerprint, encoder_source(run.settings, stub))
        encoded = run.executor.map(encode, [parsed.texts[i] for i in missing], batch_size=20_000)
        fresh = dict(zip(missing, encoded, strict=True))
    vectors = np.stack([fresh[i] if i in fresh else previous.vectors[h] for i, h in enumerate(hashes)])
    run.counts["vectors_computed"], run.counts["vectors_reused"] = len(missing), len(hashes) - len(missing)
    np.save(run.partial / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(faiss_index(vectors, seed=run.settings.seed), str(run.partial / "dense.faiss"))
    return int(vectors.shape[1])


# -- write ---------------------------------------------------------------------------------------
def write_files(run: BuildRun, corpus: Corpus) -> None:
    """The corpus files a build's queries are read with, documents.json and the clause files."""
    for name in ("glossary.toml", "concepts.toml", "domain_dict.txt"):
        if (run.settings.corpus_dir / name).is_file():
            shutil.copyfile(run.settings.corpus_dir / name, run.partial / name)
    (run.partial / "documents.json").write_text(
        json.dumps([asdict(d) for d in corpus.documents.values()], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    write_clauses(run.partial, corpus.clauses, {d: i for i, d in enumerate(corpus.documents)})


# -- batch functions, run by the executor ---------------------------------------------------------
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
