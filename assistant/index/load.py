"""One built index: a folder of plain files plus `manifest.json`, and how it is loaded.

    builds/<build id>/
      manifest.json     corpus fingerprint, per-source content keys, model, fingerprints, counts
      documents.json    the documents with their metadata and status
      clauses.jsonl     one clause per line, facts and fields included, with clause_offsets.npy,
                        clause_docs.npy and clause_ids.txt beside it (see `assistant.index.clauses`)
      tokens.jsonl      per clause: a hash of the indexed text and its jieba tokens
      bm25/             bm25s arrays and vocabulary
      vectors.npy       one unit vector per clause, in clause order (float32, memory-mapped)
      dense.faiss       FAISS inner-product index over them: flat, or IVF for a large corpus

The embedder a build used lives in `models/` beside the builds (see `assistant.index.store`). Loading
refuses a missing, partial or stale index with a message that says how to rebuild. Tokenizers and
encoders are kept per fingerprint, so loading a newer build of the same corpus is quick.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import REBUILD_HINT, AssistantError, IndexDamaged, IndexMissing, IndexStale, NoDocuments
from assistant.index.clauses import ClauseStore
from assistant.index.dense import DenseIndex, Encoder, make_encoder
from assistant.index.lexical import LexicalIndex
from assistant.index.store import IndexStore
from assistant.ingest.corpus import corpus_fingerprint
from assistant.ingest.manifest import Manifest, Region
from assistant.lexicon.concepts import Concepts
from assistant.lexicon.tokenize import Glossary, Tokenizer
from assistant.models import Clause, Document
from assistant.settings import Settings

log = logging.getLogger(__name__)

FORMAT_VERSION = 3
# Above this many clauses the BM25 arrays are memory-mapped rather than read in.
MMAP_FROM = 200_000
HASH_AT_LOAD_UP_TO = 512 * 2**20
TRAINED = "trained"


@dataclass(frozen=True)
class LoadedIndex:
    manifest: dict[str, Any]
    corpus_manifest: Manifest
    documents: dict[str, Document]
    clauses: ClauseStore
    lexical: LexicalIndex
    dense: DenseIndex
    build: str = ""  # the build folder's name
    concepts: Concepts = field(default_factory=lambda: Concepts(()))

    @property
    def clause_docs(self) -> np.ndarray:
        """Per clause, the position of its document in `documents` (int32)."""
        return self.clauses.doc_positions

    @property
    def positions(self) -> dict[str, int]:
        """Clause id → its position."""
        return self.clauses.positions

    def document_counts(self) -> dict[str, int]:
        """How many clauses each document has."""
        counts = self.clauses.counts(len(self.documents))
        return {d: int(n) for d, n in zip(self.documents, counts, strict=True)}


def index_text(clause: Clause, document: Document) -> str:
    """What the indexes see: title, indicator, region and heading path with the clause text."""
    parts = [document.title, document.topic, document.region, " ".join(clause.headings), clause.text]
    return "\n".join(p for p in parts if p)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def extra_words(documents: dict[str, Document], manifest: Manifest) -> tuple[str, ...]:
    """Indicator names and region names join jieba's dictionary."""
    words = {d.topic for d in documents.values() if d.topic}
    words |= {name for name, _ in manifest.own_names() if len(name) >= 2}  # not every county of the country
    return tuple(sorted(words))


def tokenizer_base(dictionary: Path) -> str:
    """What every clause's tokens depend on: jieba and the domain dictionary."""
    import jieba

    digest = hashlib.sha256(dictionary.read_bytes() if dictionary.is_file() else b"")
    digest.update(str(getattr(jieba, "__version__", "")).encode())
    digest.update(b"fixed-total-1")  # extra words leave jieba's total alone (see Tokenizer)
    return digest.hexdigest()[:16]


def tokenizer_fingerprint(dictionary: Path, words: tuple[str, ...]) -> str:
    """The tokenizer as a whole: the base and the extra words (region and indicator names)."""
    return hashlib.sha256((tokenizer_base(dictionary) + "\n" + "\n".join(words)).encode()).hexdigest()[:16]


# -- heavy parts, shared between builds of the same corpus --------------------------------------
_CACHE_LOCK = threading.Lock()
_TOKENIZERS: dict[str, Tokenizer] = {}
_ENCODERS: dict[str, Encoder] = {}


def shared_tokenizer(fingerprint: str, dictionary: Path, words: tuple[str, ...]) -> Tokenizer:
    with _CACHE_LOCK:
        if fingerprint not in _TOKENIZERS:
            if len(_TOKENIZERS) >= 2:
                _TOKENIZERS.pop(next(iter(_TOKENIZERS)))
            _TOKENIZERS[fingerprint] = Tokenizer(dictionary, words)
        return _TOKENIZERS[fingerprint]


def shared_encoder(fingerprint: str, name_or_path: str) -> Encoder:
    with _CACHE_LOCK:
        if fingerprint not in _ENCODERS:
            if len(_ENCODERS) >= 2:
                _ENCODERS.pop(next(iter(_ENCODERS)))
            _ENCODERS[fingerprint] = make_encoder(name_or_path)
        return _ENCODERS[fingerprint]


def encoder_source(settings: Settings, manifest: dict[str, Any]) -> str:
    """The model a build's vectors come from: its trained folder, or the configured model."""
    folder = manifest.get("embedder_folder")
    if folder:
        return str(IndexStore(settings.index_dir).models / folder)
    return str(manifest.get("embedding_model") or settings.embedding_model)


# -- reading ----------------------------------------------------------------------------------
def file_digests(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file of a build (but its manifest), by path inside it."""
    return {path.relative_to(folder).as_posix(): {"size": path.stat().st_size, "sha256": file_sha256(path)}
            for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")}


def verify_build(folder: Path, manifest: dict[str, Any], *, hashes: bool = True) -> list[str]:
    """What is wrong with a build's files against its manifest: "clauses.jsonl: 1204 bytes, the
    manifest says 88211"; empty when every file is whole (or the manifest is from before digests)."""
    problems: list[str] = []
    for name, expected in (manifest.get("files") or {}).items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        size = path.stat().st_size
        if size != expected.get("size"):
            problems.append(f"{name}: {size} bytes, the manifest says {expected.get('size')}")
        elif hashes and file_sha256(path) != expected.get("sha256"):
            problems.append(f"{name}: its content changed since the build (SHA-256 differs)")
    return problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(index_dir: Path, build: str | None = None) -> dict[str, Any]:
    """The manifest of the build `CURRENT` names (or of `build`)."""
    store = IndexStore(index_dir)
    folder = store.builds / build if build else store.current()
    if folder is None:
        if (index_dir / "manifest.json").is_file():
            raise IndexStale(f"the index at {index_dir} has an older layout: {REBUILD_HINT}")
        raise IndexMissing(f"no index at {index_dir}: {REBUILD_HINT}")
    path = folder / "manifest.json"
    if not path.is_file():
        raise IndexMissing(f"index build {folder} is missing or incomplete: {REBUILD_HINT}")
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise IndexMissing(f"index build {folder.name}: manifest.json is unreadable ({type(exc).__name__}): "
                           f"{REBUILD_HINT}") from exc
    if not isinstance(data, dict):
        raise IndexMissing(f"index build {folder.name}: manifest.json is not an object: {REBUILD_HINT}")
    data["build"] = folder.name
    return data


def check_fresh(manifest: dict[str, Any], settings: Settings) -> None:
    """Raise IndexStale when the index no longer matches the corpus, the model or this code."""
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexStale(f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}: {REBUILD_HINT}")
    if manifest.get("embedding_model") != settings.embedding_model:
        raise IndexStale(
            f"index was built with embedding model {manifest.get('embedding_model')!r}, settings ask for "
            f"{settings.embedding_model!r}: {REBUILD_HINT}"
        )
    current = corpus_fingerprint(settings.corpus_dir)
    if manifest.get("corpus_fingerprint") != current:
        raise IndexStale(f"corpus changed since the index was built: {REBUILD_HINT}")


def read_documents(folder: Path) -> dict[str, Document]:
    return {d["id"]: Document(**d) for d in json.loads((folder / "documents.json").read_text("utf-8"))}


def load_index(settings: Settings, *, fresh: bool = True, build: str | None = None) -> LoadedIndex:
    """Load the build `CURRENT` names (or `build`); with `fresh`, refuse one the corpus has moved
    past. A build whose files do not match its manifest is refused as damaged (IndexDamaged),
    and so is one whose files cannot be read."""
    manifest = read_manifest(settings.index_dir, build)
    folder = IndexStore(settings.index_dir).builds / manifest["build"]
    # Every file is hashed when the build is small enough to hash in a moment; a large one is
    # checked by size here and hashed in full by `assistant status` and `assistant build`.
    total = sum(int(f.get("size") or 0) for f in (manifest.get("files") or {}).values())
    problems = verify_build(folder, manifest, hashes=total <= HASH_AT_LOAD_UP_TO)
    if problems:
        raise IndexDamaged(f"index build {manifest['build']} is damaged: {'; '.join(problems[:3])}: {REBUILD_HINT}",
                           damaged=problems)
    try:
        return _load(settings, manifest, folder, fresh)
    except AssistantError:
        raise
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, UnicodeDecodeError) as exc:
        raise IndexDamaged(f"index build {manifest['build']} cannot be read ({type(exc).__name__}: {exc}): "
                           f"{REBUILD_HINT}"[:600]) from exc


def _load(settings: Settings, manifest: dict[str, Any], folder: Path, fresh: bool) -> LoadedIndex:
    if fresh:
        check_fresh(manifest, settings)
    elif manifest.get("format_version") != FORMAT_VERSION:
        raise IndexStale(f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}: {REBUILD_HINT}")
    if manifest.get("mode") == "empty" and not manifest.get("clauses"):
        raise NoDocuments("the corpus has no documents yet: add one (`assistant add FILE`, or an upload), "
                          "and it is built and served at once")
    needed = ["documents.json", "clauses.jsonl", "clause_offsets.npy", "clause_docs.npy", "clause_ids.txt", "bm25",
              "vectors.npy", "dense.faiss"]
    missing = [n for n in needed if not (folder / n).exists()]
    if missing:
        raise IndexMissing(f"index at {folder} is incomplete (missing {', '.join(missing)}): {REBUILD_HINT}")
    # A build is complete in itself: its regions, glossary and dictionary are those it was built
    # with, so an edit to corpus/ after it (even a broken one) never changes how it answers.
    regions = tuple(Region(r["name"], r["parent"], tuple(r["aliases"])) for r in manifest.get("regions", ()))
    corpus_manifest = Manifest((), regions)
    documents = read_documents(folder)
    clauses = ClauseStore(folder)
    if int(clauses.doc_positions.max(initial=-1)) >= len(documents):
        raise IndexDamaged(f"clause_docs.npy names documents documents.json lacks: {REBUILD_HINT}")
    glossary = Glossary.load(folder / "glossary.toml")
    words = tuple(manifest.get("extra_words", ()))
    tokenizer = shared_tokenizer(manifest["tokenizer_fingerprint"], folder / "domain_dict.txt", words)
    lexical = LexicalIndex.load(folder / "bm25", tokenizer, glossary, mmap=len(clauses) > MMAP_FROM)
    encoder = shared_encoder(manifest["embedder_fingerprint"], encoder_source(settings, manifest))
    dense = DenseIndex.load(folder, encoder, nprobe=settings.dense_nprobe, exact_up_to=settings.dense_exact_up_to)
    if dense.size != len(clauses):
        raise IndexStale(f"dense index holds {dense.size} vectors for {len(clauses)} clauses: {REBUILD_HINT}")
    concepts = Concepts.load(folder / "concepts.toml")
    return LoadedIndex(manifest, corpus_manifest, documents, clauses, lexical, dense, manifest["build"], concepts)
