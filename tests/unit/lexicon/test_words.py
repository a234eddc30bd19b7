"""The language data (assistant/lexicon/words.toml): it loads, every list is filled, every pattern
built from it compiles, and each mechanism reads a small inline text as it should."""

from __future__ import annotations

import dataclasses
import re
import tomllib

import pytest

import assistant.ingest.facts.duties as facts_departments
from assistant.answer import passages
from assistant.lexicon import text as text_mod
from assistant.lexicon.text import SourceLine, heading_rank, nfkc_aligned, repair_lines
from assistant.lexicon.tokenize import QUERY_FILLERS
from assistant.lexicon.words import PATH, Words, either, fragments, one_of, parse, words
from assistant.understand import asks, conversation, regions, terms
from assistant.understand import query as query_mod
from assistant.understand.asks import FACT_TYPES, read_asks
from assistant.understand.conversation import FollowUpResolver
from assistant.understand.query import _listed


def test_every_section_and_list_is_filled() -> None:
    data = tomllib.loads(PATH.read_text(encoding="utf-8"))
    for section in ("ask", "fillers", "follow_up", "regions", "terms", "enumeration", "headings",
                    "departments", "units"):
        assert data[section], section
    loaded = words()
    for field in dataclasses.fields(Words):
        assert getattr(loaded, field.name), field.name


def test_ask_types_are_known_and_labelled() -> None:
    loaded = words()
    kinds = [kind for kind, _cues in loaded.ask_cues]
    assert set(kinds) <= set(FACT_TYPES) and "procedure" not in kinds
    assert set(loaded.ask_cue_tails) <= set(kinds)
    assert set(loaded.ask_labels) == set(FACT_TYPES)


def test_every_fragment_and_built_pattern_compiles() -> None:
    loaded = words()
    for kind, cues in loaded.ask_cues:
        for cue in (*cues, *loaded.ask_cue_tails.get(kind, ())):
            re.compile(cue)
    for numbering in loaded.heading_numbering:
        re.compile(numbering)
    built = [p for _k, p in asks._COMPILED] + [p for _r, p in text_mod.HEADING_PATTERNS] + [
        asks._PROCEDURE, conversation._LEAD, conversation._TAIL, conversation._ANAPHORA, conversation._ELLIPTICAL,
        regions._TAIL, terms._MODAL, text_mod.FIELD_LINE, facts_departments._department_pattern(), passages._ITEM_LINE,
        facts_departments._frequency_pattern(), query_mod._PARTICLES]
    assert all(isinstance(p, re.Pattern) and p.pattern for p in built)


def test_an_empty_list_is_refused_with_its_name() -> None:
    data = tomllib.loads(PATH.read_text(encoding="utf-8"))
    data["follow_up"]["anaphora"] = []
    with pytest.raises(ValueError, match=r"\[follow_up\] anaphora"):
        parse(data)


def test_builders() -> None:
    assert either(("那么", "那")) == "那么|那"
    assert either(("a.b",)) == r"a\.b"
    assert fragments(("(报给|交给)谁", "由谁")) == "(报给|交给)谁|由谁"
    assert one_of(("市", "省")) == "[市省]"
    with pytest.raises(ValueError):
        one_of(("新区",))


def test_ask_cues_tails_and_precedence() -> None:
    assert [a.type for a in read_asks("开办企业要多久？")] == ["time_limit"]
    assert [a.type for a in read_asks("最迟多长时间办好？")] == ["time_limit"]  # 最迟 yields to the time limit
    assert [a.type for a in read_asks("最迟哪天办好？")] == ["deadline"]
    department = read_asks("这件事谁来负责？")[0]
    assert (department.type, department.cue) == ("department", "谁来负责")  # the cue takes its tail
    procedure = read_asks("营业执照如何办理？")[0]
    assert (procedure.type, procedure.cue) == ("procedure", "如何")
    assert asks.LABELS["time_limit"] == "办理时限"


def test_follow_up_lead_tail_anaphora_and_asking_words() -> None:
    assert FollowUpResolver.core("那渭滨区呢？") == "渭滨区"
    assert FollowUpResolver.core("如果是个体户的话呢？") == "个体户"
    assert FollowUpResolver.core("还有获得电力吗") == "获得电力"
    assert conversation._ANAPHORA.search("这个什么时候要完成？")
    assert not conversation._ANAPHORA.search("开办企业要多久？")
    assert conversation._ELLIPTICAL.search("个体户的话")
    assert {"牵头单位", "完成时限", "依据"} <= conversation.ASKING_WORDS


def test_fillers_and_particles() -> None:
    assert {"吗", "请问", "多少"} <= QUERY_FILLERS
    assert not {"应当", "不得", "以上", "以下", "前"} & QUERY_FILLERS  # words with legal meaning stay
    assert query_mod.without_particles("在西安的企业") == "西安企业"


def test_region_suffixes_and_tails() -> None:
    assert "自治区" in regions.SUFFIXES
    assert regions.region_tail("兰州新区", 2) and regions.region_tail("西安市", 2)
    assert not regions.region_tail("哈密瓜", 2)


def test_modal_fragments_and_function_words() -> None:
    assert terms._discount("能办", df_rare=True) == 0.0
    assert terms._MODAL.match("不用") and not terms._MODAL.match("营业")
    assert "d" in terms._FUNCTION_FLAGS


def test_listed_items() -> None:
    text = "营业执照、刻章和社保登记"
    assert _listed(text, 5, 7)  # 刻章: 、 before it
    assert _listed(text, 0, 4)  # 营业执照: 、 after it
    assert not _listed("社保登记怎么办", 0, 4)


def test_headings_and_field_lines() -> None:
    assert heading_rank("一、总体要求") == 1
    assert heading_rank("第三条 适用范围") == 2
    assert heading_rank("（三）优化服务") == 3
    assert heading_rank("2. 压缩时限") == 4
    assert heading_rank("(1) 网上办理") == 5
    lines = [SourceLine(1, "推进企业开办全程网办", None), SourceLine(2, "完成时间：2024年底", None)]
    assert len(repair_lines(lines, pdf=True)) == 2  # a field line never joins the line before


def _departments(text: str) -> tuple:
    return facts_departments.departments(text, nfkc_aligned(text))


def test_departments_item_lines_and_frequencies() -> None:
    found = [f.value for f in _departments("由市人社局负责，市政务办牵头。")]
    assert found == ["市人社局", "市政务办"]
    assert not _departments("请联系市人社局长。")  # a title, not a department
    assert [f.value for f in _departments("（审批服务处，张三，88880000）")] == ["审批服务处"]
    text = "推进企业开办\n牵头单位：市人社局\n完成时间：2024年底"
    assert [text[s:e] for s, e in passages.item_lines(text)] == ["牵头单位：市人社局"]
    assert [f.value for f in facts_departments.frequencies("每季度调度一次，一月一报，周通报。", "每季度调度一次，一月一报，周通报。")] == ["每季度", "一月一报", "周通报"]
