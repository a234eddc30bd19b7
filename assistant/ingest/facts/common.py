"""What every fact type shares: a fact from a span, number formatting, overlap checks."""

from __future__ import annotations

import re
import unicodedata

from assistant.models import Fact

Span = tuple[int, int]
END = r"[，,；;。！!？?\n]"  # what ends a phrase (material, condition)
NOT_END = r"[^，,；;。！!？?\n]"


def fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def overlaps(start: int, end: int, taken: list[Span]) -> bool:
    return any(start < b and a < end for a, b in taken)


def fact(kind: str, text: str, start: int, end: int, normalized: str) -> Fact:
    """A fact whose value is text[start:end] with the surrounding whitespace trimmed off."""
    value = text[start:end]
    start += len(value) - len(value.lstrip())
    end -= len(value) - len(value.rstrip())
    return Fact(kind, text[start:end], normalized, start, end)


def qualified(prefix: str | None, core: str, suffix: str | None) -> str:
    """"不超过" "1%" None → "不超过 1%"; None "96%" "以上" → "96% 以上"."""
    return " ".join(p for p in (prefix, core, suffix) if p)
