"""Topic concepts (`corpus/concepts.toml`): the indicators and common procedures, each with the
ways of saying it (开公司, 注册公司 and 企业开办 all mean 开办企业) and the narrower matters that
belong to it (通关 belongs to 跨境贸易)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.lexicon.text import norm

_NEVER = re.compile("(?!)")
_OFFICE = re.compile(r"(?:分局|局|厅|处|委|所|办公室|中心|部门|科)")


def phrase_pattern(phrase: str) -> str:
    """A four-character phrase may be said with a measure word or two inside it (注册公司 →
    注册个公司, 注册一家公司; 抵押登记 → 抵押办登记); shorter phrases only as they are."""
    if len(phrase) == 4:
        return re.escape(phrase[:2]) + r"\w{0,2}?" + re.escape(phrase[2:])
    return re.escape(phrase)


def _alternation(phrases: tuple[str, ...]) -> re.Pattern[str]:
    if not phrases:
        return _NEVER
    return re.compile("|".join(phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True)))


@dataclass(frozen=True)
class Concept:
    name: str
    phrases: tuple[str, ...]  # ways of saying it, normalised (NFKC, no whitespace, lower case)
    indicator: str = ""  # the sub-plan topic it corresponds to, if any
    related: tuple[str, ...] = ()  # narrower matters that belong to it
    pattern: re.Pattern[str] = field(default=_NEVER, compare=False, repr=False)
    related_pattern: re.Pattern[str] = field(default=_NEVER, compare=False, repr=False)

    @classmethod
    def of(cls, name: str, phrases: tuple[str, ...], indicator: str = "", related: tuple[str, ...] = ()) -> Concept:
        return cls(name, phrases, indicator, related, _alternation(phrases), _alternation(related))

    def found_in(self, normalized_text: str) -> bool:
        """Said in the text, in any of its phrases."""
        return bool(self.pattern.search(normalized_text))

    def spoken_of(self, normalized_text: str, topic: str = "") -> bool:
        """A clause speaks of the concept: one of its phrases or narrower matters, or it belongs
        to the concept's indicator plan."""
        return (bool(self.indicator) and topic == self.indicator) or self.found_in(normalized_text) or bool(
            self.related_pattern.search(normalized_text))


@dataclass(frozen=True)
class Mention:
    """Where a question names a concept, and whether with one of its phrases (a synonym) or a
    narrower matter."""

    concept: Concept
    start: int
    end: int
    synonym: bool


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
            if not isinstance(value, dict) or not all(isinstance(value.get(k, []), list) for k in ("phrases", "related")):
                raise CorpusError(f"{path}: [concepts.{name!r}] needs lists of phrases (and related)")
            phrases = tuple(dict.fromkeys(norm(p) for p in [name, *value.get("phrases", [])] if norm(p)))
            related = tuple(dict.fromkeys(norm(p) for p in value.get("related", []) if norm(p) and norm(p) not in phrases))
            items.append(Concept.of(name, phrases, str(value.get("indicator", "")), related))
        return cls(tuple(items))

    def mentions(self, text: str) -> tuple[Mention, ...]:
        """The concepts `text` names, longest wording first: a phrase inside a longer one
        (政务服务 inside 12345政务服务便民热线, 贷款 inside 创业担保贷款) is not a mention of its own."""
        normalized = norm(text)
        found: list[Mention] = []
        for concept in self.items:
            for pattern, synonym in ((concept.pattern, True), (concept.related_pattern, False)):
                for m in pattern.finditer(normalized):
                    if _OFFICE.match(normalized, m.end()):
                        continue  # 市场监管局, 政务服务中心: an office's name, not the matter
                    found.append(Mention(concept, m.start(), m.end(), synonym))
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        kept: list[Mention] = []
        for mention in found:
            if any(k.start <= mention.start and mention.end <= k.end for k in kept):
                continue
            kept.append(mention)
        return tuple(sorted(kept, key=lambda m: m.start))

    def in_text(self, text: str) -> tuple[Concept, ...]:
        """The concepts `text` speaks of, in order of mention."""
        out: list[Concept] = []
        for mention in self.mentions(text):
            if mention.concept not in out:
                out.append(mention.concept)
        return tuple(out)
