"""Loaders on documents made on the spot (the `files` fixture) and inline bytes: PDF pages and
tables, Word paragraphs and rows, Markdown tables, GBK text, and files that are not what they say."""

from __future__ import annotations

import pytest

from assistant.errors import UnreadableDocument
from assistant.ingest.loaders import load_bytes, load_file


def test_pdf_loads_with_pages_tables_and_no_running_page_numbers(files):
    loaded = load_file(files["pdf"])
    assert loaded.layout == "pdf" and loaded.pages == 1
    lines = loaded.text.splitlines()
    assert lines[0] == "# Page 1:"
    assert "序号\t事项名称\t承诺时限\t责任单位" in lines
    assert "1\t餐饮店开办一件事\t3个工作日\t区行政审批服务局" in lines
    assert not any(line.strip() == "- 1 -" for line in lines)


def test_docx_loads_paragraphs_and_table_rows(files):
    loaded = load_file(files["docx"])
    lines = loaded.text.splitlines()
    assert "完成时限：2025年10月底前" in lines
    assert "1\t政府性融资担保\t不超过1%\t区财政局" in lines


def test_markdown_tables_and_gbk_text_are_read():
    md = "# 西安市测试办法\n| 序号 | 事项名称 | 办理时限 |\n|---|:---:|---|\n| 1 | 企业开办 | 1个工作日 |\n"
    assert load_bytes("办法.md", md.encode()).text.splitlines()[1:] == ["序号\t事项名称\t办理时限",
                                                                      "1\t企业开办\t1个工作日"]
    gbk = "西安市关于优化营商环境的通知\n一、企业开办1个工作日办结。\n"
    assert load_bytes("通知.txt", gbk.encode("gbk")).text == gbk


@pytest.mark.parametrize(("name", "data", "says"), [
    ("fake.pdf", "这不是PDF，只是文字。".encode(), "content is text"),
    ("fake.docx", b"%PDF-1.4 not really", "content is a PDF"),
    ("empty.txt", b"   \n", "is empty"),
    ("binary.txt", b"\x00\x01\x02abc", "neither text"),
    ("script.exe", b"MZ....", "unsupported file type"),
    ("latin.txt", b"only latin text here", "no Chinese text"),
    ("truncated.pdf", b"%PDF-1.4\n1 0 obj <<", "not a readable PDF"),
    ("torn.docx", b"PK\x03\x04" + bytes(range(200)), "content is neither"),
])
def test_files_that_are_not_what_they_say_are_refused(name, data, says):
    with pytest.raises(UnreadableDocument, match=says):
        load_bytes(name, data)


def test_damaged_files_are_refused_cleanly(files):
    """Random damage to a real PDF or Word file: the loader reads it or refuses it, nothing else."""
    import random

    rng = random.Random(7)
    for path in files.values():
        data = path.read_bytes()
        for _ in range(40):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            if rng.random() < 0.3:
                damaged = damaged[: rng.randrange(len(damaged))]
            try:
                load_bytes(path.name, bytes(damaged))
            except UnreadableDocument:
                pass


def test_the_parser_fingerprint_covers_sub_packages_and_the_word_lists():
    from assistant.ingest.corpus import parser_code

    names = {p.relative_to(p.parents[2]).as_posix() if p.parent.name == "facts" else p.name for p in parser_code()}
    assert {"ingest/facts/time.py", "ingest/facts/duties.py", "words.toml", "patterns.toml", "corpus.py"} <= names


def test_a_paragraphs_text_is_read_as_python_docx_reads_it():
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from assistant.ingest.loaders import _paragraph_text

    document = docx.Document()
    p = document.add_paragraph("企业开办")
    p.add_run("压缩至").bold = True
    run = p.add_run("1个工作日")
    run.add_tab()
    run.add_text("办结")
    run.add_break()
    run.add_text("（市场监管局牵头）")
    # a hyperlink's runs and a deleted run (tracked changes): the link's text is read, the deleted is not
    p._p.append(parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="rId9"><w:r><w:t>详见链接</w:t></w:r></w:hyperlink>'))
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>删去</w:delText></w:r></w:del>'))
    document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    again = docx.Document(io.BytesIO(buffer.getvalue()))
    for paragraph in again.paragraphs:
        assert _paragraph_text(paragraph._p) == paragraph.text
    assert "删去" not in _paragraph_text(again.paragraphs[0]._p)
    assert _paragraph_text(again.paragraphs[0]._p) == "企业开办压缩至1个工作日\t办结\n（市场监管局牵头）详见链接"
