"""China's administrative tree as the product reads it (`lexicon/china_regions.tsv`) and the names
it never reads as places (`lexicon/region_names.toml`)."""

from __future__ import annotations

import pytest

from assistant.lexicon.region_tree import NATIONAL, admin_regions, not_places


def _by_full() -> dict[str, list]:  # type: ignore[type-arg]
    out: dict[str, list] = {}  # type: ignore[type-arg]
    for r in admin_regions():
        out.setdefault(r.full, []).append(r)
    return out


def test_every_province_city_and_county_hangs_from_national():
    regions = admin_regions()
    names = {r.name for r in regions}
    assert regions[0].name == NATIONAL and regions[0].parent == ""
    assert len(names) == len(regions)  # canonical names are unique
    assert all(r.parent in names for r in regions[1:])
    levels = [r.level for r in regions]
    assert levels.count("province") >= 31 and levels.count("city") >= 300 and levels.count("county") >= 2800


def test_canonical_names_and_aliases():
    full = _by_full()
    (shaanxi,), (xian,), (yanta,) = full["陕西省"], full["西安市"], full["雁塔区"]
    assert (shaanxi.name, shaanxi.parent) == ("陕西", NATIONAL)
    assert (xian.name, xian.parent, xian.aliases) == ("西安", "陕西", ("西安市",))
    assert (yanta.name, yanta.parent) == ("雁塔区", "西安") and "雁塔" in yanta.aliases
    (ganzi,) = full["甘孜藏族自治州"]
    assert ganzi.name == "甘孜" and "甘孜州" in ganzi.aliases
    (yining,) = full["伊宁市"]
    assert yining.name == "伊宁市" and "伊宁" not in yining.aliases  # 伊宁县 too


def test_a_county_name_two_cities_share_is_written_with_its_city():
    changan = {r.parent: r for r in _by_full()["长安区"]}
    assert changan["西安"].name == "西安长安区" and "西安市长安区" in changan["西安"].aliases
    assert changan["石家庄"].name == "石家庄长安区"
    assert all("长安区" not in r.aliases and r.shared for r in changan.values())


@pytest.mark.parametrize("word", ["延长", "公安", "合作", "会同", "资源", "通道", "振兴", "惠民", "同心", "和县"])
def test_ordinary_words_are_not_place_names(word):
    assert word in not_places()
    assert not any(word == r.name or word in r.aliases for r in admin_regions())


def test_a_region_whose_short_name_is_a_word_keeps_its_full_name():
    (yanchang,) = _by_full()["延长县"]
    assert yanchang.name == "延长县" and yanchang.parent == "延安"
    (linxian,) = _by_full()["临县"]
    assert linxian.name == "吕梁临县" and "吕梁市临县" in linxian.aliases  # 临县 alone runs into 莅临县城


@pytest.mark.parametrize("place", ["洛川", "三原", "民勤", "永宁", "雁塔", "泾阳", "靖边", "米东"])
def test_short_names_of_places_stay(place):
    assert any(place in r.aliases for r in admin_regions())
