"""OFD files (GB/T 33190) made by the tests: text read page by page in reading order; hostile
versions (a zip bomb, an entity bomb, a torn archive, malformed XML, a missing part, a wrong
extension) refused within the sandbox's bounds."""

from __future__ import annotations

import time
import zipfile

import pytest

from assistant.errors import UnreadableDocument, UploadTooLarge
from assistant.eval.documents import make_ofd
from assistant.ingest.loaders import check_type, load_bytes
from assistant.ingest.ofd import page_lines
from assistant.ingest.sandbox import Limits, check_zip, load_untrusted
from tests.conftest import MB

PAGES = [["西安市经开区关于优化营商环境的若干措施", "一、企业开办全流程1个工作日办结。", "牵头单位：区市场监管局"],
         ["二、不动产登记3个工作日办结。", "完成时限：2025年9月底前"]]
OFD = "http://www.ofdspec.org/2016"


def test_an_ofd_is_read_with_its_pages(tmp_path):
    loaded = load_bytes("notice.ofd", make_ofd(tmp_path / "a.ofd", PAGES).read_bytes())
    assert loaded.kind == "ofd" and loaded.pages == 2 and loaded.layout == "pdf"
    assert loaded.text.splitlines() == ["# Page 1:", *PAGES[0], "# Page 2:", *PAGES[1]]


def test_text_codes_are_put_in_reading_order():
    from lxml import etree

    content = etree.fromstring(
        f'<ofd:Page xmlns:ofd="{OFD}"><ofd:Content><ofd:Layer>'
        '<ofd:TextObject Boundary="100 50 40 6" Size="5"><ofd:TextCode X="0" Y="5">右半</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject Boundary="20 80 40 6" Size="5"><ofd:TextCode X="0" Y="5">第二行</ofd:TextCode></ofd:TextObject>'
        '<ofd:TextObject Boundary="20 50 40 6" Size="5"><ofd:TextCode X="0" Y="5.5">左半</ofd:TextCode></ofd:TextObject>'
        '</ofd:Layer></ofd:Content></ofd:Page>'.encode())
    assert page_lines(content) == ["左半右半", "第二行"]


def test_an_ofd_goes_through_the_sandbox(tmp_path):
    data = make_ofd(tmp_path / "a.ofd", PAGES).read_bytes()
    assert "不动产登记3个工作日" in load_untrusted("a.ofd", data).text


def test_a_zip_bomb_ofd_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "bomb.ofd"
    make_ofd(path, PAGES)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("Doc_0/Res/big.xml", b" " * (150 * MB))
    started = time.perf_counter()
    with pytest.raises(UploadTooLarge):
        check_zip("bomb.ofd", path.read_bytes(), Limits())
    with pytest.raises(UploadTooLarge):
        load_untrusted("bomb.ofd", path.read_bytes())
    assert time.perf_counter() - started < 5


def test_an_entity_bomb_is_not_expanded(tmp_path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
              + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
              + f']><ofd:Page xmlns:ofd="{OFD}"><ofd:Content><ofd:Layer><ofd:TextObject Boundary="0 0 9 9">'
              '<ofd:TextCode X="0" Y="5">正文&j;</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')
    path = make_ofd(tmp_path / "laughs.ofd", PAGES, {"Doc_0/Pages/Page_0/Content.xml": laughs.encode()})
    started = time.perf_counter()
    try:
        loaded = load_untrusted("laughs.ofd", path.read_bytes())
        assert "哈" not in loaded.text and len(loaded.text) < 1000
    except UnreadableDocument:
        pass  # refusing the file is as good as not expanding it
    assert time.perf_counter() - started < 10


def test_an_external_entity_is_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("机密内容", encoding="utf-8")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
           f'<ofd:Page xmlns:ofd="{OFD}"><ofd:Content><ofd:Layer><ofd:TextObject Boundary="0 0 9 9">'
           '<ofd:TextCode X="0" Y="5">正文&x;</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>')
    path = make_ofd(tmp_path / "xxe.ofd", PAGES, {"Doc_0/Pages/Page_0/Content.xml": xxe.encode()})
    try:
        assert "机密" not in load_bytes("xxe.ofd", path.read_bytes()).text
    except UnreadableDocument:
        pass


@pytest.mark.parametrize("damage", ["malformed page", "missing page", "no document", "torn archive"])
def test_damaged_ofd_files_are_unreadable(tmp_path, damage):
    path = tmp_path / "bad.ofd"
    if damage == "malformed page":
        make_ofd(path, PAGES, {"Doc_0/Pages/Page_1/Content.xml": b"<ofd:Page><unclosed>"})
    elif damage == "missing page":
        make_ofd(path, PAGES)
        with zipfile.ZipFile(path) as old, zipfile.ZipFile(tmp_path / "cut.ofd", "w") as new:
            for info in old.infolist():
                if "Page_1" not in info.filename:
                    new.writestr(info, old.read(info))
        path = tmp_path / "cut.ofd"
    elif damage == "no document":
        make_ofd(path, PAGES, {"OFD.xml": f'<ofd:OFD xmlns:ofd="{OFD}"><ofd:DocBody/></ofd:OFD>'.encode()})
    else:
        make_ofd(path, PAGES)
        path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(UnreadableDocument):
        load_untrusted("bad.ofd", path.read_bytes())


def test_an_ofd_must_be_named_so_and_a_docx_is_not_an_ofd(tmp_path, files):
    data = make_ofd(tmp_path / "a.ofd", PAGES).read_bytes()
    with pytest.raises(UnreadableDocument, match="OFD"):
        check_type("a.docx", data)
    with pytest.raises(UnreadableDocument, match="Word"):
        check_type("b.ofd", files["docx"].read_bytes())
