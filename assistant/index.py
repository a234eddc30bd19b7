"""The index: a folder of plain files plus `manifest.json`.

    index/
      manifest.json     corpus fingerprint, model, dimension, counts, build time, version
      documents.json    the documents with their metadata
      clauses.jsonl     one clause per line, facts and fields included
      bm25/             bm25s arrays and vocabulary
      dense.faiss       FAISS inner-product index
      embedder/         the trained sentence-transformers model (offline default)

A build writes into a temporary sibling folder and renames it into place, so a crash never leaves
a half-written index. Loading refuses a missing, partial or stale index with a message that says
how to rebuild.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant import __version__
from assistant.errors import REBUILD_HINT, IndexMissing, IndexStale
from assistant.models import Clause, Document, Fact
from assistant.parsing.corpus import Corpus, corpus_fingerprint, load_corpus
from assistant.parsing.manifest import Manifest, load_manifest
from assistant.retrieval.dense import DenseIndex, Encoder, SentenceTransformerEncoder
from assistant.retrieval.embedder import train_static_embedder
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.tokenize import Glossary, Tokenizer
from assistant.settings import Settings

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
TRAINED = "trained"


@dataclass(frozen=True)
class LoadedIndex:
    manifest: dict[str, Any]
    corpus_manifest: Manifest
    documents: dict[str, Document]
    clauses: list[Clause]
    lexical: LexicalIndex
    dense: DenseIndex


def index_text(clause: Clause, document: Document) -> str:
    """What the indexes see: title, indicator, region and heading path with the clause text."""
    parts = [document.title, document.topic, document.region, " ".join(clause.headings), clause.text]
    return "\n".join(p for p in parts if p)


def training_pairs(corpus: Corpus, glossary: Glossary, seed: int) -> list[tuple[str, str]]:
    """(anchor, positive) pairs the corpus provides for the embedder."""
    import random

    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    for clause in corpus.clauses:
        doc = corpus.documents[clause.doc_id]
        body = clause.text
        first, _, rest = body.partition("。")
        if rest.strip() and 4 <= len(first) <= 60:
            pairs.append((first, rest))  # item title ↔ item body
        if clause.headings:
            pairs.append((f"{doc.region} {clause.headings[-1]}", body))  # heading ↔ body
        pairs.append((f"{doc.topic or doc.title} {doc.region}", body))  # document ↔ clause
        for name, value in clause.fields:
            if "牵头" in name or "责任" in name:
                pairs.append((f"{value} 负责", body))
    texts = [c.text for c in corpus.clauses]
    for key, terms in glossary.terms.items():
        matching = [t for t in texts if any(term in t for term in terms)]
        for text in rng.sample(matching, min(8, len(matching))):
            pairs.append((key, text))  # how people ask ↔ how policies say it
    rng.shuffle(pairs)
    return pairs


def _clause_to_json(clause: Clause) -> str:
    data = asdict(clause)
    return json.dumps(data, ensure_ascii=False)


def _clause_from_json(line: str) -> Clause:
    data = json.loads(line)
    data["headings"] = tuple(data["headings"])
    data["facts"] = tuple(Fact(**f) for f in data["facts"])
    data["fields"] = tuple(tuple(f) for f in data["fields"])
    return Clause(**data)


def make_encoder(settings: Settings, index_dir: Path) -> Encoder:
    if settings.embedding_model == TRAINED:
        return SentenceTransformerEncoder(str(index_dir / "embedder"))
    return SentenceTransformerEncoder(settings.embedding_model)


def build_index(settings: Settings, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Parse the corpus, build every index into a temporary folder, then swap it into place."""
    from tqdm import tqdm

    started = time.perf_counter()
    target = settings.index_dir
    tmp = target.with_name(target.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    steps = ["parse corpus", "lexical index", "embedder", "dense index", "write manifest"]
    bar = tqdm(total=len(steps), desc="build index", unit="step", disable=progress is None and not _tty())
    timings: dict[str, float] = {}

    def step(name: str) -> None:
        timings[name] = round(time.perf_counter() - started, 2)
        bar.set_postfix_str(name)
        if progress:
            progress(name)

    try:
        step(steps[0])
        corpus = load_corpus(settings.corpus_dir)
        glossary = Glossary.load(settings.corpus_dir / "glossary.toml")
        (tmp / "documents.json").write_text(
            json.dumps([asdict(d) for d in corpus.documents.values()], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        with (tmp / "clauses.jsonl").open("w", encoding="utf-8") as fh:
            for clause in corpus.clauses:
                fh.write(_clause_to_json(clause) + "\n")
        texts = [index_text(c, corpus.documents[c.doc_id]) for c in corpus.clauses]
        bar.update()

        step(steps[1])
        tokenizer = Tokenizer(settings.corpus_dir / "domain_dict.txt", _extra_words(corpus.documents, corpus.manifest))
        LexicalIndex.build(texts, tokenizer, glossary).save(tmp / "bm25")
        bar.update()

        step(steps[2])
        training: dict[str, Any] = {}
        if settings.embedding_model == TRAINED:
            report = train_static_embedder(
                [c.text for c in corpus.clauses] + [d.title for d in corpus.documents.values()],
                training_pairs(corpus, glossary, settings.seed), tmp / "embedder",
                seed=settings.seed, seconds=settings.embedder_train_seconds,
            )
            training = asdict(report)
        bar.update()

        step(steps[3])
        dense = DenseIndex.build(texts, make_encoder(settings, tmp))
        dense.save(tmp / "dense.faiss")
        bar.update()

        step(steps[4])
        manifest = {
            "format_version": FORMAT_VERSION,
            "package_version": __version__,
            "corpus_fingerprint": corpus.fingerprint,
            "embedding_model": settings.embedding_model,
            "embedding_model_description": (
                "StaticEmbedding trained on this corpus (Unigram tokenizer, MNRL)"
                if settings.embedding_model == TRAINED else settings.embedding_model
            ),
            "dimension": dense.dimension,
            "documents": len(corpus.documents),
            "clauses": len(corpus.clauses),
            "training": training,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 2),
            "step_started_at_seconds": timings,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        bar.update()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        bar.close()

    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    log.info("index built in %.1fs: %d documents, %d clauses -> %s", manifest["build_seconds"],
             manifest["documents"], manifest["clauses"], target)
    return manifest


def _tty() -> bool:
    import sys

    return sys.stderr.isatty()


def _extra_words(documents: dict[str, Document], manifest: Manifest) -> tuple[str, ...]:
    """Indicator names and region names join jieba's dictionary."""
    words = {d.topic for d in documents.values() if d.topic}
    words |= {name for name, _ in manifest.names() if len(name) >= 2}
    return tuple(sorted(words))


def read_manifest(index_dir: Path) -> dict[str, Any]:
    path = index_dir / "manifest.json"
    if not path.is_file():
        raise IndexMissing(f"no index at {index_dir}: {REBUILD_HINT}")
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexMissing(f"index manifest {path} is unreadable ({exc}): {REBUILD_HINT}") from exc
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


def load_index(settings: Settings) -> LoadedIndex:
    index_dir = settings.index_dir
    manifest = read_manifest(index_dir)
    check_fresh(manifest, settings)
    needed = ["documents.json", "clauses.jsonl", "bm25", "dense.faiss"]
    missing = [n for n in needed if not (index_dir / n).exists()]
    if missing:
        raise IndexMissing(f"index at {index_dir} is incomplete (missing {', '.join(missing)}): {REBUILD_HINT}")
    corpus_manifest = load_manifest(settings.corpus_dir)
    documents = {d["id"]: Document(**d) for d in json.loads((index_dir / "documents.json").read_text("utf-8"))}
    with (index_dir / "clauses.jsonl").open(encoding="utf-8") as fh:
        clauses = [_clause_from_json(line) for line in fh if line.strip()]
    glossary = Glossary.load(settings.corpus_dir / "glossary.toml")
    tokenizer = Tokenizer(settings.corpus_dir / "domain_dict.txt", _extra_words(documents, corpus_manifest))
    lexical = LexicalIndex.load(index_dir / "bm25", tokenizer, glossary)
    dense = DenseIndex.load(index_dir / "dense.faiss", make_encoder(settings, index_dir))
    if dense.index.ntotal != len(clauses):
        raise IndexStale(f"dense index holds {dense.index.ntotal} vectors for {len(clauses)} clauses: {REBUILD_HINT}")
    return LoadedIndex(manifest, corpus_manifest, documents, clauses, lexical, dense)
