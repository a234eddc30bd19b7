"""Departments of a cited clause in their roles, with abbreviations spelled out from a data file."""

from __future__ import annotations

from pathlib import Path

from assistant.answer.departments import Abbreviations, of_answer, of_clause
from assistant.ingest.facts import extract_facts, extract_fields
from assistant.models import Clause, Document
from assistant.settings import REPO_ROOT

TABLE = Abbreviations((("市监分局", "市场监督管理局{region}分局"), ("人社局", "人力资源和社会保障局"),
                       ("政务中心", "政务服务中心")))


def doc(region: str = "泾河新城") -> Document:
    return Document(id="d", title="方案", issuer="", doc_number="", date="2023-04-25", region=region,
                    source_file="f.txt", line_start=1, line_end=9)


def clause(text: str) -> Clause:
    fields = extract_fields(text)
    return Clause(id="d:1.", doc_id="d", path="1.", headings=(), text=text, page=None, source_file="f",
                  line_start=1, line_end=1, facts=extract_facts(text, fields, "2023-04-25"), fields=fields)


def test_an_abbreviation_is_spelled_out_keeping_the_rest_of_the_name():
    assert TABLE.expand("市人社局") == "市人力资源和社会保障局"
    assert TABLE.expand("市监分局", "泾河新城") == "市场监督管理局泾河新城分局"
    assert TABLE.expand("区税务局") == ""  # not in the table: the name is already plain
    # only a name that ends with an abbreviation: one written in full is left alone
    table = Abbreviations((("政府办", "人民政府办公室"), ("发展改革委", "发展和改革委员会")))
    assert table.expand("市政府办公室") == "" and table.expand("市发展改革委员会") == ""
    assert table.expand("市政府办") == "市人民政府办公室"


def test_the_longest_abbreviation_wins(tmp_path: Path):
    path = tmp_path / "departments.toml"
    path.write_text('[abbreviations]\n"审批局" = "审批服务局"\n"行政审批局" = "行政审批服务局"\n', encoding="utf-8")
    assert Abbreviations.load(path).expand("区行政审批局") == "区行政审批服务局"
    broken = tmp_path / "broken.toml"
    broken.write_text("[abbreviations\n", encoding="utf-8")
    assert Abbreviations.load(broken).expand("区行政审批局") == ""  # a broken file spells out nothing


def test_lead_responsible_and_handling_departments_in_that_order():
    c = clause("1. 提升企业开办效率。参保登记由区人社局负责。\n牵头单位：市监分局\n责任单位：税务局、政务中心")
    got = of_clause(c, doc(), TABLE, used=[(c.text.index("参保"), c.text.index("负责。") + 3)])
    assert [(d.role, d.name) for d in got] == [("牵头", "市监分局"), ("责任", "税务局"), ("责任", "政务中心"),
                                               ("办理", "区人社局")]
    assert got[0].plain == "市监分局（市场监督管理局泾河新城分局）" and got[1].plain == "税务局"


def test_a_starred_unit_in_a_list_leads_and_is_listed_once():
    c = clause("推行企业开办“一网通办”。\n责任单位：★市人社局、市税务局")
    got = of_clause(c, doc("西安"), TABLE)
    assert [(d.role, d.name) for d in got] == [("牵头", "市人社局"), ("责任", "市税务局")]


def test_an_answer_takes_the_departments_of_the_clauses_it_used_only():
    used = clause("全程网办。\n牵头单位：市监分局")
    got = of_answer([("d:1.", 0, 5)], {"d:1.": used}, {"d": doc()}, TABLE)
    assert [d.name for d in got] == ["市监分局"]
    assert of_answer([("gone", 0, 5)], {}, {"d": doc()}, TABLE) == ()


def test_the_shipped_table_reads():
    table = Abbreviations.load(REPO_ROOT / "corpus" / "departments.toml")
    assert table.expand("市发改委") == "市发展和改革委员会" and table.expand("区工信局") == "区工业和信息化局"
