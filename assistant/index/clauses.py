"""The clauses of a build, read on demand: no Python object per clause until one is asked for.

    clauses.jsonl        one clause per line (JSON), in index order
    clause_offsets.npy   n + 1 byte offsets of the lines (int64)
    clause_docs.npy      per clause, the position of its document in documents.json (int32)
    clause_ids.txt       per clause, its id, one a line

`clauses.jsonl` is memory-mapped; a clause is decoded when asked for and the most recent ones are
kept decoded. At 10^6 clauses this holds the offsets (8 MB) and the document positions (4 MB)
instead of several GB of objects; the id → position map is built on first use.
"""

from __future__ import annotations

import json
import mmap
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from typing import overload

import numpy as np

from assistant.models import Clause, Fact


def clause_to_json(clause: Clause) -> str:
    return json.dumps(asdict(clause), ensure_ascii=False)


def clause_from_json(line: str | bytes) -> Clause:
    data = json.loads(line)
    data["headings"] = tuple(data["headings"])
    data["facts"] = tuple(Fact(**f) for f in data["facts"])
    data["fields"] = tuple(tuple(f) for f in data["fields"])
    return Clause(**data)


def write_clauses(folder: Path, clauses: Iterable[Clause], doc_positions: dict[str, int]) -> int:
    """Write the four files of a build's clauses, streaming; returns how many were written."""
    offsets = [0]
    docs: list[int] = []
    with (folder / "clauses.jsonl").open("wb") as out, (folder / "clause_ids.txt").open("w", encoding="utf-8") as ids:
        for clause in clauses:
            line = (clause_to_json(clause) + "\n").encode("utf-8")
            out.write(line)
            offsets.append(offsets[-1] + len(line))
            docs.append(doc_positions[clause.doc_id])
            ids.write(clause.id.replace("\n", " ").replace("\r", " ") + "\n")
    np.save(folder / "clause_offsets.npy", np.asarray(offsets, dtype=np.int64))
    np.save(folder / "clause_docs.npy", np.asarray(docs, dtype=np.int32))
    return len(docs)


class ClauseStore(Sequence[Clause]):
    """A read-only sequence of a build's clauses, decoded on demand (thread-safe)."""

    def __init__(self, folder: Path, cache_size: int = 16_384) -> None:
        self.folder = folder
        self.offsets = np.load(folder / "clause_offsets.npy")
        self.doc_positions: np.ndarray = np.load(folder / "clause_docs.npy")
        if len(self.offsets) != len(self.doc_positions) + 1:
            raise ValueError(f"clause_offsets.npy holds {len(self.offsets)} offsets for "
                             f"{len(self.doc_positions)} clauses")
        path = folder / "clauses.jsonl"
        if path.stat().st_size != int(self.offsets[-1]):
            raise ValueError(f"clauses.jsonl holds {path.stat().st_size} bytes, its offsets say {int(self.offsets[-1])}")
        self._file = path.open("rb")
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if self.offsets[-1] else None
        self._cache: OrderedDict[int, Clause] = OrderedDict()  # the most recently read, decoded
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _read(self, i: int) -> Clause:
        assert self._map is not None
        return clause_from_json(self._map[int(self.offsets[i]) : int(self.offsets[i + 1])])

    def __len__(self) -> int:
        return len(self.doc_positions)

    @overload
    def __getitem__(self, i: int) -> Clause: ...
    @overload
    def __getitem__(self, i: slice) -> list[Clause]: ...
    def __getitem__(self, i: int | slice) -> Clause | list[Clause]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"clause {i} of {n}")
        with self._lock:
            found = self._cache.get(i)
            if found is not None:
                self._cache.move_to_end(i)
                return found
        clause = self._read(int(i))
        with self._lock:
            self._cache[i] = clause
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return clause

    def __iter__(self) -> Iterator[Clause]:
        """Every clause in order, read straight through (not through the cache)."""
        return iter_clauses(self.folder)

    @cached_property
    def ids(self) -> list[str]:
        # split on "\n" only: an id is written on one line, whatever other line breaks it held
        return (self.folder / "clause_ids.txt").read_bytes().decode("utf-8").split("\n")[: len(self)]

    @cached_property
    def positions(self) -> dict[str, int]:
        """Clause id → its position (built on first use)."""
        return {cid: i for i, cid in enumerate(self.ids)}

    def counts(self, documents: int) -> np.ndarray:
        """How many clauses each document (by position) has."""
        return np.bincount(self.doc_positions, minlength=documents)

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
        self._file.close()


def iter_clauses(folder: Path) -> Iterator[Clause]:
    """Every clause of a build in order, decoded one line at a time."""
    with (folder / "clauses.jsonl").open("rb") as fh:
        for line in fh:
            if line.strip():
                yield clause_from_json(line)
