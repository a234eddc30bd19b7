"""Bulk import on a tiny corpus written on the spot: 50 files in one go — notices whose region
is read from their issuer, copies (of one another and of a corpus file), files the loader refuses,
and notices of a place the region table lacks — give the summary's counts, one edit of
documents.toml and one build; a region given for the batch, a default region, and the multi-file
upload over HTTP."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.cli import main
from assistant.eval.documents import notice_text
from assistant.index.load import load_index
from assistant.service.assistant import Assistant
from assistant.service.imports import UNKNOWN_REGION, add_many, expand
from assistant.service.library import change
from assistant.settings import Settings, get_settings
from tests.slow.tiny_corpus import tiny_corpus

TOKEN = "bulk-secret-Vm39qTz8Kc"
XIAN, XIANYANG, LANZHOU, SHAANXI = 0, 1, 4, 6  # places of `notice_text`


def nameless(n: int) -> str:
    """A notice whose issuer, title and 文号 name no place (every place is known): its region cannot be read."""
    return notice_text(n, LANZHOU).replace("兰州", "某").replace("兰政", "某政")


@pytest.fixture
def tiny(tmp_path: Path) -> Settings:
    return tiny_corpus(tmp_path)


def _batch(folder: Path, tiny: Settings) -> Path:
    """50 files: 40 .txt and 2 .md notices of 西安/咸阳/陕西, 3 copies of them, 1 copy of a corpus
    file, 2 notices naming no place, an empty file and a text named .pdf."""
    folder.mkdir()
    for n in range(40):
        (folder / f"n{n:02d}.txt").write_text(notice_text(n, (XIAN, XIANYANG, SHAANXI)[n % 3]), encoding="utf-8")
    for n in (40, 41):
        (folder / f"n{n:02d}.md").write_text(notice_text(n, XIAN), encoding="utf-8")
    for n in (3, 4, 5):
        (folder / f"copy{n}.txt").write_bytes((folder / f"n{n:02d}.txt").read_bytes())
    (folder / "copy-xa.txt").write_bytes((tiny.corpus_dir / "xa.txt").read_bytes())
    for n in (42, 43):  # notices whose issuer, title and 文号 name no place: their region cannot be read
        (folder / f"lz{n}.txt").write_text(nameless(n), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "fake.pdf").write_text(notice_text(44), encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.txt").write_text(notice_text(45, XIAN), encoding="utf-8")  # only with recursive
    (folder / ".hidden.txt").write_text(notice_text(46, XIAN), encoding="utf-8")  # never
    assert len(expand([folder])) == 50 and len(expand([folder], recursive=True)) == 51
    return folder


def test_a_batch_of_50_files_gives_its_summary_one_manifest_edit_and_one_build(tiny: Settings, tmp_path: Path):
    folder = _batch(tmp_path / "batch", tiny)
    before = tomllib.loads((tiny.corpus_dir / "documents.toml").read_text("utf-8"))
    report, manifest = change(tiny, lambda lib: add_many(lib, [folder]))

    assert len(report.added) == 42 and len(report.duplicates) == 4 and len(report.refused) == 4
    assert sorted(report.region_unknown) == ["lz42.txt", "lz43.txt"] and report.defaulted == []
    assert dict(report.duplicates)["copy-xa.txt"] == "xa"
    assert dict(report.duplicates)["n03.txt"] == next(s.id for s in report.added if s.file.endswith("copy3.txt"))
    reasons = {r.file: r.reason for r in report.refused}
    assert UNKNOWN_REGION in reasons["lz42.txt"] and "empty" in reasons["empty.txt"]
    assert "content is text" in reasons["fake.pdf"]
    assert {s.region for s in report.added} == {"西安", "咸阳", "陕西"}
    assert {s.region for s in report.added if "咸阳市人民政府" in s.issuer} == {"咸阳"}

    after = tomllib.loads((tiny.corpus_dir / "documents.toml").read_text("utf-8"))
    assert len(after["source"]) == len(before["source"]) + 42 and after["regions"] == before["regions"]
    files = {p.name for p in tiny.corpus_dir.iterdir()}
    assert all(s.file in files for s in report.added) and len(files) == 1 + 3 + 42  # documents.toml, 3 sources, 42 added: no orphan
    assert manifest["mode"] == "incremental" and manifest["reuse"]["sources_parsed"] == 42  # one build, all new
    index = load_index(tiny)
    assert all(s.id in index.documents for s in report.added)
    seventh = next(s for s in report.added if s.file.endswith("n07.txt"))
    answer = Assistant(tiny, index).ask("咸政办发〔2022〕8号的政务服务第2项事项几个工作日内办结？")
    assert answer.citations[0].document.id == seventh.id, answer.text

    # the refused ones, again: a region for the batch adds the notices naming no place; the rest stay refused
    again, _ = change(tiny, lambda lib: add_many(lib, [folder / "lz42.txt", folder / "n00.txt"], "陕西"))
    assert [s.region for s in again.added] == ["陕西"] and again.duplicates == [("n00.txt", next(s.id for s in report.added if s.file.endswith("_n00.txt")))]


def test_a_default_region_takes_the_files_whose_region_is_unknown(tiny: Settings, tmp_path: Path):
    folder = tmp_path / "lz"
    folder.mkdir()
    for n in (1, 2):
        (folder / f"lz{n}.txt").write_text(nameless(n), encoding="utf-8")
    (folder / "xa.txt").write_text(notice_text(3, XIAN), encoding="utf-8")
    report, _ = change(tiny, lambda lib: add_many(lib, [folder], default_region="陕西"))
    assert sorted(report.defaulted) == ["lz1.txt", "lz2.txt"] == sorted(report.region_unknown)
    assert sorted(s.region for s in report.added) == ["西安", "陕西", "陕西"] and report.refused == []


def test_the_cli_adds_a_folder_with_a_summary(tiny: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "cli"
    folder.mkdir()
    (folder / "sub").mkdir()
    (folder / "a.txt").write_text(notice_text(1, XIAN), encoding="utf-8")
    (folder / "sub" / "b.txt").write_text(nameless(2), encoding="utf-8")
    for key, value in (("CORPUS_DIR", tiny.corpus_dir), ("INDEX_DIR", tiny.index_dir), ("DATA_DIR", tiny.data_dir)):
        monkeypatch.setenv(f"ASSISTANT_{key}", str(value))
    get_settings.cache_clear()
    out = io.StringIO()
    assert main(["add", str(folder), "--recursive"], out) == 0
    said = out.getvalue()
    assert "added 1, duplicates skipped 0, refused 1 (region unknown 1)" in said
    assert "refused b.txt" in said and "region unknown" in said and "(incremental)" in said
    assert main(["add", str(folder), "--title", "x"], io.StringIO()) == 1  # one document's fields: not for many


def test_a_multi_file_upload_reports_per_file_and_builds_once(tiny: Settings):
    from assistant.service.feedback import FeedbackStore
    from web.app import create_app

    settings = tiny.model_copy(update={"admin_token": SecretStr(TOKEN), "max_upload_files": 4})
    app = create_app(settings, Assistant(settings), FeedbackStore(settings.data_dir / "feedback.sqlite3"), ui=False)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    files = [("files", (f"n{n}.txt", notice_text(n, XIANYANG).encode())) for n in range(2)]
    files += [("files", ("lz.txt", nameless(9).encode())), ("files", ("n0.txt", notice_text(0, XIANYANG).encode()))]
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/documents/bulk", files=files, headers=auth)
        assert response.status_code == 201, response.text
        body = response.json()
        assert [d["region"] for d in body["added"]] == ["咸阳", "咸阳"] and body["region_unknown"] == ["lz.txt"]
        assert body["duplicates"] == [{"file": "n0.txt", "document": body["added"][0]["id"]}]
        assert body["refused"][0]["file"] == "lz.txt" and body["refused"][0]["reason_zh"]
        assert body["index"]["mode"] == "incremental" and body["index"]["reuse"]["sources_parsed"] == 2
        too_many = client.post("/api/documents/bulk", files=files + files[:1], headers=auth)
        assert too_many.status_code == 400 and too_many.json()["error"]["details"]["limit"] == 4
        assert client.post("/api/documents/bulk", files=files).status_code == 401


PAGE_HTML = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>西安市冷链物流支持措施_西安市人民政府</title>
<meta name="PubDate" content="2024-05-08 09:30"></head><body><div class="nav"><a href="/">首页</a> | 政务公开</div>
<div class="article"><h1>西安市冷链物流支持措施</h1><p>一、冷库补贴</p>
<p>（一）新建冷链仓储设施的企业，按实际投资额的10%给予一次性补贴，最高不超过200万元。</p>
<p>（二）冷链运输车辆年审实行网上办理，3个工作日办结。</p></div><div class="footer">打印本页 关闭窗口</div></body></html>"""


def task_sheet() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务清单"
    sheet.append(["西安市2024年政务服务重点任务清单"])
    sheet.append(["序号", "重点任务", "牵头单位", "完成时限"])
    sheet.append([1, "推行电梯维保备案全程网办", "市市场监管局", "2024年9月底前"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_pages_upload_takes_several_files_through_the_bulk_import(tiny: Settings):
    """The page's upload function, called as the page calls it: an .html and an .xlsx made here and
    a text named .pdf, in one go; a wrong token first writes nothing. One build; the summary counts
    and names each file (the refused one with its reason); a second upload of the same files skips
    them as duplicates."""
    from assistant.service.feedback import FeedbackStore
    from tests.integration.test_edges import fn_index, page_call
    from web.app import create_app

    settings = tiny.model_copy(update={"admin_token": SecretStr(TOKEN)})
    app = create_app(settings, Assistant(settings), FeedbackStore(settings.data_dir / "feedback.sqlite3"))
    toml = settings.corpus_dir / "documents.toml"
    with TestClient(app, raise_server_exceptions=False) as page:
        sent = page.post("/gradio_api/upload", headers={"Cookie": f"pa_admin={TOKEN}"}, files=[
            ("files", ("冷链措施.html", PAGE_HTML.encode())), ("files", ("任务清单.xlsx", task_sheet())),
            ("files", ("假的.pdf", "一、这不是PDF文件。".encode()))])
        assert sent.status_code == 200, sent.text
        files = [{"path": path, "meta": {"_type": "gradio.FileData"}} for path in sent.json()]
        upload = fn_index(page, "upload-button")
        before = toml.read_bytes(), sorted(settings.corpus_dir.iterdir())

        refused = page_call(page, upload, ["guess", files, "西安", "", "", ""])
        assert "管理口令缺失或不正确" in refused
        assert (toml.read_bytes(), sorted(settings.corpus_dir.iterdir())) == before  # nothing written

        mixed = page_call(page, upload, [TOKEN, files, "西安", "", "", "标题"])  # one file's 文号, three files
        assert "只能用于单个文件" in mixed and toml.read_bytes() == before[0]

        said = page_call(page, upload, [TOKEN, files, "西安", "", "", ""])
        assert "上传 3 个文件：添加 2 个，重复跳过 0 个，未添加 1 个" in said, said
        assert "已添加《西安市冷链物流支持措施》" in said and "已添加《" in said.split("冷链物流支持措施")[1]
        assert "未添加：假的.pdf：" in said and "内容不是该类型" in said
        assert "增量更新" in said and "重新解析 2 个文件" in said  # one build, of the two new files
        added = tomllib.loads(toml.read_text(encoding="utf-8"))["source"][3:]
        assert sorted(s["file"].split("_", 1)[1] for s in added) == ["任务清单.xlsx", "冷链措施.html"]

        again = page_call(page, upload, [TOKEN, files[:2], "西安", "", "", ""])
        assert "添加 0 个，重复跳过 2 个" in again and "重复，已跳过：冷链措施.html" in again
        assert "⚠️" in again and "索引已更新" not in again
    answer = Assistant(settings).ask("西安新建冷链仓储设施补贴最高多少？")
    assert "200万元" in answer.text and answer.citations[0].document.title == "西安市冷链物流支持措施"
