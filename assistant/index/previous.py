"""What the serving build offers an incremental build for reuse: its parsed sources, each clause's
tokens and vector by the hash of its indexed text, and its manifest (`assistant.index.build`)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import AssistantError
from assistant.index.clauses import iter_clauses
from assistant.index.load import FORMAT_VERSION, read_documents, read_manifest, verify_build
from assistant.index.manifest import BuildManifest
from assistant.index.store import IndexStore
from assistant.ingest.corpus import ParsedSource
from assistant.ingest.manifest import SourceSpec
from assistant.models import Clause, Document
from assistant.settings import Settings

log = logging.getLogger(__name__)


def _read_tokens(folder: Path) -> tuple[list[str], list[list[str]]]:
    """tokens.jsonl: per clause, the hash of its indexed text and its tokens."""
    hashes, tokens = [], []
    with (folder / "tokens.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            hashes.append(row["h"])
            tokens.append([sys.intern(t) for t in row["t"]])
    return hashes, tokens


class PreviousBuild:
    """The serving build's reusable parts (nothing for a full build, a first build, a build of
    another format, or a damaged one)."""

    def __init__(self, store: IndexStore, settings: Settings, use: bool) -> None:
        self.manifest: BuildManifest | None = None
        self.sources: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, Document] = {}
        self.clauses_by_file: dict[str, list[Clause]] = {}
        self.tokens: dict[str, list[str]] = {}
        self.vectors: dict[str, np.ndarray] = {}
        if use:
            self._read(store, settings)

    def _read(self, store: IndexStore, settings: Settings) -> None:
        try:
            manifest = read_manifest(settings.index_dir)
        except AssistantError:
            return
        if manifest.get("format_version") != FORMAT_VERSION or not manifest.get("clauses"):
            return  # another format, or an empty corpus's build: nothing to reuse
        folder = store.builds / manifest["build"]
        problems = verify_build(folder, manifest)
        if problems:  # nothing of a damaged build is reused
            log.warning("previous build %s is damaged (%s): building everything", manifest["build"], problems[0])
            return
        try:
            self.documents = read_documents(folder)
            clauses = list(iter_clauses(folder))
            hashes, tokens = _read_tokens(folder)
            vectors = np.load(folder / "vectors.npy")
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log.warning("previous build %s cannot be reused (%s): building everything", manifest["build"], exc)
            self.documents = {}
            return
        self.manifest = BuildManifest.from_json(manifest)
        self.sources = {s["file"]: s for s in self.manifest.sources}
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
