"""One reading of the question on inline data: asks, regions and their scope, concepts, key terms."""

from __future__ import annotations

import pytest

from assistant.ingest.manifest import Manifest, Region
from assistant.lexicon.concepts import Concept, Concepts
from assistant.understand.asks import asking_cue, asking_words, parts, read_asks
from assistant.understand.regions import find_regions, region_names, scope_of
from assistant.understand.terms import KeyTerm

MANIFEST = Manifest((), (
    Region("陕西", "", ("陕西省",)), Region("西安", "陕西", ("西安市", "大西安")),
    Region("西咸新区", "西安", ()), Region("泾河新城", "西咸新区", ("泾河",)),
    Region("宝鸡", "陕西", ()), Region("渭滨区", "宝鸡", ("渭滨",)), Region("宁夏", "", ("宁夏回族自治区",)),
))


@pytest.mark.parametrize(("question", "asked"), [
    ("在西安开公司要多长时间？", ["time_limit"]),
    ("这项工作是哪个部门牵头？", ["department"]),
    ("最晚什么时候要完成？", ["deadline"]),
    ("担保费最多收多少个点？", ["percent"]),
    ("维修人员最迟多长时间能到现场？", ["time_limit"]),
    ("要准备哪些材料？打个电话能不能报装？", ["materials", "conditions"]),
    ("建几个驿站？什么时候建好？", ["count", "deadline"]),
    ("全市一共有几家服务驿站？", ["count"]),
    ("有几个事项能秒批？", ["count"]),
    ("有几个项目可不可以一起报？", ["conditions"]),
    ("省里哪个处室管？有联系电话吗？", ["department", "contact"]),
    ("全省统一用的是哪个APP？", ["platform"]),
    ("预警、分析和通报分别多久做一次？", ["frequency"]),
    ("审批时限压到多少、由哪些部门牵头？", ["time_limit", "department"]),
    ("有几个类型相同的项目，能不能打包办？", ["conditions"]),
    ("营业执照怎么办", ["procedure"]),
    ("这个事是哪个局牵头？", ["department"]),
    ("牵头的是哪个厅？", ["department"]),
    ("哪个局长签字？", ["procedure"]),
    ("各单位的进展报给谁？", ["department"]),
    ("每个月几号前要报？", ["deadline"]),
    ("县里哪家医院能做核磁？", ["procedure"]),  # 哪家 + a noun that is no organisation: that thing is asked
    ("哪个处罚标准更重？", ["procedure"]),
    ("哪个科技企业能申请？", ["procedure"]),
    ("哪家银行能办？", ["procedure"]),
    ("具体是哪家供电单位负责落实的？", ["department"]),
    ("是哪家？", ["department"]),
])
def test_asks(question, asked):
    assert [a.type for a in read_asks(question)] == asked


def test_a_recipient_or_a_date_for_each_period_is_asked_as_such():
    assert read_asks("各单位的进展报给谁？")[0].recipient
    assert not read_asks("哪个部门牵头？")[0].recipient
    assert read_asks("每个月几号前要报？")[0].periodic
    assert not read_asks("几号前要报？")[0].periodic


def test_parts_and_asking_words():
    assert parts("要准备哪些材料？打个电话能不能报装？") == ["要准备哪些材料", "打个电话能不能报装"]
    assert parts("建几个，什么时候建好") == ["建几个", "什么时候建好"]
    assert "能不能" in asking_words("打个电话能不能报装？")
    assert asking_cue("那渭滨区呢？") == "" and asking_cue("牵头单位是谁？") == "牵头单位"


def test_regions_resolve_with_suffixes_and_aliases():
    names = region_names(MANIFEST)
    assert find_regions("西安市开办企业要多久", names) == ["西安"]
    assert find_regions("渭滨区和宁夏回族自治区", names) == ["渭滨区", "宁夏"]
    assert find_regions("大西安都市圈", names) == ["西安"]
    assert find_regions("陕西省的规定", names) == ["陕西"]


def test_a_region_is_answered_by_itself_and_the_regions_containing_it():
    assert scope_of(("西安",), MANIFEST) == {"西安", "陕西", "全国"}  # 全国: nationwide documents apply
    assert "泾河新城" not in scope_of(("西安",), MANIFEST)  # a sub-region's rule is not the city's
    assert "宝鸡" not in scope_of(("渭滨区",), MANIFEST) or "陕西" in scope_of(("渭滨区",), MANIFEST)
    assert scope_of(("泾河新城",), MANIFEST) == {"泾河新城", "西咸新区", "西安", "陕西", "全国"}


def test_concepts_match_the_ways_people_say_them():
    concepts = Concepts((Concept.of("开办企业", ("开办企业", "企业开办", "注册公司", "开公司")),
                         Concept.of("登记财产", ("不动产登记", "抵押登记"))))
    assert [c.name for c in concepts.in_text("在州里注册个公司")] == ["开办企业"]
    assert [c.name for c in concepts.in_text("拿房子做抵押办登记")] == ["登记财产"]
    assert not concepts.in_text("抵押贷款的利率")


def test_a_term_is_found_in_its_word_order_variants():
    term = KeyTerm("开办企业", 3.0)
    assert term.found_in("企业开办时间压减至1个工作日")
    assert not KeyTerm("个人所得税", 5.0).found_in("企业所得税减按15%征收")


def test_an_address_names_its_innermost_region():
    from assistant.understand.regions import innermost

    assert innermost(("宝鸡", "渭滨区"), MANIFEST) == ("渭滨区",)
    assert innermost(("陕西", "西安"), MANIFEST) == ("西安",)
    assert innermost(("西安", "宁夏"), MANIFEST) == ("西安", "宁夏")


def test_a_place_name_inside_a_word_is_not_a_place():
    names = region_names(Manifest((), (Region("新疆", "", ()), Region("哈密", "新疆", ()))))
    text = "哈密瓜怎么种"
    assert find_regions(text, names) == ["哈密"]  # as characters
    assert find_regions(text, names, frozenset({0, 3, 5, 6})) == []  # 哈密瓜|怎么|种
    assert find_regions("哈密市的规定", names, frozenset({0, 2, 3, 4, 6})) == ["哈密"]


def test_a_word_the_documents_never_use_may_be_a_contraction():
    assert KeyTerm("老人", 7.0, contracted=True).found_in("为老年人、残疾人提供陪同办服务")
    assert not KeyTerm("老人", 7.0).found_in("为老年人、残疾人提供陪同办服务")  # a corpus word is matched as written
    assert not KeyTerm("老人", 7.0, contracted=True).found_in("老旧小区改造，人居环境")


def test_dense_search_ignores_one_character_particles():
    from assistant.understand.query import without_particles as _without_particles

    # the same characters, whichever particle joins them
    assert sorted(_without_particles("市场监管在嘉峪关")) == sorted(_without_particles("嘉峪关的市场监管"))
    assert "在" not in _without_particles("在西安开公司") and "的" not in _without_particles("西安的规定")


def test_a_rate_price_or_year_asked_narrows_what_answers():
    from assistant.models import Fact
    from assistant.understand.asks import read_asks

    (rate,) = read_asks("担保费率是多少？")
    assert rate.type == "percent" and rate.fact_types == ("percent",)  # a rate is never a sum of money
    (fee,) = read_asks("登记费收多少钱？")
    assert fee.fact_types == ("amount",)
    (subsidy,) = read_asks("创业补贴给多少？")
    assert set(subsidy.fact_types) == {"amount", "percent"}  # either may answer
    (gas,) = read_asks("天然气多少钱一方？")
    assert gas.unit == "立方米"
    assert gas.fits(Fact("amount", "2.5元/立方米", "2.5元/立方米"))
    assert not gas.fits(Fact("amount", "0.39元/千瓦时", "0.39元/千瓦时"))
    assert not gas.fits(Fact("amount", "300万元", "300万元"))  # a sum is no price per unit
    assert read_asks("一方面要交多少钱？")[0].unit == ""
    first, second = read_asks("2025年整合率要到多少？2026年呢？")
    assert first.years == ("2025",) and second.years == ("2026",)
    assert read_asks("今年开办企业要几天？")[0].years == ()


def test_the_unit_a_time_limit_is_asked_in_is_no_subject():
    assert "小时" in asking_words("企业纳税时间要压到多少小时？")
    assert "工作日" not in asking_words("工作日怎么算？")  # no time-limit ask: a word of the subject


@pytest.mark.parametrize(("question", "container"), [
    ("重点事项清单里都有哪些事项？", "清单"),
    ("目录中一共有几项？", "目录"),
    ("负面清单管理是什么意思？", ""),
    ("权责清单怎么调整？", ""),
])
def test_a_list_whose_entries_are_asked(question, container):
    assert read_asks(question)[0].container == container


def test_each_of_several_values_is_asked_as_such():
    assert read_asks("这两件事分别定在什么时候前完成？")[0].each
    assert not read_asks("什么时候前完成？")[0].each
