"""Where indexes live on disk, and how a new one replaces the old without a gap.

    index/
      CURRENT                 the name of the build that serves (replaced atomically)
      builds/<build id>/      one complete index each (see `assistant.index.load`)
      builds/<build id>.partial/   a build being written; never read, removed when abandoned
      models/<name>/          trained embedders, shared by the builds that use them
      .lock                   held by whoever edits the corpus or builds

A build is written into a `.partial` folder, renamed when complete, and only then named in
`CURRENT` (write a temporary file, `os.replace` it). A crash or a kill at any point leaves
`CURRENT` naming the old build, whole. Old builds are removed after two newer ones exist, so a
server that is still loading the previous build never finds it gone.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import Busy

log = logging.getLogger(__name__)

KEEP_BUILDS = 3


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.builds = root / "builds"
        self.models = root / "models"
        self.pointer = root / "CURRENT"

    def current_name(self) -> str | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def current(self) -> Path | None:
        name = self.current_name()
        return self.builds / name if name else None

    def new_build(self) -> Path:
        """A fresh `.partial` folder for a build to write into."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        folder = self.builds / f"{stamp}-{os.getpid()}.partial"
        folder.mkdir(parents=True)
        return folder

    def publish(self, partial: Path) -> Path:
        """Make a finished build the one that serves."""
        final = partial.with_name(partial.name.removesuffix(".partial"))
        _fsync_tree(partial)
        partial.rename(final)
        tmp = self.root / "CURRENT.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(final.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        log.info("index %s now serves", final.name)
        self.collect_garbage()
        return final

    def collect_garbage(self) -> None:
        """Remove abandoned partial builds and all but the newest complete ones."""
        if not self.builds.is_dir():
            return
        current = self.current_name()
        complete = sorted((p for p in self.builds.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                          key=lambda p: p.name)
        for old in complete[:-KEEP_BUILDS]:
            if old.name != current:
                shutil.rmtree(old, ignore_errors=True)
        for partial in self.builds.glob("*.partial"):
            shutil.rmtree(partial, ignore_errors=True)  # the caller holds the lock: nobody is writing it
        if self.models.is_dir():
            used: set[str] = set()
            for build in self.builds.iterdir():
                try:
                    used.add(json.loads((build / "manifest.json").read_text("utf-8")).get("embedder_folder", ""))
                except (OSError, ValueError, AttributeError) as exc:  # a damaged build blocks nothing
                    log.warning("build %s has no readable manifest (%s); its model is kept", build.name,
                                type(exc).__name__)
                    return
            for model in self.models.iterdir():
                if model.name not in used:
                    shutil.rmtree(model, ignore_errors=True)

    @contextmanager
    def lock(self, timeout: float = -1) -> Iterator[None]:
        """One writer at a time across processes: the CLI, the server's admin routes, `make run`."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / ".lock"))
        try:
            lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise Busy("another build or corpus change is running; try again shortly") from exc
        try:
            yield
        finally:
            lock.release()


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
