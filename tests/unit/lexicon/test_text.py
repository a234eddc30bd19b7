from assistant.lexicon.text import (
    SourceLine,
    clean_markup,
    clean_name,
    heading_label,
    heading_rank,
    norm,
    read_lines,
    repair_lines,
)


def lines(*texts: str, page: int | None = None) -> list[SourceLine]:
    return [SourceLine(i + 1, t, page) for i, t in enumerate(texts)]


def test_norm_is_nfkc_without_whitespace():
    assert norm("２０２３ 年６ 月") == "2023年6月"
    assert norm("（一）ＡＢＣ") == "(一)abc"


def test_clean_markup_keeps_text():
    assert clean_markup("1. **推进企业开办**。") == "1. 推进企业开办。"
    assert clean_markup("<b>一、全链条优化审批</b>") == "一、全链条优化审批"


def test_heading_ranks_nest():
    assert heading_rank("一、总体要求") == 1
    assert heading_rank("（一）提升效率") > heading_rank("一、总体要求")
    assert heading_rank("1. 推进") > heading_rank("（一）提升效率")
    assert heading_rank("（1）细化") > heading_rank("1. 推进")
    assert heading_rank("2023 年底前，建立") == 0
    assert heading_label("（十二）优化") == "(十二)"


def test_read_lines_drops_page_markers_and_keeps_pages():
    parsed = read_lines("# Page 7:\n第一行\n# Page 8:\n第二行")
    assert [(ln.number, ln.text, ln.page) for ln in parsed] == [(2, "第一行", 7), (4, "第二行", 8)]


def test_pdf_lines_broken_mid_sentence_are_joined():
    paras = repair_lines(lines("2023 年底前，建立跨部门综合监管重点事项清单管理和动态更新机制，在部分领域开", "展跨部门综合监管试点。",
                               "（二）", "建立健全制度机制。"), pdf=True)
    assert [p.text for p in paras] == [
        "2023 年底前，建立跨部门综合监管重点事项清单管理和动态更新机制，在部分领域开展跨部门综合监管试点。",
        "（二）建立健全制度机制。",
    ]
    assert (paras[0].line_start, paras[0].line_end) == (1, 2)


def test_text_heading_broken_over_blank_line_is_joined():
    paras = repair_lines(lines("(三) 践行“沉浸式”体验，实施工程建设项目4.0系统“腾", "", "笼换鸟”计划", "37. 实现事项。"), pdf=False)
    assert paras[0].text == "(三) 践行“沉浸式”体验，实施工程建设项目4.0系统“腾笼换鸟”计划"
    assert paras[1].text == "37. 实现事项。"


def test_text_field_lines_stay_separate():
    paras = repair_lines(lines("1. 压减用电报装时间。", "", "牵头单位：发展运行部", "", "完成时限：2023年9月底前"), pdf=False)
    assert [p.text for p in paras] == ["1. 压减用电报装时间。", "牵头单位：发展运行部", "完成时限：2023年9月底前"]


def test_names_are_cleaned_of_invisible_characters():
    for hidden in ("\u200b", "\u200c", "\u200d", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c",
                   "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"):
        assert clean_name(f"{hidden}西{hidden}安{hidden}") == "西安", hex(ord(hidden))
    assert clean_name("  西安\u3000\t") == "西安"  # ideographic space and a tab trimmed
    assert clean_name("西安（高新区）") == "西安(高新区)"  # NFKC
    assert clean_name("\u200b \u200f") == ""
    for hidden in ("\u2060", "\u061c", "\u00ad", "\u180e", "\ufe0f", "\U000e0101", "\U000e0041", "\u3164"):
        assert clean_name(f"西{hidden}安{hidden}") == "西安", hex(ord(hidden))
    assert clean_name("雁塔区") == "雁塔区"


def test_traditional_characters_compare_as_simplified_and_quotes_keep_them():
    from assistant.lexicon.text import norm, simplified
    from assistant.lexicon.tokenize import Tokenizer

    assert simplified("陝西省優化營商環境條例") == "陕西省优化营商环境条例"
    assert norm("營業執照 辦理") == norm("营业执照办理") == "营业执照办理"
    assert simplified("西安市 ABC") == "西安市 ABC"  # simplified text is left as it is
    tokens = Tokenizer()
    assert {"营业执照", "工作日"} <= set(tokens.document("營業執照辦理時限為1個工作日"))
    assert "营业执照" in tokens.query("營業執照怎麼辦？")


def test_an_aside_after_a_sentence_end_closes_that_sentence():
    from assistant.lexicon.text import closing_aside, sentences
    text = "建设检索分析工具。（公共服务处，张三，12345678）另起一句。"
    spans = [text[a:b] for a, b in sentences(text)]
    assert spans == ["建设检索分析工具。（公共服务处，张三，12345678）", "另起一句。"]
    at = text.index("12345678")
    start, end = closing_aside(text, at)
    assert text[start:end] == "（公共服务处，张三，12345678）"
    assert closing_aside(text, text.index("检索")) is None
    assert closing_aside("开展检查（每季度一次），及时通报。", 5) is None  # mid-sentence brackets are not closing
