"""Changing the corpus: add, update, remove, retire and reinstate documents.

Every change runs under the index lock. It is computed in memory first (the files to write and
delete, `documents.toml` edited through tomlkit so its comments stay), checked (a file that does
not parse is refused before anything moves), then applied through a journal
(`assistant.service.journal`) and built incrementally. A build that fails rolls the corpus back;
a process killed after the journal was written is finished by `recover` on the next start (the
CLI's or the server's), which also builds: no orphan file, no half-applied change, no stale index.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import tomlkit

from assistant.errors import (
    AssistantError,
    DiskFull,
    DocumentNotFound,
    IdTaken,
    InvalidRequest,
    TooManyClauses,
    UnknownRegion,
    UnreadableDocument,
)
from assistant.index.store import IndexStore
from assistant.ingest.clauses import ClauseCap
from assistant.ingest.corpus import ParsedSource, parse_source, parser_fingerprint, source_key
from assistant.ingest.loaders import LoadedText
from assistant.ingest.manifest import (
    CURRENT,
    REPEALED,
    SUPERSEDED,
    Manifest,
    Region,
    SourceSpec,
    load_manifest,
    parse_manifest,
)
from assistant.ingest.metadata import detect_metadata
from assistant.ingest.sandbox import Limits, load_untrusted
from assistant.ingest.split import belongs_to
from assistant.lexicon.text import clean_name, encodable
from assistant.service.journal import FOLDER, Journal, crash_point, pending_change
from assistant.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
MANIFEST = "documents.toml"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Metadata:
    """What a person says about a new document; empty fields are read from its text."""

    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    region: str = ""
    region_parent: str = ""
    doc_id: str = ""


# How long each field a person gives may be: a region or title is a name, not a text.
FIELD_LIMITS = {"title": 200, "issuer": 100, "doc_number": 60, "date": 10, "region": 20, "region_parent": 20,
                "doc_id": 41}


def check_metadata(meta: Metadata) -> Metadata:
    """`meta` with its fields stripped (region names cleaned of invisible characters, NFKC); a
    field too long, or holding a line break or a character that is not text, is refused (400)
    before anything is read."""
    values = {k: str(v).strip() for k, v in asdict(meta).items()}
    for key in ("region", "region_parent"):
        values[key] = clean_name(values[key])
    for key, value in values.items():
        limit = FIELD_LIMITS.get(key, 200)
        if len(value) > limit or re.search(r"[\x00-\x1f\x7f]", value) or not encodable(value):
            raise InvalidRequest(f"{key} must be at most {limit} characters on one line, got {len(value)}",
                                 f"“{key}”过长或含有非法字符（最多 {limit} 字）。", field=key, limit=limit)
    check_date(values["date"])
    return Metadata(**values)


def check_date(when: str) -> None:
    """A date is YYYY-MM-DD and a real day (not 9999-99-99), or empty."""
    if not when:
        return
    try:
        real = bool(_DATE.match(when)) and bool(date.fromisoformat(when))
    except ValueError:
        real = False
    if not real:
        raise InvalidRequest(f"date must be a real day as YYYY-MM-DD, got {when!r}", "日期应为真实日期，格式 YYYY-MM-DD。")


def safe_name(name: str) -> str:
    """A file name that stays inside the corpus folder: no path, no odd characters, a known suffix."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", stem).strip("._-")[:60] or "document"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def _doc_id(meta_date: str, data: bytes, taken: set[str]) -> str:
    year = meta_date[:4] if meta_date else "x"
    digest = hashlib.sha256(data).hexdigest()
    for size in range(8, 40, 4):
        candidate = f"up{year}-{digest[:size]}"
        if candidate not in taken:
            return candidate
    raise InvalidRequest("cannot make a unique document id")  # 2^160 collisions: unreachable


def _no_space(exc: OSError) -> bool:
    """The disk (or the user's quota) is full."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


class Library:
    """One corpus folder's documents, edited in place with an undo log."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.corpus_dir
        self.pending: dict[Path, bytes | None] = {}  # file -> new bytes, or None to delete it
        self.prepared: list[ParsedSource] = []  # sources parsed while checking them, for the build to reuse
        self._corpus_clauses: int | None = None

    # -- reading -------------------------------------------------------------------------------
    def manifest(self) -> Manifest:
        """The corpus manifest, with this change's edits so far."""
        if self.dir / MANIFEST in self.pending:
            return parse_manifest(self._manifest_text() or "")
        return load_manifest(self.dir)

    def document_ids(self) -> set[str]:
        """Source ids, and the ids of the documents the serving index split them into."""
        ids = {s.id for s in self.manifest().sources}
        try:
            from assistant.index.load import read_documents, read_manifest

            built = read_manifest(self.settings.index_dir)
            ids |= set(read_documents(IndexStore(self.settings.index_dir).builds / built["build"]))
        except AssistantError:
            pass
        return ids

    def corpus_clauses(self) -> int:
        """The clauses of the serving build (0 when none serves): what an upload's cap is relative to."""
        if self._corpus_clauses is None:
            try:
                from assistant.index.load import read_manifest

                self._corpus_clauses = int(read_manifest(self.settings.index_dir).get("clauses") or 0)
            except AssistantError:
                self._corpus_clauses = 0
        return self._corpus_clauses

    def upload_clauses(self) -> int:
        """The most clauses one upload (or `assistant add`) may add: a share of the corpus, at least the floor."""
        s = self.settings
        return max(s.upload_clauses_floor, int(s.upload_clauses_corpus_share * self.corpus_clauses()))

    def clause_cap(self) -> ClauseCap:
        """What the next new file may make: at most `max_clauses_per_document` clauses, and no more
        than this upload may still add (its files checked so far count against it)."""
        s = self.settings
        corpus, most = self.corpus_clauses(), self.upload_clauses()
        left = max(0, most - sum(len(p.clauses) for p in self.prepared))
        if left >= s.max_clauses_per_document:
            return ClauseCap(s.max_clauses_per_document)
        return ClauseCap(left, "clauses this upload may still add",
                         "本次上传剩余可新增的条款数", f" (one upload may add {most}; the corpus has {corpus})",
                         f"（每次上传最多新增 {most} 条，文件库现有 {corpus} 条）")

    # -- writing -------------------------------------------------------------------------------
    def _write(self, path: Path, data: bytes) -> None:
        """Record a file to write; nothing moves until the change is applied (`change`)."""
        self.pending[path] = data

    def _delete(self, path: Path) -> None:
        self.pending[path] = None

    def _manifest_text(self) -> str | None:
        path = self.dir / MANIFEST
        if path in self.pending:
            data = self.pending[path]
            return data.decode("utf-8") if data is not None else None
        return path.read_text(encoding="utf-8") if path.exists() else None

    def _edit_manifest(self, edit: Callable[[Any], None]) -> None:
        text = self._manifest_text()
        doc = tomlkit.parse(text) if text is not None else new_manifest()
        edit(doc)
        written = tomlkit.dumps(doc)
        parse_manifest(written)  # what we write must read back
        self._write(self.dir / MANIFEST, written.encode("utf-8"))

    # -- changes -------------------------------------------------------------------------------
    def add(self, name: str, data: bytes, meta: Metadata | None = None, loaded: LoadedText | None = None) -> SourceSpec:
        """Add a file; `loaded` is its text when the caller read it already (outside the index lock)."""
        meta = check_metadata(meta or Metadata())
        manifest = self.manifest()
        loaded = loaded or self.read(name, data)
        digest = hashlib.sha256(data).hexdigest()
        for spec in manifest.sources:
            path = self.dir / spec.file
            if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
                raise InvalidRequest(f"{name} is already in the corpus as {spec.id} ({spec.file})",
                                     f"该文件已在文件库中（编号 {spec.id}）。", document=spec.id)
        detected = detect_metadata(loaded.text, manifest)
        region, new_region = _region(name, meta.region or detected.region, meta.region_parent, manifest)
        when = meta.date or detected.date
        check_date(when)
        taken = self.document_ids() | set(manifest.overrides)
        doc_id = meta.doc_id or _doc_id(when, data, taken)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,40}", doc_id):
            raise InvalidRequest(f"document id {doc_id!r} must be letters, digits, - and _",
                                 "文件编号只能包含字母、数字、- 和 _。")
        _check_free(doc_id, taken, manifest)
        file = f"{doc_id}_{safe_name(name)}"
        spec = SourceSpec(
            file=file, id=doc_id, title=meta.title or detected.title or Path(safe_name(name)).stem,
            issuer=meta.issuer or detected.issuer, doc_number=meta.doc_number or detected.doc_number,
            date=when, region=region,
            layout=loaded.layout,
        )
        self._check_parses(spec, data, manifest, new_region, loaded)
        self._write(self.dir / file, data)

        def edit(doc: Any) -> None:
            add_source(doc, source_table(spec))
            if new_region is not None:
                add_region(doc, new_region)

        self._edit_manifest(edit)
        log.info("added %s as %s (%s, %s)", name, doc_id, spec.region, spec.title)
        return spec

    def read(self, name: str, data: bytes) -> LoadedText:
        return read_upload(self.settings, name, data)

    def update(self, doc_id: str, name: str, data: bytes, loaded: LoadedText | None = None) -> SourceSpec:
        """Replace a source's file; its id, metadata and statuses stay."""
        manifest = self.manifest()
        spec = manifest.source(doc_id)
        if spec is None:
            raise DocumentNotFound(f"no source document {doc_id!r} (only whole files can be replaced)",
                                   f"未找到文件“{doc_id}”。")
        loaded = loaded or self.read(name, data)
        if Path(safe_name(name)).suffix != Path(spec.file).suffix:
            raise UnreadableDocument(f"{doc_id} is a {Path(spec.file).suffix} file; the replacement must be too",
                                     "替换文件须与原文件类型相同。")
        # A text file keeps the layout the manifest gives it (the compilation is PDF text in a .txt);
        # a PDF or Word file takes its loader's.
        new = replace(spec, layout=spec.layout if loaded.kind == "text" else loaded.layout)
        self._check_parses(new, data, manifest, None, loaded)
        self._write(self.dir / spec.file, data)
        if new != spec:
            self._edit_manifest(lambda doc: _set_source(doc, doc_id, {"layout": new.layout}))
        return new

    def remove(self, doc_id: str) -> SourceSpec:
        manifest = self.manifest()
        spec = manifest.source(doc_id)
        if spec is None:
            if doc_id in self.document_ids():
                raise InvalidRequest(f"{doc_id} is part of a larger file; retire it instead of removing it",
                                     f"“{doc_id}”是汇编文件的一部分，请使用“废止”而不是删除。")
            raise DocumentNotFound(f"no document {doc_id!r}", f"未找到文件“{doc_id}”。")
        def edit(doc: Any) -> None:
            sources = doc["source"]
            for i, table in enumerate(sources):
                if table.get("id") == doc_id:
                    del sources[i]
                    break
            documents = doc.get("documents", {})
            for key in _own_entries(spec, list(documents), manifest):
                del documents[key]

        self._edit_manifest(edit)
        self._delete(self.dir / spec.file)
        log.info("removed %s (%s)", doc_id, spec.file)
        return spec

    def set_status(self, doc_id: str, status: str, superseded_by: str = "") -> None:
        ids = self.document_ids()
        if doc_id not in ids:
            raise DocumentNotFound(f"no document {doc_id!r}; see `assistant list`", f"未找到文件“{doc_id}”。")
        if superseded_by and superseded_by not in ids:
            raise DocumentNotFound(f"no document {superseded_by!r} to supersede {doc_id}",
                                   f"未找到替代文件“{superseded_by}”。")
        if superseded_by == doc_id:
            raise InvalidRequest("a document cannot supersede itself", "文件不能替代自身。")

        def edit(doc: Any) -> None:
            if "documents" not in doc:
                doc["documents"] = tomlkit.table()
            entry = doc["documents"].get(doc_id) or tomlkit.inline_table()
            for key in ("status", "superseded_by", "changed_on"):
                entry.pop(key, None)
            if status != CURRENT:
                entry["status"] = status
                if superseded_by:
                    entry["superseded_by"] = superseded_by
                entry["changed_on"] = date.today().isoformat()
            if entry:
                doc["documents"][doc_id] = entry
            elif doc_id in doc["documents"]:
                del doc["documents"][doc_id]

        self._edit_manifest(edit)
        log.info("%s is now %s%s", doc_id, status, f" (superseded by {superseded_by})" if superseded_by else "")

    def retire(self, doc_id: str, superseded_by: str = "") -> None:
        self.set_status(doc_id, SUPERSEDED if superseded_by else REPEALED, superseded_by)

    def reinstate(self, doc_id: str) -> None:
        self.set_status(doc_id, CURRENT)

    def _check_parses(self, spec: SourceSpec, data: bytes, manifest: Manifest, region: Region | None,
                      loaded: LoadedText) -> None:
        """Parse before anything is written: a file that yields no clauses, or more than it may
        (`clause_cap`), is refused."""
        regions = manifest.regions + ((region,) if region else ())
        trial = Manifest((*[s for s in manifest.sources if s.id != spec.id], spec), regions, manifest.overrides)
        try:
            parsed = parse_source(spec, data, trial, source_key(spec, data, trial, parser_fingerprint()), loaded,
                                  cap=self.clause_cap())
        except TooManyClauses as exc:
            log.info("refused %s: %s", spec.file, exc.message)
            raise
        except AssistantError as exc:
            raise UnreadableDocument(f"{spec.file}: {exc.message}", exc.message_zh) from exc
        if not parsed.clauses:
            raise UnreadableDocument(f"{spec.file}: no clauses found in the text",
                                     "文件中没有可解析的条款内容。")
        total, most = sum(len(p.clauses) for p in self.prepared) + len(parsed.clauses), self.upload_clauses()
        if total > most:  # a file of several documents, each within its cap
            raise TooManyClauses(f"{spec.file}: this upload would add {total} clauses, more than the {most} one "
                                 f"upload may add (the corpus has {self.corpus_clauses()})",
                                 f"本次上传将新增 {total} 条条款，超过每次上传上限 {most} 条"
                                 f"（文件库现有 {self.corpus_clauses()} 条）。", clauses=total, limit=most)
        self.prepared.append(parsed)


def new_manifest() -> Any:
    """The `documents.toml` of a corpus that has none yet."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("The corpus manifest: one [[source]] per file of this folder, and the regions."))
    doc.add(tomlkit.comment("Written by `assistant add` and the admin API; see the product's corpus/documents.toml."))
    return doc


def source_table(spec: SourceSpec) -> Any:
    """A new source's [[source]] table: the fields that say something, and the day it was added."""
    table = tomlkit.table()
    for key, value in asdict(spec).items():
        if value not in ("", "day") or key in ("file", "id", "title", "region"):
            table[key] = value
    table["added_on"] = date.today().isoformat()
    return table


def add_source(doc: Any, table: Any) -> None:
    """Append a [[source]] table to a parsed `documents.toml`, which may have none yet."""
    if "source" not in doc:
        doc["source"] = tomlkit.aot()
    doc["source"].append(table)


def add_region(doc: Any, region: Region) -> None:
    """Register a region the corpus did not know (a parsed `documents.toml` may have no [regions])."""
    if "regions" not in doc:
        doc["regions"] = tomlkit.table()
    doc["regions"][region.name] = {"parent": region.parent, "aliases": []}


def _region(name: str, region: str, parent: str, manifest: Manifest) -> tuple[str, Region | None]:
    """The canonical name of the region a new document applies to, and the region to register
    when the corpus does not know it yet (under `parent`, a known region, or at the top)."""
    if not region:
        names = sorted(r.name for r in manifest.regions)
        raise InvalidRequest(f"cannot tell which region {name} applies to; give a region ({', '.join(names)}, "
                             "or a new one)", "无法从文件中判断所属地区，请指定地区。", valid=names)
    known = manifest.region(region)
    if known is not None:
        return known.name, None
    above = manifest.region(parent) if parent else None
    if parent and above is None:
        raise UnknownRegion(f"unknown parent region {parent!r}", f"未知的上级地区“{parent}”。")
    return region, Region(region, above.name if above else "", ())


def _check_free(doc_id: str, taken: set[str], manifest: Manifest) -> None:
    """IdTaken (409) when a source, a document of the serving index, a [documents] entry, or a
    document a split source makes (or would make) has `doc_id` already."""
    owner = next((s.id for s in manifest.sources if belongs_to(s, doc_id)), None)
    if doc_id in taken or owner is not None:
        where = f" (a document of {owner})" if owner not in (None, doc_id) else ""
        raise IdTaken(f"document id {doc_id} is taken{where}; give another id or none",
                      f"文件编号 {doc_id} 已被使用，请换一个编号或不填。", document=doc_id)


def _own_entries(spec: SourceSpec, keys: list[str], manifest: Manifest) -> list[str]:
    """The [documents] entries that belong to `spec`: its id, and the ids of the documents split
    from it, never another source's (an id that merely starts with `spec.id`)."""
    others = {s.id for s in manifest.sources if s.id != spec.id}
    return [k for k in keys if belongs_to(spec, k) and k not in others]


def _set_source(doc: Any, doc_id: str, values: dict[str, str]) -> None:
    for table in doc["source"]:
        if table.get("id") == doc_id:
            table.update(values)


def read_upload(settings: Settings, name: str, data: bytes) -> LoadedText:
    """An untrusted file's text, read in the sandbox within the settings' limits. Callers read
    before taking the index lock, so a slow or hostile file holds up no other change."""
    return load_untrusted(name, data, Limits.from_settings(settings))


def change(settings: Settings, edit: Callable[[Library], T], *, timeout: float = -1) -> tuple[T, dict[str, Any]]:
    """Run `edit` on the corpus and rebuild, all or nothing. Returns edit's result and the new manifest."""
    from assistant.index.build import build_locked

    store = IndexStore(settings.index_dir)
    with store.lock(timeout):
        _recover_locked(settings, store)  # an earlier change killed midway is finished first
        library = Library(settings)
        result = edit(library)  # in memory: a refusal here leaves everything as it was
        journal = Journal.begin(settings.corpus_dir, "change", library.pending) if library.pending else None
        try:
            if journal is not None:
                journal.apply()
            manifest = build_locked(settings, store, progress=lambda step: crash_point(f"build: {step}"),
                                    prepared=library.prepared)
        except OSError as exc:
            if journal is not None:
                journal.rollback()
            if _no_space(exc):  # the build's partial folder is gone already
                raise DiskFull("no space left on the server's disk; nothing was changed") from exc
            raise
        except BaseException:
            if journal is not None:
                journal.rollback()
            raise
        crash_point("built")
        if journal is not None:
            journal.close()
    return result, manifest


def recover(settings: Settings, *, timeout: float = -1) -> dict[str, Any] | None:
    """Finish a corpus change a killed process left (see `assistant.service.journal`) and build;
    the new build's manifest, or None when there was nothing to finish."""
    if not pending_change(settings.corpus_dir) and not (settings.corpus_dir / FOLDER).exists():
        return None
    store = IndexStore(settings.index_dir)
    with store.lock(timeout):
        return _recover_locked(settings, store)


def _recover_locked(settings: Settings, store: IndexStore) -> dict[str, Any] | None:
    from assistant.index.build import build_locked

    journal = Journal.read(settings.corpus_dir)
    if journal is None:
        return None
    log.warning("finishing a corpus change that was interrupted (%d files)", len(journal.operations))
    journal.apply()
    try:
        manifest = build_locked(settings, store)
    except AssistantError as exc:  # the finished change does not build: put the corpus back as it was
        log.error("the interrupted change does not build (%s): rolling it back", exc.message)
        journal.rollback()
        return build_locked(settings, store)
    journal.close()
    log.warning("interrupted corpus change finished; index %s serves", manifest["build"])
    return manifest
