"""A web page, a spreadsheet and a notice published as one line in traditional characters, made
here, added to a tiny corpus and answered with their citations."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistant.service.assistant import Assistant
from assistant.service.library import Metadata
from assistant.settings import Settings
from tests.slow.tiny_corpus import tiny_corpus

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>西安市关于支持冷链物流企业发展的通知_西安市人民政府</title><meta name="PubDate" content="2024-05-08 09:30"></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/zw">政务公开</a> | <a href="/bs">办事服务</a></div>
<div class="article"><h1>西安市关于支持冷链物流企业发展的通知</h1>
<p>各区县人民政府，市人民政府各工作部门：</p>
<p>为加快冷链物流体系建设，降低企业经营成本，经市政府同意，现就有关事项通知如下。</p>
<p>一、新建冷库补贴</p>
<p>（一）对新建冷链仓储设施的企业，按实际投资额的10%给予一次性补贴，最高不超过200万元。</p>
<p>（二）冷链运输车辆年审实行网上办理，3个工作日办结。</p>
</div><div class="footer">打印本页 关闭窗口 主办：西安市人民政府办公厅</div></body></html>"""

ONE_LINE = (
    "咸陽市關於優化外資企業服務的通知 各縣市區人民政府：為做好外資企業服務工作，現就有關事項通知如下："
    "一、外資企業設立登記 （一）外資企業設立登記實行全程網辦，1個工作日辦結。" + "各部門要加強協同配合，確保政策落實到位。" * 12
    + " （二）外資企業變更登記2個工作日辦結。" + "各部門要加強協同配合，確保政策落實到位。" * 12
    + " 二、跨境結算便利 1.企業跨境人民幣結算業務當日辦結。" + "各部門要加強協同配合，確保政策落實到位。" * 8
    + " 咸陽市人民政府 2024年4月2日 扫一扫在手机打开当前页"
)


def make_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务清单"
    sheet.append(["西安市2024年政务服务重点任务清单"])
    sheet.append(["序号", "重点任务", "牵头单位", "完成时限"])
    sheet.append([1, "推行电梯维保备案全程网办", "市市场监管局", "2024年9月底前"])
    sheet.append([2, "开展二手房带押过户", "市资源规划局", "2024年6月底前"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings: Settings = tiny_corpus(Path(tmp_path_factory.mktemp("formats")))
    return Assistant(settings)


def test_a_web_page_is_added_and_answered_with_its_citation(assistant: Assistant):
    spec, _ = assistant.add_document("冷链通知.html", PAGE.encode(), Metadata(region="西安"))
    assert spec.title == "西安市关于支持冷链物流企业发展的通知" and spec.date == "2024-05-08"
    answer = assistant.ask("西安新建冷链仓储设施补贴最高多少？")
    top = answer.citations[0]
    assert top.document.id == spec.id and top.clause.path == "一、(一)"
    assert "200万元" in answer.text
    assert all("打印本页" not in c.clause.text and "政务公开" not in c.clause.text for c in answer.citations)


def test_a_spreadsheet_is_added_and_each_row_answered_with_its_citation(assistant: Assistant):
    spec, _ = assistant.add_document("任务清单.xlsx", make_xlsx(), Metadata(region="西安"))
    answer = assistant.ask("西安二手房带押过户由哪个部门牵头？")
    top = answer.citations[0]
    assert top.document.id == spec.id and top.clause.path == "附表1-2"
    assert top.clause.field("牵头单位") == "市资源规划局" and "市资源规划局" in answer.text
    assert ("deadline", "2024-06-30") in [(f.type, f.normalized) for f in top.clause.facts]


def test_a_one_line_traditional_notice_is_cut_and_found_by_a_simplified_question(assistant: Assistant):
    spec, _ = assistant.add_document("外资服务.txt", ONE_LINE.encode(), Metadata(region="咸阳"))
    answer = assistant.ask("咸阳外资企业变更登记要几个工作日？")
    top = answer.citations[0]
    assert top.document.id == spec.id and top.clause.path == "一、(二)"
    assert top.clause.text.startswith("（二）外資企業變更登記2個工作日辦結。")  # quoted as published
    assert len(top.clause.text) <= 1000 and "扫一扫" not in top.clause.text
