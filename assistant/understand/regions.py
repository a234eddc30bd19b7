"""Places in a question: region names found in text, resolved in the region tree, and the scope
they allow. Used by the one reading of a question (`query.py`) and by follow-ups."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from assistant.ingest.manifest import Manifest
from assistant.lexicon.text import norm
from assistant.lexicon.words import either, one_of, words

SUFFIXES: tuple[str, ...] = words().region_suffixes
# What may follow a place name inside one word: its level (西安市), a district of it (兰州新区).
_CHARS = tuple(t for t in words().region_name_tails if len(t) == 1)
_TAIL = re.compile("|".join(([one_of(_CHARS)] if _CHARS else [])
                            + [either(tuple(t for t in words().region_name_tails if len(t) > 1))]))


@dataclass(frozen=True)
class Mention:
    start: int  # offsets into the normalised text
    end: int
    surface: str  # the name as written (normalised)
    region: str  # its canonical region


def region_names(manifest: Manifest, own: bool = False) -> list[tuple[str, str]]:
    """(surface form, region) pairs, longest first: names, aliases, and each with its 市/省/区/县
    suffix, so 渭滨区, 西安市 and 宁夏回族自治区 all resolve. The whole tree (every county of the
    country), or with `own` the corpus's own table only."""
    pairs = dict(manifest.own_names() if own else manifest.names())
    for surface, region in list(pairs.items()):
        for suffix in SUFFIXES:
            if not surface.endswith(suffix):
                pairs.setdefault(surface + suffix, region)
    return sorted(pairs.items(), key=lambda p: -len(p[0]))


def region_tail(text: str, end: int) -> bool:
    return bool(_TAIL.match(text, end))


def mentions(text: str, names: list[tuple[str, str]], boundaries: frozenset[int] | None = None,
             starts_word: Callable[[str, int], bool] | None = None) -> list[Mention]:
    """Place names in `text` (normalised), in order, the longest name at each place. With the
    text's word `boundaries` (and a test of whether a word starts at a position), a name that ends
    inside a word (哈密 in 哈密瓜) is not a place; one followed by a word (成都|房产) is."""
    return _mentions(text, _lookup(tuple(names)), boundaries, starts_word)


Lookup = tuple[dict[str, tuple[int, ...]], dict[str, str]]


def _mentions(text: str, prepared: Lookup, boundaries: frozenset[int] | None,
              starts_word: Callable[[str, int], bool] | None) -> list[Mention]:
    lengths, lookup = prepared
    normalized = norm(text)

    def ends_a_word(end: int) -> bool:
        return (boundaries is None or end in boundaries or region_tail(normalized, end)
                or (starts_word is not None and starts_word(normalized, end)))

    out: list[Mention] = []
    i = 0
    while i < len(normalized):
        # the longest name at each place, leftmost first, as an alternation longest-first finds them
        longest = next((n for n in lengths.get(normalized[i], ()) if normalized[i : i + n] in lookup), 0)
        if not longest:
            i += 1
            continue
        # The longest name that ends where a word ends: 天水 in 天水市场监管, not 天水市.
        size = longest if ends_a_word(i + longest) else next(
            (n for n in lengths[normalized[i]] if n < longest and normalized[i : i + n] in lookup
             and ends_a_word(i + n)), 0)
        if size:
            surface = normalized[i : i + size]
            out.append(Mention(i, i + size, surface, lookup[surface]))
        i += longest
    return out


def find_regions(text: str, names: list[tuple[str, str]], boundaries: frozenset[int] | None = None,
                 starts_word: Callable[[str, int], bool] | None = None) -> list[str]:
    """The regions named in `text`, each once, in order of appearance."""
    return list(dict.fromkeys(m.region for m in mentions(text, names, boundaries, starts_word)))


@lru_cache(maxsize=8)
def _lookup(names: tuple[tuple[str, str], ...]) -> Lookup:
    """The lengths of the names each character begins, longest first, and each normalised name's
    region (the first pair wins)."""
    found: dict[str, str] = {}
    for surface, region in names:
        if surface:
            found.setdefault(norm(surface), region)
    starts: dict[str, set[int]] = {}
    for surface in found:
        starts.setdefault(surface[0], set()).add(len(surface))
    return {c: tuple(sorted(n, reverse=True)) for c, n in starts.items()}, found


def innermost(regions: tuple[str, ...], manifest: Manifest) -> tuple[str, ...]:
    """An address names its region from the outside in (陕西省西安市, 宝鸡渭滨区): a region that
    contains another named region only locates it."""
    return tuple(r for r in regions if not any(r != o and r in manifest.ancestors(o) for o in regions))


def scope_of(regions: tuple[str, ...], manifest: Manifest) -> frozenset[str]:
    """The regions whose documents may answer for `regions`: each and every region containing it."""
    return frozenset(r for name in regions for r in manifest.ancestors(name))


@dataclass(frozen=True)
class Place:
    """The regions a question is about, in one value: their canonical `names` (from the question,
    its conversation or a filter), the `scope` whose documents may answer (empty: any), the `words`
    that write them (西安, 西安市 …, normalised), and whether a filter, not the question, named them."""

    names: tuple[str, ...] = ()
    scope: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()
    from_filter: bool = False
    assumed: bool = False  # the deployment's home region, for a question that names none

    @property
    def label(self) -> str:
        return "、".join(self.names)

    def allows(self, region: str) -> bool:
        return not self.scope or region in self.scope


class Places:
    """The region names of one index and the one way they are found in text (`mentions`), with the
    text's word boundaries from the index's tokenizer."""

    def __init__(self, manifest: Manifest, boundaries: Callable[[str], frozenset[int]] | None = None,
                 starts_word: Callable[[str, int], bool] | None = None) -> None:
        self.manifest = manifest
        self.names = region_names(manifest)  # longest first, with 市/省/区/县 forms
        # The corpus's own names: what a typo may stand for, and what is a place inside a word.
        self.own_names = region_names(manifest, own=True)
        self._prepared = _lookup(tuple(self.names))
        self._surfaces: dict[str, list[str]] = {}
        for surface, region in self.names:
            self._surfaces.setdefault(region, []).append(norm(surface))
        self._boundaries = boundaries
        self._starts_word = starts_word

    def mentions(self, text: str) -> list[Mention]:
        boundaries = self._boundaries(norm(text)) if self._boundaries is not None else None
        return _mentions(text, self._prepared, boundaries, self._starts_word)

    def regions(self, text: str) -> list[str]:
        """The regions named in `text`, each once, in order of appearance."""
        return list(dict.fromkeys(m.region for m in self.mentions(text)))

    def place(self, named: tuple[str, ...], from_filter: bool = False) -> Place:
        """The `Place` of the regions named: an address names its innermost region."""
        names = innermost(named, self.manifest)
        words = tuple(sorted((s for r in names for s in self._surfaces.get(r, ())), key=len, reverse=True))
        return Place(names, scope_of(names, self.manifest), words, from_filter)
