"""A build's `manifest.json` as a frozen dataclass.

`BuildManifest.to_json()` gives the keys, in the order and with the values, that `manifest.json`
has always had, and `BuildManifest.from_json()` reads one back (a build written by an earlier
version included), so an incremental build can reuse what an earlier one computed. Loading a
build reads its manifest as a plain dict (`assistant.index.load.read_manifest`); this class is
what the build writes and what it reads of the serving build.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class BuildManifest:
    """What a build holds and how it was made. Every field has the default a missing key had when
    the manifest was read as a dict, so an older manifest still reads."""

    format_version: int = 0
    package_version: str = ""
    corpus_fingerprint: str = ""
    parser_fingerprint: str = ""
    tokenizer_fingerprint: str = ""
    tokenizer_base: str = ""  # jieba and the domain dictionary, without the extra words
    extra_words: list[str] = field(default_factory=list)  # region and indicator names
    regions: list[dict[str, Any]] = field(default_factory=list)
    embedding_model: str = ""
    embedding_model_description: str = ""
    embedder_folder: str = ""  # under models/, "" for a named (untrained) model
    embedder_fingerprint: str = ""
    dimension: int = 0
    documents: int = 0
    clauses: int = 0
    sources: list[dict[str, Any]] = field(default_factory=list)  # per source: file, id, key, documents, ...
    training: dict[str, Any] = field(default_factory=dict)  # the trained embedder's report
    mode: str = ""  # "full" or "incremental"
    reuse: dict[str, int] = field(default_factory=dict)  # counts of what was computed and reused
    built_at: str = ""
    build_seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> size and sha256

    def to_json(self) -> dict[str, Any]:
        """The manifest as `manifest.json` holds it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BuildManifest:
        """A manifest read from `manifest.json`; keys it does not know (`build`, which
        `read_manifest` adds) are left out."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})
