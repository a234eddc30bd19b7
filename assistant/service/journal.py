"""Crash-safe corpus changes: a journal written before any file of `corpus/` moves.

A change (add, update, remove, retire, a bulk add) is first computed in memory: the files to
write and to delete (`Library.pending`). Then, under the index lock:

1. staged: each new file's bytes, and a copy of each file it replaces or deletes, are written
   under `corpus/.journal/` and synced; a failure here (a full disk) removes them: nothing changed;
2. journaled: `corpus/.journal/journal.json` is written (atomically, synced): from now on the
   change is finished, whatever happens to the process;
3. applied: each staged file is renamed into place, each deleted file unlinked;
4. built: the caller builds the index;
5. closed: the journal folder is removed.

An exception after 2 (a build that raises) rolls the change back from the copies. A process
killed after 2 leaves the journal: `recover` (run when the CLI or the server starts) applies
what is left (renames and unlinks are idempotent) and builds, so the corpus holds no orphan file,
`documents.toml` names exactly the files present, and the index matches the corpus. The server
serves its previous good build meanwhile. A journal folder without `journal.json` is a change
killed while staging: nothing had moved, and it is removed.

`ASSISTANT_TEST_CRASH_AT=K` ends the process (`os._exit`) at the K-th step point of a change
(each staged file, the journal, each applied file, each build step, the close), for tests.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import DiskFull

log = logging.getLogger(__name__)

FOLDER = ".journal"
JOURNAL = "journal.json"
CRASH_ENV = "ASSISTANT_TEST_CRASH_AT"
CRASH_EXIT = 86
_steps = 0


def crash_point(label: str) -> None:
    """A step of a change: the K-th one ends the process when ASSISTANT_TEST_CRASH_AT=K (tests)."""
    at = os.environ.get(CRASH_ENV)
    if not at:
        return
    global _steps
    _steps += 1
    if _steps == int(at):
        log.warning("test crash at step %d (%s)", _steps, label)
        os._exit(CRASH_EXIT)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


@dataclass(frozen=True)
class Operation:
    name: str  # the file's name in corpus/
    staged: str | None  # its new bytes under .journal/, or None: delete it
    backup: str | None  # its old bytes under .journal/, or None: it did not exist


class Journal:
    """One change's journal in `corpus/.journal/`."""

    def __init__(self, corpus_dir: Path, label: str, operations: list[Operation]) -> None:
        self.dir = corpus_dir
        self.folder = corpus_dir / FOLDER
        self.label = label
        self.operations = operations

    # -- begin: stage, then journal -------------------------------------------------------------
    @classmethod
    def begin(cls, corpus_dir: Path, label: str, pending: Mapping[Path, bytes | None]) -> Journal:
        """Stage the change and write its journal; nothing in corpus/ has moved yet. A failure
        (a full disk) removes what was staged and raises DiskFull."""
        folder = corpus_dir / FOLDER
        if folder.exists():  # a leftover no recovery claimed (no journal.json): nothing had moved
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        operations: list[Operation] = []
        try:
            for n, (path, data) in enumerate(pending.items()):
                staged = backup = None
                if data is not None:
                    staged = f"{n}.new.tmp"
                    _write_synced(folder / staged, data)
                    crash_point(f"staged {path.name}")
                if path.exists():
                    backup = f"{n}.old.tmp"
                    _write_synced(folder / backup, path.read_bytes())
                    crash_point(f"backed up {path.name}")
                operations.append(Operation(path.name, staged, backup))
            journal = cls(corpus_dir, label, operations)
            body = json.dumps({"change": label, "operations": [op.__dict__ for op in operations]},
                              ensure_ascii=False, indent=1).encode("utf-8")
            _write_synced(folder / f"{JOURNAL}.tmp", body)
            os.replace(folder / f"{JOURNAL}.tmp", folder / JOURNAL)
            _sync_dir(folder)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull("no space left to write the change; nothing was changed") from exc
            raise
        crash_point("journal written")
        return journal

    @classmethod
    def read(cls, corpus_dir: Path) -> Journal | None:
        """The journal of an interrupted change, or None (a staging folder with no journal is removed)."""
        folder = corpus_dir / FOLDER
        if not folder.is_dir():
            return None
        try:
            body: dict[str, Any] = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
        except FileNotFoundError:
            log.warning("removing a corpus change killed before its journal was written (nothing had moved)")
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return cls(corpus_dir, str(body.get("change", "")), [Operation(**op) for op in body["operations"]])

    # -- apply, roll back, close ------------------------------------------------------------------
    def apply(self) -> None:
        """Move every staged file into place and delete what the change deletes (again, after a
        crash: a step done already is skipped)."""
        for op in self.operations:
            target = self.dir / op.name
            if op.staged is None:
                if target.exists():
                    target.unlink()
                    crash_point(f"deleted {op.name}")
            elif (self.folder / op.staged).exists():
                os.replace(self.folder / op.staged, target)
                crash_point(f"applied {op.name}")
        _sync_dir(self.dir)

    def rollback(self) -> None:
        """Put every file back as it was before the change."""
        for op in reversed(self.operations):
            target = self.dir / op.name
            try:
                if op.backup is None:
                    target.unlink(missing_ok=True)
                else:
                    tmp = self.dir / f".{op.name}.restore.tmp"
                    shutil.copyfile(self.folder / op.backup, tmp)
                    os.replace(tmp, target)
            except OSError as exc:  # keep restoring the rest
                log.error("could not undo %s of a corpus change: %s", op.name, exc)
        self.close(rolled_back=True)

    def close(self, rolled_back: bool = False) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        _sync_dir(self.dir)
        if not rolled_back:
            crash_point("journal closed")


def pending_change(corpus_dir: Path) -> bool:
    """Whether an interrupted change waits for `recover`."""
    return (corpus_dir / FOLDER / JOURNAL).is_file()
