import re

from assistant.lexicon.patterns import doc_number_group, field_name_group, words


def test_field_lines_are_found_by_their_names() -> None:
    line = re.compile(field_name_group() + r"\s*[：:]\s*([^；;\n]+)")
    text = "推行容缺受理。\n牵头单位：市政务服务局\n完成时间：2023年底前"
    assert [m.groups() for m in line.finditer(text)] == [("牵头单位", "市政务服务局")]
    assert re.match(field_name_group(variants=True), "完成时间：2023年底前")


def test_doc_numbers_strict_and_loose() -> None:
    strict = re.compile(r"^\s*" + doc_number_group(loose=False) + r"\s*$")
    loose = re.compile(doc_number_group(loose=True))
    assert strict.match(" 市政办函〔2024〕60号 ").group(1) == "市政办函〔2024〕60号"
    assert not strict.match("市政办函[2024]60号")
    assert loose.search("印发：市政办函[2024]60号，").group(1) == "市政办函[2024]60号"
    assert not loose.search("市政办函〔2024〕12345号")


def test_words_come_in_file_order_and_a_missing_list_is_named() -> None:
    assert words("field_line", "names")[0] == "牵头单位"
    try:
        words("field_line", "nothing")
    except KeyError as exc:
        assert "[field_line] nothing" in str(exc)
    else:
        raise AssertionError("a missing list must raise")


def test_guards_keep_a_word_from_matching_inside_another() -> None:
    from assistant.lexicon.patterns import guarded

    classifier = re.compile(guarded("count", "classifiers"))
    assert classifier.match("个窗口") and not classifier.match("个 月")  # 个 guards across spaces
    assert classifier.match("人次") and not classifier.match("人民")
    assert classifier.match("次") and not classifier.match("次年") and not classifier.match("次全会")
    cue = re.compile(guarded("material", "cues"))
    assert [m.group(0) for m in cue.finditer("所需材料，需求清单，需提交")] == ["需", "提交"]


def test_runs_of_single_characters_become_one_class() -> None:
    from assistant.lexicon.patterns import _one_of

    assert _one_of(["日", "年", "全会"]) == "[日年]|全会"
    assert _one_of(["一体", "数"]) == "一体|数"
    assert _one_of(["月", "工作日", "周"]) == "月|工作日|周"


def test_tables_keep_file_order() -> None:
    from assistant.lexicon.patterns import table

    assert list(table("time", "unit_names"))[:3] == ["工作日", "小时", "天"]
    assert table("qualifiers", "count_bounds")["不少于"] == ">="
    assert table("time", "nothing") == {}
