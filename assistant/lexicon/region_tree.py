"""China's administrative tree as data: `china_regions.tsv` (made by scripts/make_region_tree.py
from jionlp's china_location, Apache-2.0) and `region_names.toml` (names that are ordinary words),
read once per process.

`admin_regions()` gives every province, city and county/district with a canonical name and the
names that write it, under `NATIONAL` (全国), the level of documents that apply everywhere:

- a province or city is called by its short name when it has one (陕西, 西安, 甘孜); a county or
  district by its full name (雁塔区, 三原县, 伊宁市), or, when two counties share it (长安区 of
  西安 and of 石家庄) or it is an ordinary word (临县), by its city and full name (西安长安区,
  西安市长安区);
- its other names are its full name and its safe short names (三原, 洛川, 甘孜州), less the
  names of `region_names.toml` (延长, 公安, 合作 …).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NATIONAL = "全国"
LEVELS = ("national", "province", "city", "county")
TSV = Path(__file__).with_name("china_regions.tsv")
STOPS = Path(__file__).with_name("region_names.toml")


@dataclass(frozen=True)
class AdminRegion:
    name: str  # canonical: 陕西, 西安, 雁塔区, 西安长安区
    parent: str  # the canonical name of the region containing it; "" for NATIONAL only
    level: str  # national | province | city | county
    full: str  # the official name: 陕西省, 西安市, 长安区
    aliases: tuple[str, ...]  # other names that write it alone (full name, short names)
    shared: bool = False  # its full name is another county's too (长安区): not among `aliases`


@cache
def not_places() -> frozenset[str]:
    """Names of the tree that are read as ordinary words, never as places."""
    data = tomllib.loads(STOPS.read_text(encoding="utf-8"))
    return frozenset(str(w) for w in data.get("not_places", ()))


@cache
def fingerprint() -> str:
    """What the tree depends on: its two data files (for caches of what was read with it)."""
    digest = hashlib.sha256(TSV.read_bytes())
    digest.update(STOPS.read_bytes())
    return digest.hexdigest()[:16]


def _rows() -> list[tuple[str, str, str, list[str]]]:
    rows = []
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        _code, province, city, county, shorts = (line.split("\t") + [""] * 5)[:5]
        rows.append((province, city, county, [s for s in shorts.split(",") if s]))
    return rows


@cache
def admin_regions() -> tuple[AdminRegion, ...]:
    """全国, then every province, city and county of the tree, each parent before its children."""
    stops = not_places()
    rows = _rows()
    county_names = Counter(county for _p, _c, county, _s in rows if county)
    canonical: dict[tuple[str, str, str], str] = {}
    fulls: dict[str, str] = {NATIONAL: NATIONAL}  # canonical → full name
    out = [AdminRegion(NATIONAL, "", "national", NATIONAL, ())]
    # provinces, then cities, then counties: a parent's canonical name is known before its children
    for level in LEVELS[1:]:
        for province, city, county, shorts in rows:
            kind = "county" if county else "city" if city else "province"
            if kind != level:
                continue
            full = county or city or province
            parent = (NATIONAL if kind == "province" else
                      canonical[(province, "", "")] if kind == "county" and not city or kind == "city" else
                      canonical[(province, city, "")])
            usable = [s for s in shorts if s not in stops]
            shared = kind == "county" and county_names[county] > 1
            if kind == "county":
                name = f"{parent}{full}" if shared or full in stops else full
            else:
                name = usable[0] if usable else full
            canonical[(province, city, county)] = name
            fulls[name] = full
            names = [f"{fulls[parent]}{full}"] if shared or full in stops else [full]
            names += usable
            out.append(AdminRegion(name, parent, kind, full, tuple(n for n in dict.fromkeys(names) if n != name),
                                   shared))
    return tuple(out)
