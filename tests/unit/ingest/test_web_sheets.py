"""Web pages (.html / .htm) and spreadsheets (.xlsx) made by the tests: the article and its title,
文号 and date without the page's furniture; each row a clause with its columns as fields; and
hostile versions (huge, malformed, bombs, wrong extension) refused within bounds."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import datetime

import pytest

from assistant.errors import UnreadableDocument, UploadTooLarge
from assistant.ingest import sheets, web
from assistant.ingest.loaders import load_bytes
from assistant.ingest.manifest import load_manifest
from assistant.ingest.metadata import detect_metadata
from assistant.ingest.oneline import unfold
from assistant.ingest.structure import parse_document
from assistant.lexicon.text import read_lines
from assistant.models import Document
from assistant.settings import REPO_ROOT

TITLE = "北京市人民政府办公厅关于支持中小微企业应对疫情影响保持平稳发展若干措施的通知"
PAGE = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{TITLE}_政策文件_首都之窗</title><script>var nav = "首页 要闻动态";</script></head><body>
<ul class="menu"><li><a href="/">首页</a></li><li><a href="/a">要闻动态</a></li><li><a href="/b">政务公开</a></li></ul>
<table class="meta"><tr><td>[索引号] 000014348/2020-00023</td><td>[发文机构] 市政府办公厅</td></tr>
<tr><td>[成文日期] 2020-02-03</td><td>[发文字号] 京政办发〔2020〕7号</td></tr><tr><td>[发布日期] 2020-02-06</td></tr></table>
<div id="mainText"><h1>{TITLE}</h1>
<p>各区人民政府，市政府各委、办、局，各市属机构：</p>
<p>为深入贯彻党中央、国务院决策部署，支持中小微企业应对疫情影响保持平稳发展，现提出如下措施。</p>
<p>一、减轻企业负担</p>
<p>（一）对承租市及区属国有企业房产从事生产经营活动的中小微企业，免收2月份房租。</p>
<p>（二）延期缴纳社会保险费。受疫情影响生产经营出现暂时困难的企业，可申请延期缴纳社会保险费，最长不超过6个月。</p>
<table><tr><th>序号</th><th>任务</th><th>牵头单位</th><th>完成时限</th></tr>
<tr><td>1</td><td>落实国有企业房租减免</td><td>市国资委</td><td>2020年3月底前</td></tr></table>
<p>扫一扫在手机打开当前页</p></div>
<div class="share">分享到： 微信 微博</div><div id="foot">【打印本页】【关闭窗口】 主办：北京市人民政府办公厅 京ICP备05060933号</div>
</body></html>"""


def doc(id_="w") -> Document:
    return Document(id=id_, title="t", issuer="", doc_number="", date="2020-02-03", region="北京",
                    source_file="f", line_start=1, line_end=1)


def clauses_of(name: str, data: bytes):  # type: ignore[no-untyped-def]
    loaded = load_bytes(name, data)
    return loaded, parse_document(doc(), unfold(read_lines(loaded.text)), loaded.layout)


def test_a_web_page_gives_its_article_title_number_and_date():
    loaded, clauses = clauses_of("通知.html", PAGE.encode("gbk"))  # the page's own charset, GBK
    assert loaded.kind == "html"
    lines = loaded.text.splitlines()
    assert lines[:3] == [TITLE, "京政办发〔2020〕7号", "（2020年2月3日）"]
    for furniture in ("要闻动态", "政务公开", "分享到", "京ICP备", "打印本页", "var nav", "索引号"):
        assert furniture not in loaded.text, furniture
    assert "序号\t任务\t牵头单位\t完成时限" in lines
    meta = detect_metadata(loaded.text, load_manifest(REPO_ROOT / "corpus"))
    assert (meta.title, meta.doc_number, meta.date) == (TITLE, "京政办发〔2020〕7号", "2020-02-03")
    by_path = {c.path: c for c in clauses}
    assert "免收2月份房租" in by_path["一、(一)"].text
    row = by_path["附表1-1"]
    assert row.field("牵头单位") == "市国资委"
    assert ("deadline", "2020-03-31") in [(f.type, f.normalized) for f in row.facts]
    assert all("扫一扫" not in c.text for c in clauses)


def test_a_page_that_states_no_fields_keeps_what_it_has():
    page = ("<html><head><title>西安市关于企业开办的通知 - 西安市人民政府</title></head><body><div><h1>西安市关于企业开办的通知</h1>"
            "<p>一、企业开办1个工作日办结。各区县要加强组织领导，确保落实到位，不断提升企业满意度。</p>"
            "<p>二、全面推行电子营业执照，企业可通过“秦务员”平台一网通办。</p>"
            "<p>西安市人民政府 2024年3月5日</p></div></body></html>")
    loaded = load_bytes("page.htm", page.encode())
    assert loaded.text.splitlines()[0] == "西安市关于企业开办的通知"
    assert "〔" not in loaded.text and "（2024年" not in loaded.text  # nothing made up
    assert "一、企业开办1个工作日办结。" in loaded.text


def make_xlsx(rows: list[list[object]], sheet: str = "任务分工", title: str = "") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if title:
        book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_each_spreadsheet_row_is_a_clause_with_its_columns_as_facts():
    data = make_xlsx([
        ["西安市2024年优化营商环境重点任务清单"],
        ["序号", "重点任务", "牵头单位", "责任单位", "完成时限（2024年）"],
        [1, "企业开办全程网办，1个工作日办结", "市市场监管局", "各区县政府", datetime(2024, 6, 30)],
        [2.0, "推行工程建设项目审批“一网通办”", "市住建局", "市资源规划局", "2024年底前"],
        [None, "配套推行联合验收", None, "市城管局", None],
    ])
    loaded, clauses = clauses_of("任务清单.xlsx", data)
    assert loaded.kind == "xlsx" and loaded.layout == "table"
    assert loaded.text.splitlines()[0] == "西安市2024年优化营商环境重点任务清单"  # the title row, not the sheet's name
    assert [c.path for c in clauses] == ["附表1-1", "附表1-2"]
    first, second = clauses
    assert first.field("牵头单位") == "市市场监管局" and first.field("完成时限") == "2024年6月30日"
    assert ("deadline", "2024-06-30") in [(f.type, f.normalized) for f in first.facts]
    assert ("deadline", "2024-12-31") in [(f.type, f.normalized) for f in second.facts]
    assert "联合验收" in second.text  # a row without its own 序号 belongs to the entry above
    assert clauses[0].headings[-1] == "西安市2024年优化营商环境重点任务清单"


# -- hostile files ---------------------------------------------------------------------------
def test_a_huge_page_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(web, "MAX_HTML_BYTES", 100_000)
    start = time.monotonic()
    with pytest.raises(UploadTooLarge, match="more than 100000"):
        load_bytes("big.html", ("<html><body>" + "<p>企业开办。</p>" * 20_000 + "</body></html>").encode())
    assert time.monotonic() - start < 2


def test_malformed_and_deep_pages_are_read_or_refused_quickly():
    deep = "<html><body>" + "<div>" * 50_000 + "<p>企业开办1个工作日办结。</p>" + "</body></html>"
    torn = "<html><body><p>企业开办<b>1个工作<i>日</p></table>办结。<p>二、<<<>>>&&&#xffffffff;</body>"
    for name, page in (("deep.html", deep), ("torn.html", torn)):
        start = time.monotonic()
        try:
            load_bytes(name, page.encode())
        except UnreadableDocument:
            pass
        assert time.monotonic() - start < 10


def test_a_page_cannot_pull_in_entities_or_files():
    page = ('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<html><body><p>企业开办1个工作日办结。&x;</p><p>二、推行电子营业执照。</p></body></html>")
    text = load_bytes("entity.html", page.encode()).text
    assert "root:" not in text and "企业开办1个工作日办结" in text


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def test_a_spreadsheet_zip_bomb_is_refused_without_inflating():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"\0" * (120 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    start = time.monotonic()
    with pytest.raises(UploadTooLarge):
        load_bytes("bomb.xlsx", bomb)
    assert time.monotonic() - start < 2


def test_a_spreadsheet_over_the_row_cap_is_refused(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_ROWS", 50)
    data = make_xlsx([["序号", "事项"]] + [[i, f"事项{i}"] for i in range(100)])
    with pytest.raises(UploadTooLarge, match="more than 50 rows"):
        load_bytes("rows.xlsx", data)


def test_entities_in_a_spreadsheet_are_refused():
    data = make_xlsx([["序号", "事项"], [1, "企业开办"]])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    laughs = ('<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
              + sheet[sheet.index("<worksheet"):].replace("<t>&#20107;&#39033;</t>", "<t>&lol2;</t>"))
    assert "&lol2;" in laughs
    members["xl/worksheets/sheet1.xml"] = laughs.encode()
    with pytest.raises(UnreadableDocument, match="not a readable spreadsheet"):
        load_bytes("laughs.xlsx", _zip(members))


@pytest.mark.parametrize(("name", "data", "says"), [
    ("table.docx", make_xlsx([["序号", "事项"], [1, "企业开办"]]), "content is a spreadsheet"),
    ("page.html", "企业开办1个工作日办结。".encode(), "content is text"),
    ("page.htm", b"%PDF-1.4 not really", "content is a PDF"),
    ("sheet.xlsx", PAGE.encode(), "content is a web page"),
    ("torn.xlsx", _zip({"xl/workbook.xml": b"<workbook><sheets><sheet"}), "not a readable spreadsheet"),
])
def test_files_that_are_not_what_they_say_are_refused(name, data, says):
    with pytest.raises(UnreadableDocument, match=says):
        load_bytes(name, data)


def test_a_page_saved_as_text_is_still_text():
    page = "<html><body><p>西安市企业开办1个工作日办结。</p></body></html>"
    assert load_bytes("saved.txt", page.encode()).kind == "text"
