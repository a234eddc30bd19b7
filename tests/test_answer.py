from assistant.answer import fact_phrase, select_evidence
from assistant.intent import detect_intent
from assistant.models import Clause
from assistant.parsing.facts import extract_facts, extract_fields
from assistant.prompts import render, templates
from assistant.retrieval.terms import KeyTerm


def clause(text: str) -> Clause:
    fields = extract_fields(text)
    return Clause(id="d:1.", doc_id="d", path="1.", headings=(), text=text, page=None, source_file="f",
                  line_start=1, line_end=1, facts=extract_facts(text, fields, "2023-01-01"), fields=fields)


def test_every_template_renders():
    fields = {"scope": "西安：", "fact": "0.5个工作日办结", "n": 1, "lead": "市监分局", "responsible": "", "units": "税务局",
                  "value": "2023年9月底前", "iso": "2023-09-30", "quote": "原文", "items": "x", "related": "", "title": "t", "path": "1.",
              "date": "2023年4月25日", "today": "2026年11月23日", "status": "已废止", "replacement": ""}
    for name in templates():
        assert "{" not in render(name, **fields)


def test_intent_reads_the_question():
    assert detect_intent("在西安开公司要多长时间？") == "time_limit"
    assert detect_intent("这项工作是哪个部门牵头？") == "unit"
    assert detect_intent("最晚什么时候要完成？") == "deadline"
    assert detect_intent("担保费最多收多少个点？") == "amount"
    assert detect_intent("能不能先签承诺再补材料？") == "general"


def test_evidence_quotes_the_sentence_with_the_asked_fact():
    c = clause("1. 提升企业开办效率。统一办事指南，精简办事材料。全面实现企业开办全流程“1 个工作日”办结。\n牵头单位：市监分局")
    ev = select_evidence(c, [KeyTerm("企业开办", 2.0)], "time_limit")
    assert "1 个工作日" in ev.quote
    assert "精简办事材料" not in ev.quote
    fact = next(f for f in ev.facts if f.type == "time_limit")
    assert fact_phrase(c, fact) == "全面实现企业开办全流程“1 个工作日”办结"
