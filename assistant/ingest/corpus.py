"""Load the corpus folder: manifest → source files → documents → clauses.

Each source file is parsed on its own (`parse_source`), so a build can reuse the documents and
clauses of every source whose bytes, manifest entry, overrides and parser code are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.errors import CorpusError, UnreadableDocument
from assistant.ingest.clauses import ClauseCap
from assistant.ingest.loaders import LoadedText, load_bytes
from assistant.ingest.manifest import CURRENT, Manifest, SourceSpec, load_manifest
from assistant.ingest.oneline import unfold
from assistant.ingest.split import split_source
from assistant.ingest.structure import parse_document
from assistant.lexicon.text import read_lines
from assistant.models import Clause, Document
from assistant.settings import get_settings

log = logging.getLogger(__name__)

# Files in corpus/ that are data for the retriever, not policy documents.
AUX_FILES = ("documents.toml", "glossary.toml", "concepts.toml", "domain_dict.txt")
_CODE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ParsedSource:
    spec: SourceSpec
    key: str  # what the parse depends on: bytes, manifest entry, regions, parser code
    documents: tuple[Document, ...]
    clauses: tuple[Clause, ...]
    overrides: dict[str, dict[str, str]]  # the overrides applied, by document id


@dataclass(frozen=True)
class Corpus:
    manifest: Manifest
    documents: dict[str, Document]
    clauses: list[Clause]
    fingerprint: str  # hash of every file the index depends on


# Files of corpus/ read when answering, not when building: editing them needs no new build.
SERVING_ONLY = frozenset({"departments.toml"})


def corpus_fingerprint(corpus_dir: Path) -> str:
    """A hash over the manifest, the glossary, the dictionary and every source file."""
    digest = hashlib.sha256()
    if not corpus_dir.is_dir():  # no corpus folder yet: an empty corpus
        return digest.hexdigest()[:16]
    for path in sorted(p for p in corpus_dir.iterdir()
                       if p.is_file() and not p.name.startswith(".") and p.name not in SERVING_ONLY):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """A hash of the parsing code: a new parser re-parses every source. The code does not change
    while a process runs, so it is read once."""
    digest = hashlib.sha256()
    for path in parser_code():
        digest.update(path.read_bytes())
    digest.update(str(get_settings().max_clause_chars).encode())  # the parse depends on it too
    return digest.hexdigest()[:16]


def parser_code() -> list[Path]:
    """The files whose change re-parses every source: ingest/ (sub-packages included) and lexicon/
    (its code and data: the region tree is read by the parser too)."""
    lexicon = _CODE.parent / "lexicon"
    return sorted([*_CODE.rglob("*.py"), *lexicon.rglob("*.py"), *lexicon.rglob("*.toml"), *lexicon.rglob("*.tsv")])


def read_source(corpus_dir: Path, spec: SourceSpec) -> bytes:
    path = corpus_dir / spec.file
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise CorpusError(f"source file listed in documents.toml is missing: {path}") from exc
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror}") from exc


def source_key(spec: SourceSpec, data: bytes, manifest: Manifest, code: str) -> str:
    digest = hashlib.sha256(data)
    digest.update(json.dumps(asdict(spec), sort_keys=True, ensure_ascii=False).encode())
    if spec.split == "dated_titles":  # a compilation's documents take their regions from the region table
        digest.update(json.dumps([asdict(r) for r in manifest.regions], ensure_ascii=False).encode())
    digest.update(code.encode())
    return digest.hexdigest()[:16]


def _override(document: Document, values: dict[str, str], parent: Document | None) -> Document:
    changes: dict[str, Any] = {k: v for k, v in values.items() if k in ("title", "issuer", "doc_number", "date",
                                                                       "date_precision", "region")}
    status = values.get("status", "")
    if status and status != CURRENT:
        changes.update(status=status, superseded_by=values.get("superseded_by", ""),
                       status_changed_on=values.get("changed_on", ""))
    elif not status and parent is not None and not parent.in_force:
        # A retired plan retires what it carries.
        changes.update(status=parent.status, superseded_by=parent.superseded_by,
                       status_changed_on=parent.status_changed_on)
    return replace(document, **changes) if changes else document


def parse_source(spec: SourceSpec, data: bytes, manifest: Manifest, key: str,
                 loaded: LoadedText | None = None, cap: ClauseCap | None = None) -> ParsedSource:
    """One source file → its documents (manifest overrides applied) and their clauses; with a
    `cap` (a new file), TooManyClauses as soon as one of its documents makes more than it allows."""
    if loaded is None:
        try:
            loaded = load_bytes(spec.file, data)
        except UnreadableDocument as exc:
            raise CorpusError(f"{spec.file}: {exc.message}", exc.message_zh) from exc
    lines = unfold(read_lines(loaded.text))
    documents: dict[str, Document] = {}
    clauses: list[Clause] = []
    applied: dict[str, dict[str, str]] = {}
    for part in split_source(spec, lines, manifest):
        values = manifest.overrides.get(part.document.id, {})
        document = _override(part.document, values, documents.get(part.document.parent_id))
        if values:
            applied[document.id] = values
        documents[document.id] = document
        clauses.extend(parse_document(document, part.lines, spec.layout, cap=cap))
    log.info("%s: %d documents, %d clauses", spec.file, len(documents), len(clauses))
    return ParsedSource(spec, key, tuple(documents.values()), tuple(clauses), applied)


def assemble(manifest: Manifest, parsed: list[ParsedSource], corpus_dir: Path) -> Corpus:
    documents = {d.id: d for p in parsed for d in p.documents}
    clauses = [c for p in parsed for c in p.clauses]
    unknown = sorted(set(manifest.overrides) - set(documents))
    if unknown:
        log.warning("documents.toml sets [documents.ID] for ids no source has: %s", ", ".join(unknown))
    if not clauses:
        raise CorpusError(f"no clauses parsed from {corpus_dir}")
    return Corpus(manifest, documents, clauses, corpus_fingerprint(corpus_dir))


def load_corpus(corpus_dir: Path) -> Corpus:
    manifest = load_manifest(corpus_dir)
    code = parser_fingerprint()
    parsed = []
    for spec in manifest.sources:
        data = read_source(corpus_dir, spec)
        parsed.append(parse_source(spec, data, manifest, source_key(spec, data, manifest, code)))
    return assemble(manifest, parsed, corpus_dir)
