"""The corpus manifest (`corpus/documents.toml`): per-file metadata, per-document overrides and
validity, and the region table.

    [[source]]              one file of the corpus: id, title, issuer, 文号, date, region, layout
    [documents."DOC_ID"]    any document, a split one included: status (现行 / 已废止 / 被替代),
                            superseded_by, changed_on, and metadata overrides (title, region …)
    [regions.NAME]          parent and aliases of a region

The region table holds the corpus's own areas (泾河新城, 西北 …); `Manifest.tree` merges it with
China's administrative tree under 全国 (`assistant.ingest.regions`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from assistant.errors import CorpusError
from assistant.ingest.regions import Region, RegionTree, merged_tree

__all__ = ["Manifest", "Region", "SourceSpec", "load_manifest"]

LAYOUTS = ("text", "table", "pdf")
SPLITS = ("", "dated_titles", "plan_titles")
PRECISIONS = ("day", "month", "year")
CURRENT, REPEALED, SUPERSEDED = "现行", "已废止", "被替代"
STATUSES = (CURRENT, REPEALED, SUPERSEDED)
# What a [documents."ID"] table may set.
OVERRIDABLE = ("title", "issuer", "doc_number", "date", "date_precision", "region", "status", "superseded_by",
               "changed_on")


@dataclass(frozen=True)
class SourceSpec:
    file: str
    id: str
    title: str
    region: str
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    layout: str = "text"
    split: str = ""
    date_precision: str = "day"


@dataclass(frozen=True)
class Manifest:
    sources: tuple[SourceSpec, ...]
    regions: tuple[Region, ...]
    overrides: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, hash=False)

    def source(self, source_id: str) -> SourceSpec | None:
        return next((s for s in self.sources if s.id == source_id), None)

    @cached_property
    def tree(self) -> RegionTree:
        """`regions` (the corpus's own table) merged with the administrative tree, under 全国."""
        return merged_tree(self.regions)

    def region(self, name: str) -> Region | None:
        return self.tree.region(name)

    def ancestors(self, name: str) -> list[str]:
        """The region and every region that contains it, innermost first (全国 last)."""
        return self.tree.ancestors(name)

    def names(self) -> list[tuple[str, str]]:
        """(surface form, region) pairs of the whole tree, longest surface form first."""
        return list(self.tree.names)

    def own_names(self) -> list[tuple[str, str]]:
        """(surface form, region) pairs of the corpus's own table, longest first."""
        return list(self.tree.own_names)


def load_manifest(corpus_dir: Path) -> Manifest:
    path = corpus_dir / "documents.toml"
    if not path.exists():  # a new deployment: no documents yet (the first add writes the file)
        return Manifest((), ())
    if not path.is_file():
        raise CorpusError(f"corpus manifest is not a file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"cannot read corpus manifest {path}: {exc}") from exc
    return parse_manifest(text, path)


def parse_manifest(text: str, path: Path | str = "documents.toml") -> Manifest:
    """A manifest from its text (`path` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"cannot read corpus manifest {path}: {exc}") from exc
    sources = []
    for raw in data.get("source", []):
        try:
            spec = SourceSpec(**{k: v for k, v in raw.items() if k in SourceSpec.__dataclass_fields__})
        except TypeError as exc:
            raise CorpusError(f"{path}: bad [[source]] entry {raw.get('file')!r}: {exc}") from exc
        if spec.layout not in LAYOUTS:
            raise CorpusError(f"{path}: {spec.file}: layout must be one of {LAYOUTS}, got {spec.layout!r}")
        if spec.split not in SPLITS:
            raise CorpusError(f"{path}: {spec.file}: split must be one of {SPLITS}, got {spec.split!r}")
        if spec.date_precision not in PRECISIONS:
            raise CorpusError(f"{path}: {spec.file}: date_precision must be one of {PRECISIONS}")
        sources.append(spec)
    ids = [s.id for s in sources]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{path}: two [[source]] entries share an id: "
                          f"{', '.join(sorted({i for i in ids if ids.count(i) > 1}))}")
    regions = tuple(
        Region(name, str(v.get("parent", "")), tuple(v.get("aliases", ())))
        for name, v in data.get("regions", {}).items()
    )
    overrides: dict[str, dict[str, str]] = {}
    for doc_id, values in data.get("documents", {}).items():
        unknown = sorted(set(values) - set(OVERRIDABLE))
        if unknown:
            raise CorpusError(f"{path}: [documents.{doc_id!r}] cannot set {', '.join(unknown)}; "
                              f"allowed: {', '.join(OVERRIDABLE)}")
        if values.get("status", CURRENT) not in STATUSES:
            raise CorpusError(f"{path}: [documents.{doc_id!r}] status must be one of {'、'.join(STATUSES)}")
        overrides[doc_id] = {k: str(v) for k, v in values.items()}
    return Manifest(tuple(sources), regions, overrides)
