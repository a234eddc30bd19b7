"""The page in a real browser: Playwright (PyPI) driving Debian's Chromium, headless, at a phone's
390×844 and a desktop's 1440×900, light and dark, with axe-core (npm) checking accessibility."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ASSISTANT_CHROMIUM", "/usr/bin/chromium"))
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def _missing(what: str) -> None:
    message = f"{what} is missing: `make test` installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, viewport: dict[str, int] = DESKTOP, scheme: str = "light",  # type: ignore[no-untyped-def]
              bypass_csp: bool = True):
    """A page of its own. Playwright's polling evaluates strings, which the page's CSP forbids, so
    tests bypass it; `test_the_page_works_under_its_content_security_policy` keeps it."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", color_scheme=scheme, bypass_csp=bypass_csp)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url + "/", wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea")
    return page


def ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    """Type a question, ask it, and wait for its answer box (a new turn number)."""
    before = page.evaluate("document.querySelector('#answer-panel .answer-box')?.dataset.turn || '0'")
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        f"(document.querySelector('#answer-panel .answer-box')?.dataset.turn || '0') !== '{before}'")


def clipboard(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("navigator.clipboard.readText()"))


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Critical and serious axe-core violations on the page as it stands."""
    if not AXE.exists():
        _missing(f"{AXE} (npm install)")
    # axe measures colours as they are painted: wait for Gradio's loading fade to end first
    page.wait_for_function("document.querySelectorAll('.pending, .generating, .translucent').length === 0")
    page.wait_for_timeout(400)
    # and for every transition to end (a button just enabled fades its colours in over 0.2 s,
    # later on a busy machine); endless animations (spinners) are not waited for
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running'"
                           " || a.effect?.getTiming().iterations === Infinity)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['critical', 'serious'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | '));
    }""")
    return list(found)


def test_the_page_works_under_its_content_security_policy(browser, live_server):
    page = open_page(browser, live_server, DESKTOP, bypass_csp=False)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.fill("#question textarea", "泾河新城开办企业要多久？")
        page.click("#ask")
        page.locator("#answer-panel .answer-box.state-answered").wait_for()
        assert "1 个工作日" in page.locator("#answer-panel .key-fact").inner_text()
        page.locator("#answer-panel a.cite").first.click()  # the page's own script runs
        page.locator("#citations #card-1[open]").wait_for()
        assert violations == []
    finally:
        page.context.close()


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    page = open_page(browser, live_server, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def desktop(browser, live_server):  # type: ignore[no-untyped-def]
    page = open_page(browser, live_server, DESKTOP)
    yield page
    page.context.close()


def test_on_a_phone_the_answer_comes_first(phone):
    page = phone
    assert page.title() == "营商环境政策问答"
    assert page.locator("#examples").get_by_text("在西安开办企业需要多长时间？").is_visible()
    ask(page, "泾河新城开办企业要多久？")
    box = page.locator("#answer-panel .answer-box")
    assert "state-answered" in (box.get_attribute("class") or "")
    fact = box.locator(".key-fact")
    assert "1 个工作日" in fact.inner_text()
    page.wait_for_timeout(400)  # the page scrolls to the new answer
    top_in_page = page.evaluate("document.querySelector('#answer-panel .key-fact').getBoundingClientRect().top"
                                " + window.scrollY")
    top_in_view = page.evaluate("document.querySelector('#answer-panel .key-fact').getBoundingClientRect().top")
    assert top_in_page <= 844, top_in_page  # within the first screen of the page
    assert 0 <= top_in_view <= 844 - 100, top_in_view  # and in view now
    # its citation chip, 📋 and the department sit with it
    assert box.locator(".cite-chip").first.is_visible()
    assert box.locator("button.copy-answer").is_visible()
    assert "市监分局" in box.locator(".departments").inner_text()
    # the example questions fold away; the conversation has no inner scroller
    assert not page.locator("#examples").get_by_text("在西安开办企业需要多长时间？").is_visible()
    overflow = page.evaluate("getComputedStyle(document.querySelector('#chat .conversation')).overflowY")
    assert overflow in ("visible", "")


def test_citation_markers_open_their_card_and_show_the_sentences_used(desktop):
    page = desktop
    ask(page, "泾河新城开办企业要多久？")
    page.locator("#answer-panel a.cite").first.click()
    card = page.locator("#citations #card-1")
    assert card.get_attribute("open") is not None
    assert page.evaluate("(() => { const r = document.querySelector('#card-1').getBoundingClientRect();"
                         " return r.top >= 0 && r.top < window.innerHeight; })()")
    text = card.inner_text()
    assert "陕泾河发〔2023〕15号" in text and "二、(一)1." in text
    assert card.locator(".clause-text mark.used").count() >= 1  # the sentences the answer used
    assert any("1 个工作日" in t for t in card.locator(".clause-text mark.fact").all_inner_texts())
    card.locator("details.context > summary").click()
    context = card.locator("details.context")
    assert context.locator(".current mark.used").count() >= 1
    source = context.locator(".source").inner_text()
    assert "陕泾河发〔2023〕15号" in source and "条款 二、(一)1." in source
    assert ".txt" not in context.inner_text() and "行" not in source  # no internal file name
    # a closed card opens too
    second = page.locator("#citations details.citation-card").nth(1)
    second.locator("summary").first.click()
    assert second.get_attribute("open") is not None


def test_copy_gives_the_answer_its_sources_and_the_department(desktop):
    page = desktop
    ask(page, "泾河新城开办企业要多久？")
    page.click("#answer-panel button.copy-answer")
    page.wait_for_function("document.querySelector('#answer-panel .copied').innerText.includes('已复制')")
    copied = clipboard(page)
    assert copied.startswith("泾河新城") and "1 个工作日" in copied
    assert "部门：牵头：市监分局（市场监督管理局泾河新城分局）" in copied
    assert "出处：" in copied and "陕泾河发〔2023〕15号" in copied
    assert "<" not in copied and "\\[" not in copied  # plain text, no markup
    listed = [line for line in copied.splitlines() if re.match(r"\[\d+\]", line)]
    all_cards = page.locator("#citations details.citation-card").count()
    assert 1 <= len(listed) < all_cards  # the sources it used, not every candidate
    # the keyboard shortcut, and the copy button of a message in the conversation
    page.evaluate("navigator.clipboard.writeText('')")
    page.keyboard.press("Alt+c")
    page.wait_for_function("navigator.clipboard.readText().then(t => t.includes('市监分局'))")
    page.evaluate("navigator.clipboard.writeText('')")
    page.locator("#chat .turn button.copy-answer").last.click()
    assert clipboard(page) == copied


def test_partly_answered_and_not_found_look_different(desktop):
    page = desktop
    ask(page, "纳税要多久？电话是多少？")
    box = page.locator("#answer-panel .answer-box")
    assert "state-partial" in (box.get_attribute("class") or "")
    assert "部分解答" in box.inner_text() and "文件未写明：联系电话" in box.inner_text()

    ask(page, "西安的哈密瓜多少钱一斤？")
    box = page.locator("#answer-panel .answer-box")
    assert "state-not_found" in (box.get_attribute("class") or "")
    said = box.inner_text()
    assert "未找到" in said and "热线坐席" in said and "请勿据此作答" in said
    assert box.locator(".cite-chip").count() == 0
    # an off-topic question gets no list of unrelated clauses
    assert "没有可引用的条款" in page.locator("#citations").inner_text()


def test_a_filter_that_finds_nothing_says_so_and_offers_all_documents(desktop):
    page = desktop
    page.locator("#filters").get_by_text("筛选：地区 / 文件").click()
    page.locator("#region input").click()
    page.locator("#region input").fill("甘孜")
    page.get_by_role("option", name=re.compile("甘孜州")).click()
    page.wait_for_function("document.querySelector('#filter-chips').innerText.includes('甘孜州')")
    ask(page, "企业注销需要多长时间？")
    box = page.locator("#answer-panel .answer-box")
    assert "state-not_found" in (box.get_attribute("class") or "")
    assert "筛选条件（地区：甘孜州）" in box.inner_text()
    page.click("#search-all")
    page.wait_for_function("document.querySelector('#answer-panel .answer-box.state-answered') !== null")
    page.wait_for_function("!document.querySelector('#filter-chips').innerText.includes('甘孜州')")
    assert page.locator("#chat .turn").count() == 1  # the filtered answer was replaced, not kept


def test_an_empty_or_oversized_question_leaves_the_page_usable(desktop):
    page = desktop
    page.wait_for_function("document.querySelector('#ask').disabled")  # nothing to ask yet
    page.fill("#question textarea", "   ")
    page.wait_for_timeout(300)
    assert page.locator("#ask").is_disabled()
    page.press("#question textarea", "Enter")
    page.wait_for_function("document.querySelector('#ask-error').innerText.includes('问题不能为空')")
    assert page.locator("#ask-error [role=alert]").count() == 1
    assert page.locator(".toast-body, .error.svelte-1gpwetz").count() == 0  # no overlay
    # the box can still be typed in and asked from
    page.fill("#question textarea", "x" * 1001)
    page.wait_for_function("document.querySelector('#q-count').innerText.startsWith('1001')")
    assert page.locator("#ask").is_disabled()
    ask(page, "泾河新城开办企业要多久？")
    assert page.locator("#ask-error").inner_text().strip() == ""  # the error went with the answer


def test_new_conversation_clears_everything_and_a_reload_keeps_the_conversation(desktop):
    page = desktop
    ask(page, "泾河新城开办企业要多久？")
    page.reload(wait_until="domcontentloaded")
    page.wait_for_function("document.querySelector('#chat .turn') !== null")
    assert "泾河新城开办企业要多久？" in page.locator("#chat").inner_text()
    assert "1 个工作日" in page.locator("#answer-panel .key-fact").inner_text()
    # the follow-up context survived too
    ask(page, "牵头单位是谁？")
    assert "市监分局" in page.locator("#answer-panel .key-fact").inner_text()
    # exported as Markdown with its citations
    with page.expect_download() as download:
        page.click("#chat button.export-md")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## 问：泾河新城开办企业要多久？" in markdown and "## 问：牵头单位是谁？" in markdown
    assert "出处：" in markdown and "陕泾河发〔2023〕15号" in markdown

    page.click("#new-chat")
    page.wait_for_function("document.querySelector('#chat').innerText.trim() === ''")
    assert page.locator("#answer-panel").inner_text().strip() == ""
    assert page.locator("#citations").inner_text().strip() == ""
    ask(page, "牵头单位是谁？")  # no context now: not read as the cleared topic
    assert "市监分局" not in page.locator("#answer-panel").inner_text()
    # turn 1 again, and still a new answer: brought into view, focus back in the question box
    page.wait_for_function("document.activeElement === document.querySelector('#question textarea')")
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea")
    page.wait_for_timeout(1000)
    assert "泾河新城开办企业" not in page.locator("#chat").inner_text()


def test_regions_are_a_tree_with_xian_near_the_top(desktop):
    page = desktop
    page.locator("#filters").get_by_text("筛选：地区 / 文件").click()
    page.locator("#region input").click()
    options = [o.splitlines()[-1] for o in page.get_by_role("option").all_inner_texts()]  # not the ✓ mark
    names = [o.strip().lstrip("└ ").strip() for o in options]
    assert names[:3] == ["全部地区", "陕西", "西安"]
    assert names.index("泾河新城") > names.index("西安")
    assert options[names.index("泾河新城")].startswith("\u3000\u3000")  # indented under 西安
    page.keyboard.press("Tab")  # the list closes on Tab, and focus moves on to the next field
    page.wait_for_timeout(300)
    assert page.locator("#region [role=option]").count() == 0
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "文件"


def test_feedback_is_recorded(desktop, live_server):
    page = desktop
    ask(page, "泾河新城开办企业要多久？")
    ask(page, "牵头单位是谁？")
    page.fill("#comment textarea", "浏览器测试：答案正确")
    page.click("#thumbs-up")
    page.wait_for_function("document.querySelector('#feedback-status').innerText.includes('已记录')")
    from tests.conftest import LIVE_AUTH

    rows = httpx.get(live_server + "/api/feedback", headers=LIVE_AUTH).json()["feedback"]
    row = next(r for r in rows if r["source"] == "ui" and r["comment"] == "浏览器测试：答案正确")
    assert row["rating"] == "up" and row["question"] == "牵头单位是谁？" and "市监分局" in row["answer"]
    assert row["clause_ids"][0] == "jh2023-15-p2-01:二、(一)1."


CONTRAST = """() => {
    const lum = (rgb) => { const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92
                            : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
    const background = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                                  if (c.length < 4 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
    const out = [];
    for (const el of document.querySelectorAll('#citations summary, #citations .clause-text, #citations mark,'
                                              + ' #citations .meta, #answer-panel .key-fact')) {
        const fg = lum(rgb(getComputedStyle(el).color).slice(0, 3)), bg = lum(background(el));
        out.push((Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05));
    }
    return out;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessible_in_light_and_dark(browser, live_server, scheme):
    page = open_page(browser, live_server, DESKTOP, scheme)
    try:
        assert page.locator("h1").count() == 1
        ask(page, "泾河新城开办企业要多久？")
        page.locator("#citations details.citation-card").nth(1).locator("summary").first.click()
        ratios = page.evaluate(CONTRAST)
        assert ratios and min(ratios) >= 4.5, ratios
        assert axe_violations(page) == []
        ask(page, "纳税要多久？电话是多少？")
        assert axe_violations(page) == []
        page.fill("#question textarea", " ")
        page.press("#question textarea", "Enter")
        page.wait_for_function("document.querySelector('#ask-error').innerText.includes('问题不能为空')")
        assert axe_violations(page) == []
        page.get_by_role("tab", name="文件管理").click()
        page.wait_for_selector("#document-table")
        assert axe_violations(page) == []
    finally:
        page.context.close()


def test_accessible_on_a_phone(browser, live_server):
    page = open_page(browser, live_server, PHONE, "dark")
    try:
        ask(page, "西安的哈密瓜多少钱一斤？")
        assert axe_violations(page) == []
        page.get_by_role("tab", name="文件管理").click()
        assert axe_violations(page) == []
    finally:
        page.context.close()


# -- 文件管理 --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def admin_server(built_settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A server of its own, on a copy of the corpus and index, with the admin token set."""
    import shutil

    from tests.conftest import serving

    root = tmp_path_factory.mktemp("admin-ui")
    shutil.copytree(built_settings.corpus_dir, root / "corpus")
    shutil.copytree(built_settings.index_dir, root / "index")
    env = {"ASSISTANT_CORPUS_DIR": str(root / "corpus"), "ASSISTANT_INDEX_DIR": str(root / "index"),
           "ASSISTANT_DATA_DIR": str(root / "data"), "ASSISTANT_ADMIN_TOKEN": "ui-secret-Ty57bNw2Q"}
    with serving(env, root / "server.log") as url:
        yield url, root


def test_admin_uploads_retires_and_removes_a_document_in_the_page(browser, admin_server):
    from assistant.eval.documents import DOCX_TITLE, make_docx

    url, root = admin_server
    page = open_page(browser, url)
    docx = make_docx(root / "碑林区融资措施.docx")
    page.fill("#question textarea", " ")
    page.press("#question textarea", "Enter")
    page.wait_for_function("document.querySelector('#ask-error').innerText.includes('问题不能为空')")
    assert httpx.post(url + "/api/ask", json={"question": ""}).status_code == 400
    page.get_by_role("tab", name="文件管理").click()
    page.wait_for_function("document.querySelector('#document-table').innerText.includes('xa2024-60')")
    page.click("#upload-button")  # no token yet: a message, and the table stays
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('管理口令缺失或不正确')")
    assert "xa2024-60" in page.locator("#document-table").inner_text()
    # the page's upload endpoint takes no file from a browser without the token
    anonymous = httpx.post(url + "/gradio_api/upload", files={"files": ("a.txt", b"x")})
    assert anonymous.status_code == 401

    page.fill("#admin-token input", "ui-secret-Ty57bNw2Q")
    page.set_input_files("#upload-file input[type=file]", str(docx))
    page.fill("#upload-date textarea", "2025-03-01")
    page.click("#upload-button")
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('已添加')", timeout=90_000)
    status = page.locator("#admin-status").inner_text()
    assert DOCX_TITLE in status and "新的问答立即生效" in status
    doc_id = status.split("编号 ")[1].split("，")[0]
    page.wait_for_function(f"document.querySelector('#document-table').innerText.includes('{doc_id}')")
    assert page.locator("#upload-date textarea").input_value() == ""  # the form is cleared
    assert page.locator("#upload-file .file-preview").count() == 0

    # the ask tab's lists know the new document and region without a reload
    page.get_by_role("tab", name="问答").click()
    page.locator("#filters").get_by_text("筛选：地区 / 文件").click()
    page.locator("#document input").click()
    assert any(DOCX_TITLE in o for o in page.locator("#document [role=option]").all_inner_texts())
    page.locator("#document input").press("Tab")
    ask(page, "碑林区应急转贷资金规模不低于多少？")
    assert "5000万元" in page.locator("#answer-panel .key-fact").inner_text()
    assert "碑政发〔2025〕3号" in page.locator("#citations").inner_text()

    # retire it by picking its row
    page.get_by_role("tab", name="文件管理").click()
    page.locator("#document-table [role=gridcell]", has_text=doc_id).first.click()
    page.wait_for_function(f"document.querySelector('#admin-doc input').value.includes('{doc_id}')")
    page.click("#retire-button")
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('已废止')", timeout=90_000)
    rows = httpx.get(url + "/api/documents").json()["documents"]
    assert next(d for d in rows if d["id"] == doc_id)["status"] == "已废止"

    # removing asks first; 取消 keeps it, 确认删除 removes it
    page.locator("#document-table [role=gridcell]", has_text=doc_id).first.click()
    page.wait_for_function(f"document.querySelector('#admin-doc input').value.includes('{doc_id}')")
    page.click("#remove-button")
    assert "确认删除" in page.locator("#confirm-note").inner_text()
    page.click("#cancel-remove-button")
    page.locator("#confirm-remove-button").wait_for(state="hidden")
    assert any(d["id"] == doc_id for d in httpx.get(url + "/api/documents").json()["documents"])
    page.click("#remove-button")
    page.locator("#confirm-remove-button").wait_for(state="visible")
    # another document chosen meanwhile: 确认删除 removes nothing it was not asked about
    page.locator("#document-table [role=gridcell]", has_text="xa2024-60").first.click()
    page.wait_for_function("document.querySelector('#admin-doc input').value.includes('xa2024-60')")
    page.click("#confirm-remove-button")
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('重新点击')")
    assert any(d["id"] == "xa2024-60" for d in httpx.get(url + "/api/documents").json()["documents"])
    page.locator("#document-table [role=gridcell]", has_text=doc_id).first.click()
    page.wait_for_function(f"document.querySelector('#admin-doc input').value.includes('{doc_id}')")
    page.click("#remove-button")
    page.click("#confirm-remove-button")
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('已删除')", timeout=90_000)
    assert not any(d["id"] == doc_id for d in httpx.get(url + "/api/documents").json()["documents"])
    page.wait_for_function(f"!document.querySelector('#document-table').innerText.includes('{doc_id}')")

    # several files at once, of kinds other than the first four: one build, a line for each file
    web_page = root / "碑林区冷链措施.html"
    web_page.write_text("<html><head><meta charset='utf-8'><title>碑林区冷链物流支持措施</title></head><body>"
                        "<div class='article'><h1>碑林区冷链物流支持措施</h1><p>一、补贴</p><p>（一）新建冷库按投资额的"
                        "10%补贴，最高不超过100万元。</p></div></body></html>", encoding="utf-8")
    notice = root / "碑林区夜市措施.txt"
    notice.write_text("碑林区夜间经济支持措施\n一、夜市\n1. 夜市摊位备案1个工作日办结。\n", encoding="utf-8")
    page.set_input_files("#upload-file input[type=file]", [str(web_page), str(notice)])
    page.fill("#upload-region textarea", "碑林区")
    page.click("#upload-button")
    page.wait_for_function("document.querySelector('#admin-status').innerText.includes('上传 2 个文件')",
                           timeout=90_000)
    status = page.locator("#admin-status").inner_text()
    assert "添加 2 个，重复跳过 0 个，未添加 0 个" in status and "新的问答立即生效" in status
    assert "已添加《碑林区冷链物流支持措施》" in status and "已添加《碑林区夜间经济支持措施》" in status
    titles = [d["title"] for d in httpx.get(url + "/api/documents").json()["documents"]]
    assert "碑林区冷链物流支持措施" in titles and "碑林区夜间经济支持措施" in titles
    page.wait_for_function("document.querySelector('#document-table').innerText.includes('碑林区夜间经济支持措施')")
    assert page.locator("#upload-file .file-preview").count() == 0  # the form is cleared
    page.context.close()

    # a user's mistakes are one log line each, without a traceback
    log = (root / "server.log").read_text(encoding="utf-8")
    assert "admin refused (unauthorized)" in log and "question refused (empty_question)" in log
    assert "POST /api/ask → 400 empty_question" in log
    assert "Traceback" not in log


HOSTILE = '<img src=x onerror="window.__xss=1">'


def test_html_in_an_uploaded_document_and_in_questions_stays_text(browser, admin_server, tmp_path):
    """A document uploaded through the page's own upload endpoint, with markup in its file name,
    title, 文号 and text, and a question carrying markup: every one is shown as text; no handler
    runs and no dialog opens."""
    url, _root = admin_server
    page = open_page(browser, url, bypass_csp=False)  # the page as users get it, CSP and all
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    source = tmp_path / f"{HOSTILE}雁塔区跨境电商措施.txt"
    source.write_text("西安市雁塔区关于支持跨境电商发展的若干措施\n"
                      f"一、对年进出口额首次突破1亿元的跨境电商企业，一次性奖励50万元。{HOSTILE}"
                      "<script>window.__xss=2</script>（牵头单位：区商务局）\n", encoding="utf-8")
    page.get_by_role("tab", name="文件管理").click()
    page.fill("#admin-token input", "ui-secret-Ty57bNw2Q")
    page.set_input_files("#upload-file input[type=file]", str(source))
    page.fill("#upload-title textarea", f"雁塔区跨境电商措施{HOSTILE}")
    page.fill("#upload-number textarea", "雁政发〔2025〕<b>9</b>号")
    page.fill("#upload-region textarea", "雁塔区")
    page.click("#upload-button")
    page.locator("#admin-status").get_by_text("已添加").wait_for(timeout=90_000)
    status = page.locator("#admin-status").inner_text()
    doc_id = status.split("编号 ")[1].split("，")[0]
    page.locator("#document-table").get_by_text(HOSTILE, exact=False).first.wait_for()

    page.get_by_role("tab", name="问答").click()
    page.fill("#question textarea", f"雁塔区跨境电商企业进出口额突破1亿元奖励多少？{HOSTILE}")
    page.click("#ask")
    page.locator("#answer-panel .answer-box").wait_for()
    assert "50万元" in page.locator("#answer-panel").inner_text(), page.locator("#answer-panel").inner_text()
    page.locator("#citations .citation-card").first.get_by_text("查看原文").click()
    assert HOSTILE in page.locator("#citations").inner_text()  # shown as text, not markup
    assert HOSTILE in page.locator("#chat").inner_text()
    assert page.locator("#citations img, #chat img, #answer-panel img, #document-table img").count() == 0
    assert page.evaluate("window.__xss") is None and not dialogs
    page.context.close()
    assert httpx.delete(f"{url}/api/documents/{doc_id}", headers={"X-Admin-Token": "ui-secret-Ty57bNw2Q"}).status_code == 200
