"""The corpus's own region table merged with the administrative tree under 全国 (`ingest/regions.py`)."""

from __future__ import annotations

from assistant.ingest.manifest import Manifest, Region

OWN = (
    Region("陕西", "", ("陕西省",)), Region("西安", "陕西", ("西安市", "大西安")),
    Region("西咸新区", "西安", ()), Region("泾河新城", "西咸新区", ("泾河", "新城")),
    Region("杨凌", "陕西", ("杨凌示范区",)), Region("甘孜州", "", ("甘孜藏族自治州", "甘孜")),
    Region("西北", "", ()),
)
MANIFEST = Manifest((), OWN)


def test_the_tables_regions_keep_their_names_parents_and_aliases():
    assert MANIFEST.ancestors("新城") == ["泾河新城", "西咸新区", "西安", "陕西", "全国"]
    assert MANIFEST.ancestors("杨凌示范区") == ["杨凌", "陕西", "全国"]
    assert MANIFEST.region("甘孜藏族自治州").name == "甘孜州"  # the table's name, not the tree's 甘孜
    assert MANIFEST.regions == OWN  # the table as written: what a build records


def test_counties_join_under_their_city_and_province():
    assert MANIFEST.ancestors("雁塔区") == ["雁塔区", "西安", "陕西", "全国"]
    assert MANIFEST.ancestors("三原") == ["三原县", "咸阳", "陕西", "全国"]
    assert MANIFEST.ancestors("甘孜县") == ["甘孜县", "甘孜州", "全国"]  # under the table's 甘孜州
    assert MANIFEST.ancestors("民勤县") == ["民勤县", "武威", "甘肃", "全国"]
    assert MANIFEST.ancestors("伊宁市")[1:] == ["伊犁", "新疆", "全国"]


def test_national_is_every_regions_ancestor_but_never_read_from_text():
    assert MANIFEST.ancestors("西北") == ["西北", "全国"]
    assert MANIFEST.ancestors("全国") == ["全国"]
    assert all(region != "全国" for _surface, region in MANIFEST.names())


def test_a_shared_county_name_is_the_one_in_a_city_the_table_lists():
    assert MANIFEST.region("长安区").name == "西安长安区"
    assert MANIFEST.region("石家庄市长安区").name == "石家庄长安区"
    bare = Manifest((), (Region("陕西", "", ()),))  # no city listed: 长安区 alone names neither
    assert bare.region("长安区") is None and bare.region("西安长安区") is not None


def test_own_names_are_the_tables_only():
    own = dict(MANIFEST.own_names())
    assert own["新城"] == "泾河新城" and "雁塔区" not in own
    assert dict(MANIFEST.names())["雁塔区"] == "雁塔区"
