"""The region tree of a corpus: its own `[regions]` table (泾河新城, 西咸新区, 西北 …) merged with
China's administrative tree (`lexicon.region_tree`), under 全国.

- A region of the table that the administrative tree also has (its name or an alias is the tree
  region's full or canonical name: 西安 / 西安市) is one region: the table's name, parent and
  aliases win; the tree adds its other names and its counties (雁塔区, 长安区 …).
- Every other region of the tree joins under its parent; a name the table gives another region
  stays the table's (新城 is 泾河新城).
- A county name two cities share (长安区) names the one whose city the table lists (西安), if one.
- 全国 is the root: a region of the table with no parent (陕西, 西北) is under it, so that a
  nationwide document answers for every region. 全国 is never read from text by its name (全国一体化
  平台 says nothing of where a question applies).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from assistant.lexicon.region_tree import NATIONAL, admin_regions


@dataclass(frozen=True)
class Region:
    name: str
    parent: str
    aliases: tuple[str, ...]


class RegionTree:
    """Regions by name: canonical names and aliases resolve, ancestors run up to 全国. `own` is the
    corpus's own table as written."""

    def __init__(self, regions: tuple[Region, ...], own: tuple[Region, ...] = ()) -> None:
        self.regions = regions
        self.own = own
        self._by_name: dict[str, Region] = {}
        for region in regions:
            self._by_name.setdefault(region.name, region)
        for region in regions:
            for alias in region.aliases:
                self._by_name.setdefault(alias, region)

    def region(self, name: str) -> Region | None:
        return self._by_name.get(name)

    def ancestors(self, name: str) -> list[str]:
        """The region and every region that contains it, innermost first (全国 last)."""
        out: list[str] = []
        region = self.region(name)
        while region is not None and region.name not in out:
            out.append(region.name)
            region = self.region(region.parent) if region.parent else None
        return out

    @cached_property
    def names(self) -> tuple[tuple[str, str], ...]:
        """(surface form, region) pairs, longest first; 全国 is not read from text."""
        pairs = {name: region.name for name, region in self._by_name.items() if region.name != NATIONAL}
        return tuple(sorted(pairs.items(), key=lambda p: -len(p[0])))

    @cached_property
    def own_names(self) -> tuple[tuple[str, str], ...]:
        """The (surface form, region) pairs of the corpus's own table, longest first."""
        pairs = [(r.name, r.name) for r in self.own] + [(a, r.name) for r in self.own for a in r.aliases]
        return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@lru_cache(maxsize=16)
def merged_tree(declared: tuple[Region, ...]) -> RegionTree:
    """The corpus's table merged with the administrative tree (see the module docstring)."""
    admin = admin_regions()
    own: dict[str, Region] = {}
    for region in declared:
        own.setdefault(region.name, region)
    surfaces: dict[str, str] = {}
    for region in own.values():
        surfaces.setdefault(region.name, region.name)
    for region in own.values():
        for alias in region.aliases:
            surfaces.setdefault(alias, region.name)
    # the canonical name of each tree region in the merged tree
    canon: dict[str, str] = {}
    for a in admin:
        same = surfaces.get(a.full) or surfaces.get(a.name)
        canon[a.name] = same or a.name
    # a county name two cities share: the one whose city the table lists
    by_full: dict[str, list[str]] = {}
    for a in admin:
        if a.shared:
            by_full.setdefault(a.full, []).append(a.name)
    parents = {a.name: a.parent for a in admin}
    preferred = {}
    for full, names in by_full.items():
        listed = [n for n in names if canon.get(parents[n], "") in own and own[canon[parents[n]]].parent]
        if len(listed) == 1 and full not in surfaces:
            preferred[listed[0]] = full
    extra: dict[str, list[str]] = {}
    added: list[Region] = []
    for a in admin:
        name = canon[a.name]
        names = [n for n in (a.name, *a.aliases, preferred.get(a.name, "")) if n and n not in surfaces]
        for n in names:
            surfaces[n] = name
        if name in own:
            extra.setdefault(name, []).extend(n for n in names if n != name)
        else:
            parent = canon.get(a.parent, a.parent)
            added.append(Region(name, parent, tuple(n for n in names if n != name)))
    merged = tuple(
        Region(r.name, r.parent or (NATIONAL if r.name != NATIONAL else ""), (*r.aliases, *extra.get(r.name, ())))
        for r in own.values()
    )
    return RegionTree((*merged, *added), declared)
