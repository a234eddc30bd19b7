"""Adding many documents at once: a folder of notices (`assistant add DIR…`), a multi-file upload.

One pass reads, checks and parses every file (with a progress bar), writes the files it accepts,
and edits `documents.toml` once; the caller (`library.change`) then builds once. A file that
cannot be added never stops the batch: the report says, per file, why (duplicates are skipped
and named with the id they duplicate).

A file's region is, in order: the `region` given for the whole batch; else what `infer_region`
reads from the file (a seam: `infer_region(name, text, detected) -> str | None`, where `detected`
is what `detect_metadata` found; the default keeps the region detected from the issuer and
title); else `default_region` (`--default-region`, `ASSISTANT_IMPORT_DEFAULT_REGION`). When none
of these gives one, the file is refused on its own as "region unknown" and listed so, for the
person to add it again with a region: a document filed under a guessed region would answer
questions about a place it does not govern.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, InvalidRequest, UploadTooLarge
from assistant.ingest.loaders import SUFFIXES, LoadedText, load_bytes, sniff
from assistant.ingest.manifest import Manifest, Region, SourceSpec
from assistant.ingest.metadata import DetectedMetadata, detect_metadata
from assistant.ingest.sandbox import Limits, load_untrusted
from assistant.lexicon.text import clean_name
from assistant.service.library import (
    Library,
    _check_free,
    _doc_id,
    _region,
    add_region,
    add_source,
    check_date,
    safe_name,
    source_table,
)

log = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = tuple(SUFFIXES)  # every kind of file the ingest stage reads, for an upload form
RegionInference = Callable[[str, str, DetectedMetadata], "str | None"]
UNKNOWN_REGION = "region unknown"


def detected_region(name: str, text: str, detected: DetectedMetadata) -> str | None:
    """The default region inference: the region `detect_metadata` read from the issuer and title."""
    return detected.region or None


@dataclass(frozen=True)
class Refusal:
    file: str
    reason: str
    reason_zh: str
    code: str


@dataclass
class ImportReport:
    """What a batch did, per file."""

    added: list[SourceSpec] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, id of the document it repeats)
    refused: list[Refusal] = field(default_factory=list)
    region_unknown: list[str] = field(default_factory=list)  # no region given, read or defaulted
    defaulted: list[str] = field(default_factory=list)  # added under the default region

    def summary(self) -> str:
        lines = [f"added {len(self.added)}, duplicates skipped {len(self.duplicates)}, refused {len(self.refused)}"
                 f" (region unknown {len(self.region_unknown)})"]
        lines += [f"  duplicate {name}: already in the corpus as {doc_id}" for name, doc_id in self.duplicates]
        lines += [f"  refused {r.file}: {r.reason}" for r in self.refused]
        if self.defaulted:
            lines.append(f"  {len(self.defaulted)} added under the default region: {', '.join(self.defaulted)}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"added": [{"id": s.id, "file": s.file, "title": s.title, "region": s.region, "date": s.date}
                          for s in self.added],
                "duplicates": [{"file": f, "document": d} for f, d in self.duplicates],
                "refused": [{"file": r.file, "code": r.code, "reason": r.reason, "reason_zh": r.reason_zh}
                            for r in self.refused],
                "region_unknown": list(self.region_unknown), "defaulted": list(self.defaulted)}


def expand(paths: Iterable[Path], recursive: bool = False) -> list[Path]:
    """Files as given, and the files of the folders given (of a kind the corpus reads; hidden ones
    left out), in name order; `recursive` also goes into sub-folders."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = path.rglob("*") if recursive else path.iterdir()
            out += sorted(p for p in found if p.is_file() and p.suffix.lower() in SUFFIXES
                          and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            out.append(path)
    return out


def read_untrusted(name: str, data: bytes, limits: Limits | None = None) -> LoadedText:
    """Plain text read here (decoding cannot blow up; the same character cap applies); a PDF or a
    Word file in the sandbox's child process, as one upload is. A child per text file would cost
    a Python start per notice."""
    limits = limits or Limits()
    if Path(name).suffix.lower() in (".txt", ".md") and sniff(data) == "text":
        loaded = load_bytes(name, data)
        if len(loaded.text) > limits.characters:
            raise UploadTooLarge(f"{name}: {len(loaded.text)} characters of text, more than {limits.characters}",
                                 f"文件“{name}”文字过多（超过 {limits.characters} 字）。", limit=limits.characters)
        return loaded
    return load_untrusted(name, data, limits)


def _items(files: Sequence[Path | tuple[str, bytes]], recursive: bool) -> Iterator[tuple[str, Path | bytes]]:
    paths = expand([f for f in files if isinstance(f, Path)], recursive)
    yield from ((p.name, p) for p in paths)
    yield from (f for f in files if not isinstance(f, Path))


def add_many(library: Library, files: Sequence[Path | tuple[str, bytes]], region: str | None = None, *,
             recursive: bool = False, region_parent: str = "", default_region: str = "",
             infer_region: RegionInference = detected_region, max_bytes: int | None = None,
             progress: bool | None = None) -> ImportReport:
    """Add every file it can (paths, folders, or (name, bytes) pairs) and report on each; one edit
    of documents.toml. `progress=None` shows the bar on a terminal only."""
    from tqdm import tqdm

    report = ImportReport()
    manifest = library.manifest()
    sources = list(manifest.sources)
    regions = list(manifest.regions)
    new_regions: dict[str, Region] = {}
    seen: dict[str, str] = {}  # content digest -> id, of the corpus and of this batch
    for spec in sources:
        path = library.dir / spec.file
        if path.is_file():
            seen[hashlib.sha256(path.read_bytes()).hexdigest()] = spec.id
    taken = library.document_ids() | set(manifest.overrides)
    given = clean_name(region or "")
    default = clean_name(default_region)
    items = list(_items(files, recursive))
    accepted: list[tuple[SourceSpec, bytes]] = []
    for name, source in tqdm(items, desc="add", unit="file", disable=None if progress is None else not progress):
        try:
            data = source if isinstance(source, bytes) else _read(source)
            if max_bytes is not None and len(data) > max_bytes:
                raise UploadTooLarge(f"{name} has more than the {max_bytes} bytes allowed",
                                     f"文件超过 {max_bytes / (1024 * 1024):g} MB 的上限。", limit=max_bytes)
            digest = hashlib.sha256(data).hexdigest()
            if digest in seen:
                report.duplicates.append((name, seen[digest]))
                continue
            loaded = read_untrusted(name, data)
            trial = Manifest(tuple(sources), tuple(regions), manifest.overrides)
            detected = detect_metadata(loaded.text, trial)
            place = given or clean_name(infer_region(name, loaded.text, detected) or "")
            if not place:
                report.region_unknown.append(name)
                if not default:
                    raise InvalidRequest(f"{name}: {UNKNOWN_REGION}: give --region (or a default region)",
                                         f"文件“{name}”无法判断所属地区，请指定地区。")
                report.defaulted.append(name)
                place = default
            canonical, new = _region(name, place, region_parent, trial)
            check_date(detected.date)
            doc_id = _doc_id(detected.date, data, taken)
            _check_free(doc_id, taken, trial)
            spec = SourceSpec(file=f"{doc_id}_{safe_name(name)}", id=doc_id,
                              title=detected.title or Path(safe_name(name)).stem, region=canonical,
                              issuer=detected.issuer, doc_number=detected.doc_number, date=detected.date,
                              layout=loaded.layout)
            library._check_parses(spec, data, trial, new, loaded)
        except AssistantError as exc:
            log.info("not added: %s", exc.message)
            report.refused.append(Refusal(name, exc.message, exc.message_zh, exc.code))
            continue
        if new is not None:
            regions.append(new)
            new_regions[new.name] = new
        seen[digest] = doc_id
        taken.add(doc_id)
        sources.append(spec)
        accepted.append((spec, data))
    for spec, data in accepted:
        library._write(library.dir / spec.file, data)
    if accepted:
        def edit(doc: Any) -> None:
            for spec, _data in accepted:
                add_source(doc, source_table(spec))
            for new in new_regions.values():
                add_region(doc, new)

        library._edit_manifest(edit)
    report.added = [spec for spec, _data in accepted]
    log.info("bulk add: %d added, %d duplicates, %d refused", len(report.added), len(report.duplicates),
             len(report.refused))
    return report


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidRequest(f"cannot read {path}: {exc.strerror}", f"无法读取文件“{path.name}”。") from exc
