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
