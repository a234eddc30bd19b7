"""Load the corpus folder: manifest → source files → documents → clauses."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError
from assistant.models import Clause, Document
from assistant.parsing.manifest import Manifest, load_manifest
from assistant.parsing.split import split_source
from assistant.parsing.structure import parse_document
from assistant.text import read_lines

log = logging.getLogger(__name__)

# Files in corpus/ that are data for the retriever, not policy documents.
AUX_FILES = ("documents.toml", "glossary.toml", "domain_dict.txt")


@dataclass(frozen=True)
class Corpus:
    manifest: Manifest
    documents: dict[str, Document]
    clauses: list[Clause]
    fingerprint: str  # hash of every file the index depends on


def corpus_fingerprint(corpus_dir: Path) -> str:
    """A hash over the manifest, the glossary, the dictionary and every source file."""
    digest = hashlib.sha256()
    for path in sorted(p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CorpusError(f"source file listed in documents.toml is missing: {path}") from exc
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def load_corpus(corpus_dir: Path) -> Corpus:
    manifest = load_manifest(corpus_dir)
    documents: dict[str, Document] = {}
    clauses: list[Clause] = []
    for spec in manifest.sources:
        lines = read_lines(read_source(corpus_dir / spec.file))
        parts = split_source(spec, lines, manifest)
        for part in parts:
            doc_clauses = parse_document(part.document, part.lines, spec.layout)
            documents[part.document.id] = part.document
            clauses.extend(doc_clauses)
        log.info("%s: %d documents, %d clauses", spec.file, len(parts),
                 sum(1 for c in clauses if c.source_file == spec.file))
    if not clauses:
        raise CorpusError(f"no clauses parsed from {corpus_dir}")
    return Corpus(manifest, documents, clauses, corpus_fingerprint(corpus_dir))
