"""The corpus manifest (`corpus/documents.toml`): per-file metadata and the region table."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import CorpusError

LAYOUTS = ("text", "table", "pdf")
SPLITS = ("", "dated_titles", "plan_titles")


@dataclass(frozen=True)
class SourceSpec:
    file: str
    id: str
    title: str
    issuer: str
    doc_number: str
    date: str
    region: str
    layout: str = "text"
    split: str = ""


@dataclass(frozen=True)
class Region:
    name: str
    parent: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Manifest:
    sources: tuple[SourceSpec, ...]
    regions: tuple[Region, ...]

    def region(self, name: str) -> Region | None:
        for region in self.regions:
            if name == region.name or name in region.aliases:
                return region
        return None

    def ancestors(self, name: str) -> list[str]:
        """The region and every region that contains it, innermost first."""
        out: list[str] = []
        region = self.region(name)
        while region is not None and region.name not in out:
            out.append(region.name)
            region = self.region(region.parent) if region.parent else None
        return out

    def names(self) -> list[tuple[str, str]]:
        """(surface form, region) pairs, longest surface form first."""
        pairs = [(r.name, r.name) for r in self.regions]
        pairs += [(alias, r.name) for r in self.regions for alias in r.aliases]
        return sorted(pairs, key=lambda p: -len(p[0]))


def load_manifest(corpus_dir: Path) -> Manifest:
    path = corpus_dir / "documents.toml"
    if not path.is_file():
        raise CorpusError(f"corpus manifest not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
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
        sources.append(spec)
    regions = tuple(
        Region(name, str(v.get("parent", "")), tuple(v.get("aliases", ())))
        for name, v in data.get("regions", {}).items()
    )
    return Manifest(tuple(sources), regions)
