"""The page as a busy operator, a citizen on a phone and an enterprise on a desktop use it (issue
21): the state the answer decided, 正在查找… with 停止 and a question sent meanwhile kept, every
message in Chinese in the page, deadlines and departments in the answer box, the phone's touch
targets, 新对话 with 撤销, focus and keys, the admin's destructive actions, previews and
follow-ups. Playwright on Debian's Chromium, axe-core on each new view."""

from __future__ import annotations

import httpx
import pytest

from tests.slow import test_browser
from tests.slow.test_browser import DESKTOP, PHONE, ask, axe_violations, open_page

browser = test_browser.browser  # the same Chromium fixture

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DELAY = 3  # seconds the slow server waits before each answer


@pytest.fixture(scope="module")
def slow_server(built_settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A server whose page waits DELAY seconds before each answer (a test-only setting)."""
    from tests.conftest import serving

    root = tmp_path_factory.mktemp("slow-page")
    env = {"ASSISTANT_INDEX_DIR": str(built_settings.index_dir), "ASSISTANT_DATA_DIR": str(root / "data"),
           "ASSISTANT_PAGE_ANSWER_DELAY_SECONDS": str(DELAY)}
    with serving(env, root / "server.log") as url:
        yield url


def box_state(page) -> str:  # type: ignore[no-untyped-def]
    classes = page.locator("#answer-panel .answer-box").get_attribute("class") or ""
    return next(c.removeprefix("state-") for c in classes.split() if c.startswith("state-"))


def api_state(url: str, question: str, history: list[dict[str, str]] | None = None) -> str:
    body: dict[str, object] = {"question": question}
    if history:
        body["history"] = history
    reply = httpx.post(url + "/api/ask", json=body, timeout=60).json()
    return str(reply.get("state") or ("not_found" if reply.get("abstained") else "answered"))


# -- 1. the state the answer decided ------------------------------------------------------------
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_box_shows_the_state_the_answer_decided(browser, live_server, viewport):
    page = open_page(browser, live_server, viewport)
    try:
        ask(page, "西安的哈密瓜多少钱一斤？")  # off-topic
        assert box_state(page) == "not_found"
        assert "未找到明确规定" in page.locator("#answer-panel .box-label").inner_text()
        assert "答案要点" not in page.locator("#answer-panel").inner_text()
        ask(page, "泾河新城开办企业要多久？")
        assert box_state(page) == "answered" and "理解为" not in page.locator("#answer-panel").inner_text()
        # a question that stands on its own, after another: nothing about the previous turn, and
        # the state is the one the service gives the question asked alone
        for unrelated in ("今天天气怎么样", "离婚登记怎么办"):
            ask(page, unrelated)
            assert "按上文理解为" not in page.locator("#answer-panel").inner_text()
            assert box_state(page) in (api_state(live_server, unrelated), "small_talk")
            if box_state(page) == "not_found":
                assert "未找到明确规定" in page.locator("#answer-panel .box-label").inner_text()
        # a question completed from the conversation says so
        ask(page, "泾河新城开办企业要多久？")
        ask(page, "那西安呢？")
        assert "按上文理解为：西安开办企业要多久" in page.locator("#answer-panel .understood").inner_text()
        assert axe_violations(page) == []
    finally:
        page.context.close()


# -- 2. loading ------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_question_sent_while_one_runs_is_queued_not_lost(browser, slow_server, viewport):
    page = open_page(browser, slow_server, viewport)
    try:
        page.fill("#question textarea", "泾河新城开办企业要多久？")
        page.click("#ask")
        page.locator("#answer-panel .pa-loading").wait_for()
        assert "正在查找…" in page.locator("#answer-panel").inner_text()
        assert page.locator("#ask").is_disabled() and page.locator("#stop").is_visible()
        assert page.locator("#question textarea").is_visible()  # no spinner over the question box
        assert page.locator("#question .wrap:not(.hide)").count() == 0
        # a second question, typed and sent while the first runs: kept and asked after it
        page.fill("#question textarea", "牵头单位是谁？")
        page.press("#question textarea", "Enter")
        page.wait_for_function("document.querySelector('#page-msg').innerText.includes('已保留')")
        assert page.locator("#question textarea").input_value() == "牵头单位是谁？"
        assert axe_violations(page) == []  # the loading view, with its message
        page.wait_for_function("document.querySelector('#answer-panel .answer-box')?.dataset.turn === '2'",
                               timeout=4 * DELAY * 1000 + 20_000)
        chat = page.locator("#chat").inner_text()
        assert "泾河新城开办企业要多久？" in chat and "牵头单位是谁？" in chat
        assert "市监分局" in page.locator("#answer-panel .key-fact").inner_text()
        assert page.locator("#question textarea").input_value() == ""  # emptied once answered
        assert not page.locator("#stop").is_visible()
    finally:
        page.context.close()


def test_stop_cancels_and_keeps_the_question(browser, slow_server):
    page = open_page(browser, slow_server, DESKTOP)
    try:
        page.fill("#question textarea", "企业注销需要多长时间？")
        page.click("#ask")
        page.locator("#answer-panel .pa-loading").wait_for()
        page.click("#stop")
        page.wait_for_function("document.querySelector('#ask-error').innerText.includes('已停止')")
        assert page.locator("#question textarea").input_value() == "企业注销需要多长时间？"
        assert page.locator("#answer-panel .pa-loading").count() == 0
        page.wait_for_timeout((DELAY + 1) * 1000)  # the cancelled answer never arrives
        assert page.locator("#chat .turn").count() == 0
        assert not page.locator("#ask").is_disabled()
    finally:
        page.context.close()


# -- 3. messages in Chinese, in the page -----------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_lost_connection_is_said_in_chinese_with_a_retry(browser, live_server, scheme):
    """Once the page's queue call fails, Gradio polls the server (GET /gradio_api/app_id every 2 s)
    and reloads the page as soon as it answers. That poll is kept unanswered while the message is
    checked and 重试 is pressed, so the reload is 重试's and no other (it was a race with the 2 s
    poll: a run slower than 2 s to reach 重试 found a reloaded page without it). Then the poll
    is let through: Gradio's own reload asks the lost question again, unasked by the user."""
    page = open_page(browser, live_server, PHONE, scheme)
    lost = "**/gradio_api/queue/join**"
    poll = "**/gradio_api/app_id**"
    try:
        page.route(poll, lambda route: route.abort("connectionfailed"))
        page.route(lost, lambda route: route.abort("connectionfailed"))
        page.fill("#question textarea", "泾河新城开办企业要多久？")
        page.click("#ask")
        page.wait_for_function("document.querySelector('#page-msg').innerText.includes('连接中断')")
        said = page.locator("#page-msg").inner_text()
        assert "重试" in said and not any(w in said for w in ("Error", "error", "Connection"))
        assert page.locator(".toast-body:visible").count() == 0
        assert page.locator("#question textarea").input_value() == "泾河新城开办企业要多久？"
        page.wait_for_function("!document.querySelector('#ask').disabled")  # 提问 usable again
        assert axe_violations(page) == []
        page.unroute(lost)
        page.click("#page-msg button.retry")
        page.locator("#answer-panel .answer-box.state-answered").wait_for()
        assert "1 个工作日" in page.locator("#answer-panel .key-fact").inner_text()

        # lost again, and the user does nothing: once the server answers Gradio's poll, the page
        # reloads by itself and the question is asked again (a second turn), never lost
        page.route(lost, lambda route: route.abort("connectionfailed"))
        page.fill("#question textarea", "泾河新城开办企业要多久？")
        page.click("#ask")
        page.wait_for_function("document.querySelector('#page-msg').innerText.includes('连接中断')")
        page.unroute(lost)
        page.unroute(poll)
        page.locator('#answer-panel .answer-box.state-answered[data-turn="2"]').wait_for()
        assert "1 个工作日" in page.locator("#answer-panel .key-fact").inner_text()
    finally:
        page.context.close()


def test_no_developer_text_for_citizens(desktop):
    page = desktop
    page.wait_for_timeout(500)
    text = page.locator("body").inner_text()
    assert "通过 API 使用" not in text and "Use via API" not in text and "Gradio" not in text
    assert "ASSISTANT_ADMIN_TOKEN" not in page.content()


def test_an_admin_mistake_is_said_in_chinese(browser, live_server):
    page = open_page(browser, live_server, DESKTOP)
    try:
        page.get_by_role("tab", name="文件管理").click()
        page.wait_for_selector("#document-table")
        page.locator("#upload-file").click()  # a file chosen before the token is typed
        page.wait_for_function("document.querySelector('#admin-msg').innerText.includes('管理口令')")
        said = page.locator("#admin-msg").inner_text()
        assert "HTTP" not in said and "{" not in said
        # the upload endpoint refusing: said the same way, no raw JSON anywhere
        page.evaluate("fetch('/gradio_api/upload', {method: 'POST', body: new FormData()})")
        page.wait_for_timeout(500)
        assert "HTTP 401" not in page.locator("body").inner_text()
        # Gradio's own error toast: its text in the page's message area, in Chinese
        page.evaluate("""(() => { const t = document.createElement('div'); t.className = 'toast-body';
            t.innerHTML = '<div class="toast-text">HTTP 401: {"error": "unauthorized"}</div>';
            document.body.appendChild(t); })()""")
        page.wait_for_function("document.querySelector('#admin-msg').innerText.includes('管理口令缺失或不正确')")
        assert '{"error"' not in page.locator("#admin-msg").inner_text()
        assert axe_violations(page) == []
    finally:
        page.context.close()


# -- 4, 5. deadlines and departments in the answer box ---------------------------------------------
def test_the_box_names_a_deadlines_task_and_whether_it_passed(phone):
    page = phone
    ask(page, "泾河新城开办企业要多久？")
    ask(page, "牵头单位是谁？")
    deadlines = page.locator("#answer-panel .deadlines").inner_text()
    assert "提升企业开办“一件事”效率" in deadlines and "2023年9月底前" in deadlines
    assert "（已过）" in deadlines  # the server's today is after 2023


def test_departments_of_several_regions_are_grouped_and_names_whole(desktop):
    page = desktop
    ask(page, "获得电力的办电时间压减到多少天？")
    departments = page.locator("#answer-panel .departments")
    labels = departments.locator(".region-label").all_inner_texts()
    assert len(labels) >= 2 and "西安" in labels and "泾河新城" in labels
    text = departments.inner_text()
    assert "市资源规划局" in text and "市资源、规划局" not in text
    assert "规划局" not in text.replace("市资源规划局", "")


# -- 6. phone ----------------------------------------------------------------------------------------
def test_on_a_phone_no_zoom_big_targets_and_a_way_back(phone):
    page = phone
    assert page.evaluate("getComputedStyle(document.querySelector('#question textarea')).fontSize") == "16px"
    ask(page, "泾河新城开办企业要多久？")
    sizes = page.evaluate("""[...document.querySelectorAll('#answer-panel a.cite, #answer-panel .cite-chip')]
        .map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })""")
    assert sizes and all(w >= 44 and h >= 44 for w, h in sizes), sizes
    page.locator("#answer-panel a.cite").first.click()
    page.locator("#back-to-answer").wait_for()
    assert page.evaluate("document.querySelector('#card-1').getBoundingClientRect().top") < 844
    page.click("#back-to-answer")
    page.wait_for_function("""(() => { const r = document.querySelector('#answer-panel .answer-box')
        .getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; })()""")
    assert page.locator("#back-to-answer").is_hidden()
    assert axe_violations(page) == []


# -- 7. 新对话 --------------------------------------------------------------------------------------
def test_new_conversation_is_apart_from_feedback_clears_filters_and_can_be_undone(desktop):
    page = desktop
    assert page.locator("#feedback-row #new-chat").count() == 0  # not beside 👎 and the comment
    page.locator("#filters").get_by_text("筛选：地区 / 文件").click()
    page.locator("#region input").click()
    page.locator("#region input").fill("渭滨")
    page.get_by_role("option", name="渭滨区").click()
    page.wait_for_function("document.querySelector('#filter-chips').innerText.includes('渭滨区')")
    page.locator("#document input").click()  # focus leaves the region box
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#region input').value === '渭滨区'")  # no indentation
    ask(page, "热线工单直派机制由哪个单位牵头？")
    page.click("#new-chat")
    page.wait_for_function("document.querySelector('#chat').innerText.trim() === ''")
    page.wait_for_function("!document.querySelector('#filter-chips').innerText.includes('渭滨区')")
    assert page.locator("#region input").input_value() == "全部地区"
    page.click("#feedback-status button.undo-new")
    page.wait_for_function("document.querySelector('#chat .turn') !== null")
    assert "热线工单直派机制" in page.locator("#chat").inner_text()
    page.wait_for_function("document.querySelector('#filter-chips').innerText.includes('渭滨区')")
    # the undo lasts a few seconds only
    page.click("#new-chat")
    page.locator("#feedback-status button.undo-new").wait_for()
    page.wait_for_timeout(9_000)
    assert page.locator("#feedback-status button.undo-new").count() == 0


# -- 8. focus, keys, admin -----------------------------------------------------------------------------
def test_focus_returns_to_the_question_and_shift_enter_breaks_a_line(desktop):
    page = desktop
    ask(page, "泾河新城开办企业要多久？")
    page.wait_for_function("document.activeElement === document.querySelector('#question textarea')")
    page.type("#question textarea", "第一行")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("第二行")
    assert page.locator("#question textarea").input_value() == "第一行\n第二行"
    assert page.locator("#chat .turn").count() == 1  # Shift+Enter sent nothing
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#chat .turn').length === 2")


def test_admin_destructive_actions_are_marked_and_ids_unique(browser, live_server):
    page = open_page(browser, live_server, DESKTOP)
    try:
        page.get_by_role("tab", name="文件管理").click()
        page.wait_for_selector("#document-table")
        page.locator("#document-table [role=gridcell]", has_text="xa2024-60").first.click()
        page.wait_for_function("document.querySelector('#admin-doc input').value.includes('xa2024-60')")
        page.click("#remove-button")
        page.locator("#confirm-remove-button").wait_for()
        for button in ("#remove-button", "#confirm-remove-button"):
            assert "pa-danger" in (page.locator(button).get_attribute("class") or "")
            red, green, blue = page.evaluate(
                f"getComputedStyle(document.querySelector('{button}')).backgroundColor.match(/\\d+/g).map(Number)")
            assert red >= 140 and green < 60 and blue < 60, (button, red, green, blue)  # a red, white-text button
        assert "不可撤销" in page.locator("#confirm-remove-button").inner_text()
        duplicated = page.evaluate("""(() => { const n = {}; document.querySelectorAll('[id]').forEach(e => {
            if (e.id) n[e.id] = (n[e.id] || 0) + 1; }); return Object.keys(n).filter(k => n[k] > 1); })()""")
        assert duplicated == []
        page.click("#cancel-remove-button")
        assert axe_violations(page) == []
    finally:
        page.context.close()


# -- 9. preview, follow-ups, feedback per answer ---------------------------------------------------------
def test_a_marker_previews_its_sentence_and_follow_ups_are_offered(desktop, live_server):
    page = desktop
    ask(page, "泾河新城开办企业要多久？")
    page.hover("#answer-panel a.cite")
    page.locator("#cite-preview").wait_for()
    assert "1 个工作日" in page.locator("#cite-preview").inner_text()
    buttons = page.locator("#answer-panel .suggestions button.suggest")
    offered = buttons.all_inner_texts()
    assert "牵头单位是谁？" in offered and "那西安呢？" in offered
    buttons.filter(has_text="牵头单位是谁？").click()
    page.wait_for_function("document.querySelectorAll('#chat .turn').length === 2")
    assert "市监分局" in page.locator("#answer-panel .key-fact").inner_text()
    # feedback on the first answer, from the conversation
    page.locator("#chat #turn-1 button.rate-turn[data-rating='down']").click()
    page.wait_for_function("document.querySelector('#feedback-status').innerText.includes('第1条答案')")
    from tests.conftest import LIVE_AUTH

    rows = httpx.get(live_server + "/api/feedback", headers=LIVE_AUTH).json()["feedback"]
    assert any(r["rating"] == "down" and r["question"] == "泾河新城开办企业要多久？" for r in rows)
    assert axe_violations(page) == []


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


def test_a_long_press_on_a_marker_previews_its_sentence_on_a_phone_without_jumping(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(live_server + "/", wait_until="domcontentloaded")
        page.wait_for_selector("#question textarea")
        ask(page, "泾河新城开办企业要多久？")
        link = page.locator("#answer-panel a.cite").first
        link.scroll_into_view_if_needed()
        touch = """([el, type]) => {
            const r = el.getBoundingClientRect();
            const t = new Touch({identifier: 1, target: el, clientX: r.left + 2, clientY: r.top + 2});
            el.dispatchEvent(new TouchEvent(type, {bubbles: true, cancelable: true, touches: type === 'touchend' ? [] : [t],
                                                   changedTouches: [t]}));
        }"""
        handle = link.element_handle()
        page.evaluate(touch, [handle, "touchstart"])
        page.locator("#cite-preview").wait_for(state="visible")  # after the press is held (450 ms)
        assert "1 个工作日" in page.locator("#cite-preview").inner_text()
        page.evaluate(touch, [handle, "touchend"])
        y = page.evaluate("window.scrollY")
        link.dispatch_event("click")  # the click a released long press makes: previewed, no jump
        page.wait_for_timeout(300)
        assert page.evaluate("window.scrollY") == y
        # a short tap jumps to the cited card as before
        page.evaluate(touch, [handle, "touchstart"])
        page.evaluate(touch, [handle, "touchend"])
        link.dispatch_event("click")
        page.wait_for_function(f"window.scrollY !== {y}")
    finally:
        context.close()
