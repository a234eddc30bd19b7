"""Write assistant/lexicon/china_regions.tsv, China's administrative tree (province, city,
county/district) with the short names that are safe to match, from jionlp's china_location data
(Apache-2.0, https://github.com/dongrixinyu/JioNLP). The product reads the tsv; it never imports
jionlp. Run again when the package's data is updated:

    pip install jionlp   (or: pip download jionlp --no-deps, then --source the wheel)
    python scripts/make_region_tree.py [--source jionlp-….whl | china_location.zip | .txt]

A short name (三原 for 三原县, 甘孜 and 甘孜州 for 甘孜藏族自治州) is kept only when it has two
characters or more, is no other region's full name, and the region is the only one of the highest
level to have it (吉林 is the province, not the city; 伊宁 is neither 伊宁市 nor 伊宁县). Words
that are also ordinary words (公安, 合作) are dropped at load time by
assistant/lexicon/region_names.toml, not here.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import logging
import re
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("make_region_tree")

OUT = Path(__file__).resolve().parents[1] / "assistant" / "lexicon" / "china_regions.tsv"
LEVELS = ("province", "city", "county")
# Names that only group regions: their counties hang from the province itself.
DIRECT = ("省直辖行政区划", "自治区直辖县级行政区划", "省直辖县级行政区划")
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
# Endings stripped for a short name, longest first (the jionlp alias is a candidate too).
ENDINGS = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "自治州", "自治县", "自治旗",
           "地区", "林区", "省", "市", "区", "县", "盟", "旗")


@dataclass
class Place:
    code: str
    level: str
    province: str
    city: str
    county: str
    candidates: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.county or self.city or self.province


def _source_text(source: Path | None) -> str:
    if source is None:
        spec = importlib.util.find_spec("jionlp")  # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit("jionlp is not installed: pip install jionlp, or give --source")
        source = Path(next(iter(spec.submodule_search_locations))) / "dictionary" / "china_location.zip"
    data = source.read_bytes()
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            data = wheel.read("jionlp/dictionary/china_location.zip")
    elif source.suffix != ".zip":
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("china_location.txt").decode("utf-8")


# Zones named by what they are, not by a place: no short name is cut from them.
ZONES = re.compile(r"(开发区|园区|新区|试验区|示范区|合作区|食品区|管理区|工业区|实验区|保税区|港区)$")


def _strip(name: str) -> list[str]:
    out: list[str] = []
    if ZONES.search(name) or "族自治" in name:
        return out
    for ending in ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            out.append(name[: -len(ending)])
            break
    return out


PEOPLES = ("哈萨克", "柯尔克孜", "塔吉克", "锡伯", "蒙古", "维吾尔", "朝鲜", "土家", "布依", "傈僳", "纳西",
           "哈尼", "景颇", "仡佬", "拉祜", "佤", "傣", "藏", "回", "苗", "彝", "壮", "侗", "瑶", "白", "黎", "羌",
           "畲", "水", "土", "满", "怒", "独龙", "普米", "撒拉", "东乡", "保安", "裕固", "达斡尔", "鄂温克",
           "鄂伦春", "仫佬", "毛南", "布朗", "阿昌", "基诺", "德昂", "门巴", "珞巴", "赫哲", "俄罗斯", "乌孜别克",
           "塔塔尔", "京", "高山")
_PEOPLE = re.compile("(?:" + "|".join(sorted(PEOPLES, key=len, reverse=True)) + ")族")


def _minority_stem(name: str) -> str:
    """甘孜 of 甘孜藏族自治州, 德宏 of 德宏傣族景颇族自治州: the words before the first people's name."""
    if "族自治" not in name:
        return ""
    for m in _PEOPLE.finditer(name):
        if m.start() >= 2:
            return name[: m.start()]
    return ""


def parse(text: str) -> list[Place]:
    """Province, city and county lines of china_location.txt (a tab per level; towns skipped)."""
    places: list[Place] = []
    province = city = ""
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if not parts[0] or depth > 2:
            continue
        name, code = parts[0], parts[1] if len(parts) > 1 else ""
        alias = parts[2] if len(parts) > 2 else ""
        if depth == 0:
            province, city = name, ""
            place = Place(code, "province", province, "", "")
        elif depth == 1:
            city = "" if name in DIRECT or name == province or province in MUNICIPALITIES else name
            if not city:
                continue
            place = Place(code, "city", province, city, "")
        else:
            place = Place(code, "county", province, city, name)
        place.candidates = [c for c in dict.fromkeys([alias, *_strip(name), _minority_stem(name)])
                            if c and c != name and len(c) >= 2 and not c.endswith("族")]
        if name.endswith("自治州") and (stem := _minority_stem(name)):
            place.candidates = list(dict.fromkeys([*place.candidates, stem + "州"]))  # 甘孜州: as they are called
        places.append(place)
    return places


def safe_short_names(places: list[Place]) -> dict[int, list[str]]:
    """Per place (by position): its short names that name it alone."""
    full = defaultdict(set)
    for i, p in enumerate(places):
        full[p.name].add(i)
    having: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(places):
        for c in p.candidates:
            having[c].append(i)
    out: dict[int, list[str]] = defaultdict(list)
    for short, owners in having.items():
        if full.get(short, set()) - set(owners):
            continue  # another region's full name
        top = min(LEVELS.index(places[i].level) for i in owners)
        first = [i for i in owners if LEVELS.index(places[i].level) == top]
        if len(first) == 1:
            out[first[0]].append(short)
    return out


def write(places: list[Place], shorts: dict[int, list[str]], out: Path) -> None:
    lines = ["# China's administrative divisions: province, city, county/district, safe short names.",
             "# Made by scripts/make_region_tree.py from jionlp's china_location data (Apache-2.0).",
             "code\tprovince\tcity\tcounty\tshort_names"]
    for i, p in enumerate(places):
        names = [c for c in p.candidates if c in shorts.get(i, [])]
        lines.append("\t".join([p.code, p.province, p.city, p.county, ",".join(names)]))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="jionlp wheel, china_location.zip or .txt")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    places = parse(_source_text(args.source))
    shorts = safe_short_names(places)
    write(places, shorts, args.out)
    counts = {level: sum(p.level == level for p in places) for level in LEVELS}
    log.info("%s: %s, %d short names", args.out, counts, sum(len(v) for v in shorts.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
