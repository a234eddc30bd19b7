"""Topic concepts (`corpus/concepts.toml`): the indicators and common procedures, each with the
ways people and policies say it, so that 开公司, 注册公司 and 企业开办 all mean 开办企业."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.text import norm


def phrase_pattern(phrase: str) -> str:
    """A four-character phrase may be said with a measure word or two inside it (注册公司 →
    注册个公司, 注册一家公司; 抵押登记 → 抵押办登记); shorter phrases only as they are."""
    if len(phrase) == 4:
        return re.escape(phrase[:2]) + r"\w{0,2}?" + re.escape(phrase[2:])
    return re.escape(phrase)


@dataclass(frozen=True)
class Concept:
    name: str
    phrases: tuple[str, ...]  # normalised (NFKC, no whitespace, lower case)
    indicator: str = ""  # the sub-plan topic it corresponds to, if any
    pattern: re.Pattern[str] = field(default=re.compile("(?!)"), compare=False, repr=False)

    @classmethod
    def of(cls, name: str, phrases: tuple[str, ...], indicator: str = "") -> Concept:
        ordered = sorted(phrases, key=len, reverse=True)
        return cls(name, phrases, indicator, re.compile("|".join(phrase_pattern(p) for p in ordered)))

    def found_in(self, normalized_text: str) -> bool:
        return bool(self.pattern.search(normalized_text))


@dataclass(frozen=True)
class Concepts:
    items: tuple[Concept, ...]

    @classmethod
    def load(cls, path: Path) -> Concepts:
        if not path.is_file():
            return cls(())
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CorpusError(f"cannot read concepts {path}: {exc}") from exc
        items = []
        for name, value in data.get("concepts", {}).items():
            if not isinstance(value, dict) or not isinstance(value.get("phrases", []), list):
                raise CorpusError(f"{path}: [concepts.{name!r}] needs a list of phrases")
            phrases = tuple(dict.fromkeys(norm(p) for p in [name, *value.get("phrases", [])] if norm(p)))
            items.append(Concept.of(name, phrases, str(value.get("indicator", ""))))
        return cls(tuple(items))

    def in_text(self, text: str) -> tuple[Concept, ...]:
        """The concepts `text` speaks of; a phrase inside a longer matched phrase does not count
        on its own (通电 inside 获得电力's 用电报装 is one mention)."""
        normalized = norm(text)
        return tuple(c for c in self.items if c.found_in(normalized))
