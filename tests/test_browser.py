"""The page in a real browser: Playwright (PyPI) driving Debian's Chromium, headless."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CHROMIUM = Path(os.environ.get("ASSISTANT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page.set_default_timeout(30_000)
    page.goto(url + "/", wait_until="domcontentloaded")
    return page


@pytest.fixture(scope="module")
def page(browser, live_server):  # type: ignore[no-untyped-def]
    page = open_page(browser, live_server)
    yield page
    page.close()


def test_ask_read_the_citation_and_rate_it(page, live_server):
    page.wait_for_selector("#question textarea")
    assert page.title() == "营商环境政策问答"
    page.fill("#question textarea", "泾河新城开办企业要多久？")
    page.click("#ask")
    key_fact = page.wait_for_selector("#key-fact .key-fact.answered")
    assert "1 个工作日" in key_fact.inner_text()
    # the chat shows the answer too
    page.wait_for_function("document.querySelector('#chat').innerText.includes('1 个工作日')")

    cards = page.locator("#citations details.citation-card")
    assert cards.count() >= 3
    first = cards.first
    assert first.get_attribute("open") is not None  # the cited clause is open
    text = first.inner_text()
    assert "陕泾河发〔2023〕15号" in text and "二、(一)1." in text
    assert first.locator("mark").count() >= 1  # the answer's facts are highlighted
    # open a closed card, then the clause in its context
    second = cards.nth(1)
    second.locator("summary").first.click()
    assert second.get_attribute("open") is not None
    first.locator("details.context > summary").click()
    context = first.locator("details.context")
    assert context.get_attribute("open") is not None
    assert "下一条" in context.inner_text() and "来源：" in context.inner_text()

    # a follow-up in the same chat
    page.fill("#question textarea", "牵头单位是谁？")
    page.click("#ask")
    page.wait_for_function("document.querySelector('#key-fact').innerText.includes('市监分局')")

    page.fill("#comment textarea", "浏览器测试：答案正确")
    page.click("#thumbs-up")
    page.wait_for_function("document.querySelector('#feedback-status').innerText.includes('已记录')")
    rows = httpx.get(live_server + "/api/feedback").json()["feedback"]
    row = next(r for r in rows if r["source"] == "ui")
    assert row["rating"] == "up" and row["comment"] == "浏览器测试：答案正确"
    assert row["question"] == "牵头单位是谁？" and "市监分局" in row["answer"]
    assert row["clause_ids"][0] == "jh2023-15-p2-01:二、(一)1."


def test_an_abstention_looks_different(page):
    page.click("#new-chat")
    # 新对话 clears the question box too: wait for it to finish before typing the next question
    page.wait_for_function("document.querySelector('#key-fact').innerText.trim() === ''")
    page.fill("#question textarea", "西安的哈密瓜多少钱一斤？")
    page.click("#ask")
    box = page.wait_for_selector("#key-fact .key-fact.abstained")
    assert "未找到" in box.inner_text()
    # an off-topic question gets no list of unrelated clauses
    assert "没有可引用的条款" in page.locator("#citations").inner_text()


def test_an_empty_question_shows_an_error(page):
    page.fill("#question textarea", "   ")
    page.click("#ask")
    page.wait_for_function("document.body.innerText.includes('问题不能为空')")


@pytest.fixture(scope="module")
def admin_page(browser, built_settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A server of its own, on a copy of the corpus and index, with the admin token set."""
    import shutil

    from tests.conftest import serving

    root = tmp_path_factory.mktemp("admin-ui")
    shutil.copytree(built_settings.corpus_dir, root / "corpus")
    shutil.copytree(built_settings.index_dir, root / "index")
    env = {"ASSISTANT_CORPUS_DIR": str(root / "corpus"), "ASSISTANT_INDEX_DIR": str(root / "index"),
           "ASSISTANT_DATA_DIR": str(root / "data"), "ASSISTANT_ADMIN_TOKEN": "ui-secret"}
    with serving(env, root / "server.log") as url:
        page = open_page(browser, url)
        yield page, root
        page.close()


def test_admin_uploads_a_word_file_and_retires_it_in_the_page(admin_page):
    from tests.generated import DOCX_TITLE, make_docx

    page, root = admin_page
    docx = make_docx(root / "碑林区融资措施.docx")
    page.wait_for_selector("#question textarea")
    page.get_by_role("tab", name="文件管理").click()
    page.set_input_files("#upload-file input[type=file]", str(docx))
    page.click("#upload-button")  # no token yet
    page.wait_for_function("document.body.innerText.includes('管理口令缺失或不正确')")

    page.fill("#admin-token input", "ui-secret")
    page.click("#upload-button")
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('已添加')", timeout=60_000)
    status = page.locator("#admin-status").inner_text()
    assert DOCX_TITLE in status and "新的问答立即生效" in status
    doc_id = status.split("编号 ")[1].split("，")[0]
    page.wait_for_function(f"document.querySelector('#document-table').innerText.includes('{doc_id}')")

    page.get_by_role("tab", name="问答").click()
    page.fill("#question textarea", "碑林区应急转贷资金规模不低于多少？")
    page.click("#ask")
    page.wait_for_function("document.querySelector('#key-fact').innerText.includes('5000万元')")
    assert "碑政发〔2025〕3号" in page.locator("#citations").inner_text()

    page.get_by_role("tab", name="文件管理").click()
    page.fill("#admin-doc-id textarea", doc_id)
    page.click("#retire-button")
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('已废止')", timeout=60_000)
    rows = httpx.get(page.url.rstrip("/") + "/api/documents").json()["documents"]
    assert next(d for d in rows if d["id"] == doc_id)["status"] == "已废止"
