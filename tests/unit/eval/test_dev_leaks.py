"""No dev question of the shared dev sets may be written into the code or the curated data (the
acceptance figures themselves are checked in tests/slow/test_quality.py)."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.eval.score import load_golds
from assistant.settings import REPO_ROOT
from tests.conftest import GOLD, needs_gold

pytestmark = pytest.mark.quality


RUN = 12  # a run of this many consecutive characters of a question must not be found either


def _flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _curated_files() -> list:  # type: ignore[type-arg]
    """Code and hand-written data: not the corpus's source documents, where evidence lives by design."""
    files = [p for folder in ("assistant", "web", "scripts") for p in (REPO_ROOT / folder).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    files += sorted((REPO_ROOT / "corpus").glob("*.toml")) + [REPO_ROOT / "corpus" / "domain_dict.txt"]
    return [p for p in files if p.is_file()]


@needs_gold
def test_no_dev_question_is_written_into_code_or_data():
    haystacks = {}
    for path in _curated_files():
        try:
            haystacks[path.relative_to(REPO_ROOT)] = _flat(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # binary: no question hides there
    assert haystacks
    leaks = []
    for item in load_golds(GOLD):
        question = _flat(item.question)
        pieces = {question} | {question[i:i + RUN] for i in range(max(0, len(question) - RUN + 1))}
        for piece in sorted(pieces, key=len, reverse=True):
            found = [str(p) for p, text in haystacks.items() if piece in text]
            if found:
                leaks.append(f"{item.key}: {piece!r} in {', '.join(found)}")
                break
    assert not leaks, "dev questions (or 12-character runs of them) found in code or data:\n" + "\n".join(leaks)
