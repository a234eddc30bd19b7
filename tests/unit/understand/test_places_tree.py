"""A question naming any county or district of the country is scoped to it, its city, its
province and 全国; ordinary words that are also short place names are not places."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.ingest.manifest import load_manifest
from assistant.lexicon.region_tree import admin_regions
from assistant.lexicon.tokenize import Tokenizer
from assistant.understand.regions import Places

ROOT = Path(__file__).resolve().parents[3]
PROVINCES = ("陕西", "甘肃", "宁夏", "新疆")
TEMPLATES = ("{}开办企业需要多长时间？", "在{}办理营业执照要带什么材料？", "{}的不动产登记几天能办完？",
             "我在{}，个体户注册去哪里办？", "{}获得电力报装要几个工作日？")


@pytest.fixture(scope="module")
def places() -> Places:
    manifest = load_manifest(ROOT / "corpus")
    # the index's tokenizer: jieba with the corpus's own region names (not every county's)
    tokenizer = Tokenizer(extra_words=tuple(n for n, _ in manifest.own_names() if len(n) >= 2))
    return Places(manifest, tokenizer.boundaries, tokenizer.starts_word)


def _new_counties(places: Places) -> list[tuple[str, str, str, str]]:
    """(canonical, city, province, a name to write it) of the counties of the four provinces that
    the corpus's own table lacks, 50 of them, the same each run."""
    manifest = places.manifest
    own = {n for n, _ in manifest.own_names()}
    by_name = {r.name: r for r in admin_regions()}
    out = []
    for r in admin_regions():
        if r.level != "county" or r.full in own or r.name in own:
            continue
        city = by_name[r.parent]
        province = by_name[city.parent] if city.level == "city" else city
        if province.name in PROVINCES:
            out.append((r.name, city.name, province.name, r))
    picked = random.Random(20).sample(out, 50)
    rng = random.Random(7)
    return [(name, city, province, rng.choice([r.full, *(a for a in r.aliases if len(a) >= 2)]) if not r.shared
             else r.aliases[0]) for name, city, province, r in picked]


def test_fifty_counties_the_old_list_lacked_are_scoped_to_city_province_and_national(places):
    manifest = places.manifest
    cases = _new_counties(places)
    assert len(cases) == 50 and {p for _n, _c, p, _w in cases} == set(PROVINCES)
    wrong = []
    for i, (name, city, province, written) in enumerate(cases):
        question = TEMPLATES[i % len(TEMPLATES)].format(written)
        place = places.place(tuple(places.regions(question)))
        expected = {name, manifest.region(city).name, manifest.region(province).name, "全国"}
        if place.names != (name,) or not expected <= place.scope:
            wrong.append((question, place.names, sorted(place.scope)))
    assert not wrong, wrong


@pytest.mark.parametrize(("question", "region"), [
    ("雁塔区开办企业要几天？", "雁塔区"), ("长安区的不动产登记在哪办？", "西安长安区"),
    ("三原县获得电力要多久？", "三原县"), ("洛川办营业执照需要什么？", "洛川县"),
    ("民勤县个体户怎么注册？", "民勤县"), ("永宁县的企业开办时限是多少？", "永宁县"),
    ("伊宁市办理施工许可要多久？", "伊宁市"), ("西安市新城区的政务大厅在哪？", "西安新城区"),
])
def test_named_counties(places, question, region):
    assert places.regions(question) == [region]


@pytest.mark.parametrize("question", [
    "延长营业执照有效期需要什么材料？", "公安机关办理户口迁移要多久？", "由谁会同有关部门制定实施细则？",
    "农民专业合作社登记要什么条件？", "资源规划局负责哪些事项？", "绿色通道怎么申请？",
    "乡村振兴有哪些扶持政策？", "惠民政策有哪些？", "市和县两级分别负责什么？", "振兴县域经济的措施有哪些？",
])
def test_ordinary_words_name_no_place(places, question):
    assert places.regions(question) == []
