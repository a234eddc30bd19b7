"""The loaded index and what is derived from it (an `Engine`), and how a newer or damaged build is
handled while serving (`Engines`: load once, reload in the background, fall back to the newest
good build)."""

from __future__ import annotations

import logging
import threading
import time
from functools import cached_property
from typing import Any

from assistant.answer.passages import windows
from assistant.errors import AssistantError, IndexDamaged, UnknownRegion
from assistant.index.load import LoadedIndex, load_index, verify_build
from assistant.index.store import IndexStore
from assistant.lexicon.text import clean_name
from assistant.retrieval.backends import make_backend, milvus_store
from assistant.retrieval.base import Backend, Mode
from assistant.settings import Settings
from assistant.understand.conversation import FollowUpResolver
from assistant.understand.query import QueryReader

log = logging.getLogger(__name__)
# Up to this many clauses every clause is cut into sentences when the index loads.
CUT_AT_LOAD_UP_TO = 50_000


class Engine:
    """Everything derived from one loaded index. A request takes the engine once and uses only
    it, so a request in flight finishes on the index it started with while a newer one loads."""

    def __init__(self, index: LoadedIndex, settings: Settings, milvus: Any = None) -> None:
        self.index = index
        self.settings = settings
        self.milvus = milvus
        self._backends: dict[str, Backend] = {}

    def backend(self, mode: Mode = "fused") -> Backend:
        if mode not in self._backends:
            self._backends[mode] = make_backend(self.index, self.settings, mode, self.milvus)
        return self._backends[mode]

    @cached_property
    def reader(self) -> QueryReader:
        """Makes the one reading (`Query`) of each question that everything downstream uses."""
        return QueryReader.for_index(self.index)

    @property
    def follow_ups(self) -> FollowUpResolver:
        return self.reader.follow_ups

    @property
    def positions(self) -> dict[str, int]:
        return self.index.positions

    def cut_passages(self) -> None:
        """Cut every clause into its sentences and passages once, when the index loads."""
        if len(self.index.clauses) > CUT_AT_LOAD_UP_TO:  # a large corpus cuts its clauses as they are asked for
            return
        for clause in self.index.clauses:
            windows(clause.text)

    # -- regions -------------------------------------------------------------------------------
    def region_tree(self) -> list[tuple[str, int]]:
        """The regions that have documents, with their depth among them, in the order of the
        region tree: each province, then the cities and districts inside it (陕西 0, 西安 1,
        泾河新城 2, 宝鸡 1 …), as a reader looks for them; regions outside the tree last, by name."""
        manifest = self.index.corpus_manifest
        present = {d.region for d in self.index.documents.values()}
        children: dict[str, list[str]] = {}
        for region in manifest.tree.regions:  # the corpus's table and the country's tree, under 全国
            children.setdefault(region.parent, []).append(region.name)
        ordered: dict[str, int] = {}

        def visit(name: str, depth: int) -> None:
            shown = name in present and name not in ordered
            if shown:
                ordered[name] = depth
            for child in children.get(name, []):
                visit(child, depth + 1 if shown else depth)

        for root in children.get("", []):
            visit(root, 0)
        return [*ordered.items(), *((name, 0) for name in sorted(present - set(ordered)))]

    def regions(self) -> list[str]:
        """The regions that have documents, in the order of the region tree."""
        return [name for name, _depth in self.region_tree()]

    def check_region(self, region: str) -> str:
        """The canonical name of a region filter; UnknownRegion for a name the region tree lacks. A
        region of the tree whose documents are silent (北京) is a valid scope: answers say so. The
        name is compared as `clean_name` gives it (NFKC, no invisible characters, trimmed)."""
        known = self.index.corpus_manifest.region(clean_name(region))
        if known is None:
            regions = self.regions()
            raise UnknownRegion(f"unknown region {region!r}; known regions: {', '.join(regions)}",
                                f"未知地区“{region}”，可选地区：{'、'.join(regions)}", valid=regions)
        return known.name


class Engines:
    """The engine that serves: loaded lazily, once, thread-safely; a newer build (`CURRENT`) is
    loaded in the background and swapped in; a damaged build falls back to the newest good one."""

    def __init__(self, settings: Settings, index: LoadedIndex | None = None) -> None:
        self.settings = settings
        self._milvus: Any = None
        self._engine = Engine(index, settings, self._connection()) if index is not None else None
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()
        self._checked = time.monotonic()
        self._failed = ""  # a build that would not load: not tried again every second
        self.store = IndexStore(settings.index_dir)
        # set when a damaged build could not serve and an older good one does instead
        self.degraded: dict[str, Any] = {}
        # while an interrupted corpus change is finished and built, the previous build serves
        self.serve_stale = False
        self._stop_watching: threading.Event | None = None

    def _connection(self) -> Any:
        """This service's one Milvus connection (Milvus Lite opens a file once per process)."""
        if self.settings.search_backend == "milvus" and self._milvus is None:
            self._milvus = milvus_store(self.settings)
        return self._milvus

    def current(self) -> Engine:
        engine = self._engine
        if engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._load(fresh=True)
                engine = self._engine
        else:
            if self.settings.reload_check_seconds >= 0:
                self._notice_new_build(engine)
            engine = self._intact(engine)
        return engine

    def _intact(self, engine: Engine) -> Engine:
        """The serving build's files checked by size (a stat each) before a request reads them: a
        memory-mapped file cut short would end the process with SIGBUS at the first read past its
        end. When one no longer matches its manifest, the build is dropped and the newest good
        build serves instead, or, with none, IndexDamaged (503 saying how to rebuild)."""
        problems = verify_build(engine.index.clauses.folder, engine.index.manifest, hashes=False)
        if not problems:
            return engine
        with self._lock:
            if self._engine is engine:
                log.error("the serving build %s changed on disk (%s); it is no longer read", engine.index.build,
                          "; ".join(problems[:3]))
                self._engine = None
            if self._engine is None:
                self._engine = self._load(fresh=False)
            return self._engine

    def _load(self, fresh: bool) -> Engine:
        started = time.perf_counter()
        try:
            index = load_index(self.settings, fresh=fresh and not self.serve_stale)
            self.degraded = {}
        except IndexDamaged as exc:
            index = self._fallback(exc)
        engine = Engine(index, self.settings, self._connection())
        engine.reader  # noqa: B018 - built now, not in the first question
        engine.backend()  # and the backend (with Milvus: its collection synced to this build)
        engine.cut_passages()
        log.info("index %s loaded in %.2fs (%d documents, %d clauses)", index.build, time.perf_counter() - started,
                 len(index.documents), len(index.clauses))
        return engine

    def _fallback(self, damage: IndexDamaged) -> LoadedIndex:
        """The newest other build that loads whole, when the one CURRENT names is damaged; said
        loudly, and reported by `/api/health` as degraded until a good build serves."""
        damaged = self.store.current_name() or ""
        log.error("%s", damage.message)
        for folder in sorted((p for p in self.store.builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")
                              and p.name != damaged), key=lambda p: p.name, reverse=True):
            try:
                index = load_index(self.settings, fresh=False, build=folder.name)
            except AssistantError as exc:
                log.warning("build %s cannot serve either: %s", folder.name, exc.message)
                continue
            log.error("serving the previous good build %s instead of the damaged %s; run `assistant build` to repair",
                      folder.name, damaged)
            self.degraded = {"damaged_build": damaged, "serving_build": folder.name,
                             "problems": list(damage.details.get("damaged") or [damage.message])}
            return index
        raise damage

    def _notice_new_build(self, engine: Engine) -> None:
        """At most every `reload_check_seconds`, look at CURRENT; load a newer build in the background."""
        now = time.monotonic()
        if now - self._checked < self.settings.reload_check_seconds:
            return
        self._checked = now
        name = self.store.current_name()
        if name and name not in (engine.index.build, self._failed) and not self._reload_lock.locked():
            threading.Thread(target=self.reload, name="index-reload", daemon=True).start()

    def watch(self, interval: float) -> None:
        """Look at CURRENT every `interval` seconds in a background thread and load a newly published
        build, so a change (`assistant retire`, `add`, a build) reaches an idle server too. Once."""
        if interval <= 0 or self._stop_watching is not None:
            return
        stop = self._stop_watching = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                try:
                    name = self.store.current_name()
                    engine = self._engine
                    if engine is not None and name and name not in (engine.index.build, self._failed):
                        log.info("build %s published: loading it", name)
                        self.reload()
                except Exception:  # the watcher outlives a bad moment (a folder being renamed)
                    log.exception("index watcher")

        threading.Thread(target=loop, name="index-watcher", daemon=True).start()

    def stop_watching(self) -> None:
        if self._stop_watching is not None:
            self._stop_watching.set()
            self._stop_watching = None

    def reload(self) -> bool:
        """Load the build CURRENT names, if it is not the one serving; True when it swapped."""
        with self._reload_lock:
            name = self.store.current_name()
            engine = self._engine
            if not name or (engine is not None and engine.index.build == name):
                return False
            try:
                fresh = self._load(fresh=False)
            except Exception as exc:  # whatever goes wrong, the loaded index keeps serving
                log.error("new index %s not loaded, still serving %s: %s", name,
                          engine.index.build if engine else "nothing", exc)
                self._failed = name
                return False
            self._engine = fresh  # requests in flight keep the engine they took
            return True
