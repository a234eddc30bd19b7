"""The corpus change journal on files each test writes: what was journaled is finished (twice
over is the same as once), rolled back to the bytes before, a change killed while staging
leaves nothing, and a full disk while staging changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import DiskFull
from assistant.service.journal import FOLDER, Journal, pending_change


def test_the_journal_finishes_what_was_journaled_and_drops_what_was_only_staged(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(b"old a")
    (corpus / "b.txt").write_bytes(b"old b")
    journal = Journal.begin(corpus, "test", {corpus / "a.txt": b"new a", corpus / "b.txt": None, corpus / "c.txt": b"c"})
    assert (corpus / "a.txt").read_bytes() == b"old a" and pending_change(corpus)  # nothing moved yet
    again = Journal.read(corpus)
    assert again is not None
    again.apply()
    again.apply()  # a second run after a crash skips what is done
    assert sorted(p.name for p in corpus.iterdir()) == [FOLDER, "a.txt", "c.txt"]
    assert (corpus / "a.txt").read_bytes() == b"new a"
    journal.rollback()
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt", "b.txt"]
    assert (corpus / "a.txt").read_bytes() == b"old a" and (corpus / "b.txt").read_bytes() == b"old b"

    (corpus / FOLDER).mkdir()
    (corpus / FOLDER / "0.new.tmp").write_bytes(b"staged only")  # killed before journal.json
    assert Journal.read(corpus) is None and not (corpus / FOLDER).exists()


def test_a_full_disk_while_staging_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import errno

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(b"old a")
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if self.name.endswith(".tmp"):
            real(self, data[:2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(DiskFull):
        Journal.begin(corpus, "test", {corpus / "a.txt": b"new a"})
    assert [p.name for p in corpus.iterdir()] == ["a.txt"] and (corpus / "a.txt").read_bytes() == b"old a"
