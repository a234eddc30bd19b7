"""The Gradio page, for a citizen, an enterprise and a 12345 operator: the answer first (its key
fact, citation, department and a copy button directly under the question), the conversation,
citation cards that the answer's [n] open, filters as a region tree; and a 文件管理 tab for
adding, retiring and removing documents (behind the admin token).

This module lays the page out and wires each control to its handler (`web.ui.handlers`); the
handlers call the service, nothing here does.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant.service.assistant import Assistant
from assistant.service.feedback import FeedbackStore
from assistant.service.imports import ACCEPTED_SUFFIXES
from web.limits import Limits
from web.ui import render
from web.ui.blocks import GuardedBlocks
from web.ui.handlers import ALL_REGIONS, EMPTY, Handlers, new_conversation, pick_row

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TITLE = "营商环境政策问答"
EXAMPLES = {
    "市民": ["在西安开办企业需要多长时间？", "企业注销需要多长时间？", "不动产登记多久能办完？"],
    "企业": ["渭滨区对企业融资有哪些支持措施？", "小微企业贷款有哪些优惠？", "获得电力的办电时间压减到多少天？"],
    "12345热线": ["热线工单直派机制由哪个单位牵头？", "泾河新城开办企业的完成时限是什么时候？",
                  "企业投诉涉企问题应转哪个部门？"],
}
INTRO = "查询西安、陕西及周边地区的营商环境（放管服）政策：先给结论，再给出处和负责部门，均摘自政策原文。"
HELP = ("<li>点答案中的 [1] 或出处标签，打开引用条款，答案所用的句子已高亮。</li>"
        "<li>继续追问（如“那渭滨区呢？”“牵头单位是谁？”）会沿用上文；“新对话”清空上文。</li>"
        "<li><kbd>Alt</kbd>+<kbd>C</kbd> 复制当前答案（含出处和部门），可直接粘贴到工单。</li>"
        "<li>对话保存在本浏览器中，刷新页面不会丢失；可导出为 Markdown。</li>")
ADMIN_INTRO = ("添加、替换或废止政策文件。需要管理口令（由系统管理员在服务器上设置；未设置时本页操作不可用）。"
               "每次操作后索引增量更新，完成后新的问答立即按新文件作答；已废止、被替代的文件默认不再用于作答。"
               "可一次选择多个文件，完成后逐个列出已添加、重复跳过和未添加的文件及原因；标题、日期、文号只用于单个文件。"
               "在文件列表中点选一行即可对该文件操作。")
THEME = gr.themes.Soft(
    primary_hue=gr.themes.colors.blue, secondary_hue=gr.themes.colors.blue, neutral_hue=gr.themes.colors.gray,
    font=[gr.themes.Font("system-ui"), "PingFang SC", "Noto Sans CJK SC", "sans-serif"],
    font_mono=[gr.themes.Font("ui-monospace"), "monospace"],
).set(
    # contrast of at least 4.5:1 for every text on its background, light and dark (axe-core)
    button_primary_background_fill="*primary_700", button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white", button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover_dark="*primary_600", button_primary_text_color_dark="white",
    block_label_text_color="*neutral_800", block_label_text_color_dark="*neutral_100",
    block_label_background_fill="*neutral_100", block_label_background_fill_dark="*neutral_800",
    block_title_text_color="*neutral_800", block_title_text_color_dark="*neutral_100",
    block_title_background_fill="*neutral_100", block_title_background_fill_dark="*neutral_800",
    body_text_color_subdued="*neutral_600", body_text_color_subdued_dark="*neutral_300",
    color_accent="*primary_700", color_accent_soft="*primary_100", color_accent_soft_dark="*primary_800",
    link_text_color="*primary_700", link_text_color_dark="*primary_300",
)
CSS = (HERE / "page.css").read_text(encoding="utf-8")
HEAD = f"<script>{(HERE / 'page.js').read_text(encoding='utf-8')}</script>"


def storage_secret(data_dir: Path) -> str:
    """The key of the conversation kept in the browser, the same across restarts (kept in
    `data/`), so a restart loses no conversation; a fresh one when `data/` cannot be written."""
    path = data_dir / "browser-storage.key"
    try:
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        log.warning("conversations will not survive a restart: %s not writable (%s)", path, exc)
        return secrets.token_hex(32)


@dataclass
class AskTab:
    """The controls of the 问答 tab that events read or write."""

    question: gr.Textbox
    ask_btn: gr.Button
    stop_btn: gr.Button
    undo_btn: gr.Button
    ask_error: gr.HTML
    answer_box: gr.HTML
    search_all_btn: gr.Button
    up_btn: gr.Button
    down_btn: gr.Button
    comment: gr.Textbox
    new_btn: gr.Button
    status: gr.HTML
    chips: gr.HTML
    region: gr.Dropdown
    document: gr.Dropdown
    clear_filters: gr.Button
    examples: gr.Accordion
    conversation: gr.HTML
    cards: gr.HTML
    rate_which: gr.Textbox
    rate_go: gr.Button


@dataclass
class AdminTab:
    """The controls of the 文件管理 tab that events read or write."""

    token: gr.Textbox
    upload_file: gr.File
    up_region: gr.Textbox
    up_title: gr.Textbox
    up_date: gr.Textbox
    up_number: gr.Textbox
    upload_btn: gr.Button
    doc_id: gr.Dropdown
    successor: gr.Dropdown
    retire_btn: gr.Button
    reinstate_btn: gr.Button
    remove_btn: gr.Button
    confirm: gr.Group
    confirm_note: gr.HTML
    confirm_btn: gr.Button
    cancel_btn: gr.Button
    admin_status: gr.HTML
    table: gr.Dataframe


@dataclass
class QuestionAndAnswer:
    question: gr.Textbox
    ask_btn: gr.Button
    stop_btn: gr.Button
    new_btn: gr.Button
    undo_btn: gr.Button
    ask_error: gr.HTML
    answer_box: gr.HTML
    search_all_btn: gr.Button


def _question_and_answer(max_chars: int) -> QuestionAndAnswer:
    """The question box with its buttons and counter, the message beside it, and the answer."""
    with gr.Row(equal_height=True):
        question = gr.Textbox(label="问题", show_label=False, scale=6, lines=1, max_lines=4,
                              placeholder="请输入问题，例如：在西安开办企业需要多长时间？",
                              elem_id="question", autofocus=True)
        ask_btn = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="ask")
        stop_btn = gr.Button("停止", variant="secondary", scale=1, min_width=80, elem_id="stop", visible=False)
    with gr.Row(equal_height=True, elem_id="q-bar"):
        gr.HTML(f'<p class="q-meta">字数 <span id="q-count" data-max="{max_chars}">0 / {max_chars}</span>'
                "　回车提问，Shift+回车换行</p>", elem_id="q-meta", padding=False)
        new_btn = gr.Button("🗑️ 新对话", size="sm", min_width=100, scale=0, elem_id="new-chat")
        # pressed by the 撤销 link of the message 新对话 leaves (page.js); not shown itself
        undo_btn = gr.Button("撤销新对话", size="sm", elem_id="undo-new", elem_classes=["pa-offscreen"])
    ask_error = gr.HTML(elem_id="ask-error", padding=False)
    gr.HTML('<div class="msg-area" aria-live="polite"></div>', elem_id="page-msg", padding=False)  # page.js says here
    answer_box = gr.HTML(elem_id="answer-panel", padding=False)
    search_all_btn = gr.Button("在全部文件中查找", visible=False, size="sm", elem_id="search-all")
    return QuestionAndAnswer(question, ask_btn, stop_btn, new_btn, undo_btn, ask_error, answer_box, search_all_btn)


def _ask_tab(max_chars: int) -> AskTab:
    with gr.Tab("问答", elem_id="tab-ask"), gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            qa = _question_and_answer(max_chars)
            with gr.Row(equal_height=True, elem_id="feedback-row"):
                up_btn = gr.Button("👍 有用", size="sm", min_width=80, elem_id="thumbs-up")
                down_btn = gr.Button("👎 没用", size="sm", min_width=80, elem_id="thumbs-down")
                comment = gr.Textbox(label="意见（可选）", show_label=False, placeholder="意见（可选）：哪里不对？应引用哪条？",
                                     lines=1, scale=3, elem_id="comment")
            status = gr.HTML(elem_id="feedback-status", padding=False)
            chips = gr.HTML(render.filter_chips_html({}), elem_id="filter-chips", padding=False)
            with gr.Accordion("筛选：地区 / 文件", open=False, elem_id="filters"):
                with gr.Row():
                    region = gr.Dropdown([("全部地区", ALL_REGIONS)], value=ALL_REGIONS, label="地区",
                                         elem_id="region", allow_custom_value=False, filterable=True)
                    document = gr.Dropdown([("全部文件", "")], value="", label="文件", elem_id="document",
                                           filterable=True)
                clear_filters = gr.Button("清除筛选", size="sm", elem_id="clear-filters")
            with gr.Accordion("示例问题", open=True, elem_id="examples") as examples:
                for group, questions in EXAMPLES.items():
                    gr.Examples(questions, inputs=[qa.question], label=group)
            conversation = gr.HTML(elem_id="chat", padding=False)
            # the 👍 / 👎 of an answer in the conversation: page.js writes "<turn>:<rating>" and presses
            with gr.Row(elem_classes=["pa-offscreen"]):
                rate_which = gr.Textbox(label="评价的答案", elem_id="rate-turn")
                rate_go = gr.Button("记录评价", elem_id="rate-turn-go")
        with gr.Column(scale=4, min_width=320):
            cards = gr.HTML(elem_id="citations", padding=False)
    return AskTab(qa.question, qa.ask_btn, qa.stop_btn, qa.undo_btn, qa.ask_error, qa.answer_box, qa.search_all_btn,
                  up_btn, down_btn, comment, qa.new_btn, status, chips, region, document, clear_filters, examples,
                  conversation, cards, rate_which, rate_go)


def _admin_tab() -> AdminTab:
    with gr.Tab("文件管理", elem_id="tab-admin"):
        gr.HTML(f'<h2>文件管理</h2><p class="intro">{ADMIN_INTRO}</p>', padding=False)
        token = gr.Textbox(label="管理口令", type="password", elem_id="admin-token")
        with gr.Row():
            with gr.Column(scale=3):
                upload_file = gr.File(label=f"上传文件，可多选（{' / '.join(ACCEPTED_SUFFIXES)}；扫描件与图片自动识别文字）",
                                      type="filepath", file_count="multiple", file_types=list(ACCEPTED_SUFFIXES),
                                      elem_id="upload-file")
            with gr.Column(scale=2):
                up_region = gr.Textbox(label="地区（留空则从正文识别）", elem_id="upload-region")
                up_title = gr.Textbox(label="标题（可选）", elem_id="upload-title")
                with gr.Row():
                    up_date = gr.Textbox(label="日期 YYYY-MM-DD（可选）", elem_id="upload-date")
                    up_number = gr.Textbox(label="文号（可选）", elem_id="upload-number")
                upload_btn = gr.Button("添加并更新索引", variant="primary", elem_id="upload-button")
        with gr.Row(equal_height=True):
            doc_id = gr.Dropdown([], value=None, label="选择文件（或点选下表中的一行）", elem_id="admin-doc",
                                 filterable=True, scale=3)
            successor = gr.Dropdown([("（无）", "")], value="", label="替代文件（可选）", elem_id="admin-successor",
                                    filterable=True, scale=2)
        with gr.Row():
            retire_btn = gr.Button("废止 / 被替代", elem_id="retire-button")
            reinstate_btn = gr.Button("恢复现行", elem_id="reinstate-button")
            remove_btn = gr.Button("⚠️ 删除…", variant="stop", elem_id="remove-button", elem_classes=["pa-danger"])
        with gr.Group(visible=False) as confirm:  # no elem_id: Gradio would give it to two elements
            confirm_note = gr.HTML(padding=False, elem_classes=["confirm-box"], elem_id="confirm-note")
            with gr.Row():
                confirm_btn = gr.Button("⚠️ 确认删除（不可撤销）", variant="stop", elem_id="confirm-remove-button",
                                        elem_classes=["pa-danger"])
                cancel_btn = gr.Button("取消", elem_id="cancel-remove-button")
        admin_status = gr.HTML(elem_id="admin-status", padding=False)
        gr.HTML('<div class="msg-area" aria-live="polite"></div>', elem_id="admin-msg", padding=False)
        gr.HTML("<h3>文件列表</h3>", padding=False)
        table = gr.Dataframe(headers=["编号", "状态", "地区", "日期", "文号", "条款数", "标题"], interactive=False,
                             wrap=True, elem_id="document-table")
    return AdminTab(token, upload_file, up_region, up_title, up_date, up_number, upload_btn, doc_id, successor,
                    retire_btn, reinstate_btn, remove_btn, confirm, confirm_note, confirm_btn, cancel_btn,
                    admin_status, table)


def _wire_ask(h: Handlers, state: gr.BrowserState, undo: gr.State, a: AskTab) -> None:
    ask_out = [a.answer_box, a.conversation, a.cards, a.question, state, a.ask_error, a.examples, a.search_all_btn]
    ask_in = [a.question, a.region, a.document, state]
    busy = [a.answer_box, a.ask_error, a.stop_btn]
    quiet = "hidden"  # show_progress: 正在查找… says it; no spinner over the question box
    running = []
    # 提问 and Enter: 正在查找… (and 停止) at once, then the answer; page.js keeps 提问 disabled
    # meanwhile and queues a question sent before the answer comes
    for trigger, api in ((a.ask_btn.click, {"api_name": "ask"}), (a.question.submit, {"api_visibility": "private"})):
        first = trigger(h.loading, [state], busy, api_visibility="private", queue=False, show_progress=quiet)
        answer = first.then(h.respond, ask_in, ask_out, **api, show_progress=quiet)  # type: ignore[arg-type]
        answer.then(lambda: gr.update(visible=False), None, [a.stop_btn], api_visibility="private", queue=False)
        running.append(answer)
    a.stop_btn.click(h.stopped, [state], busy, cancels=running, api_visibility="private", queue=False)
    a.search_all_btn.click(h.search_everywhere, [state], [*ask_out, a.region, a.document], api_visibility="private")
    a.new_btn.click(new_conversation, [state, a.region, a.document],
                    [*ask_out, a.status, a.comment, a.region, a.document, undo], api_visibility="private")
    a.undo_btn.click(h.undo_new, [undo], [a.answer_box, a.conversation, a.cards, state, a.examples, a.region,
                                          a.document, a.ask_error, a.status, undo], api_visibility="private")
    a.rate_go.click(h.rate_turn, [a.rate_which, a.comment, state], [a.status, a.comment], api_visibility="private")
    a.up_btn.click(h.rate_up, [a.comment, state], [a.status, a.comment],
                   api_visibility="private")
    a.down_btn.click(h.rate_down, [a.comment, state], [a.status, a.comment],
                     api_visibility="private")
    for control in (a.region, a.document):
        control.change(lambda r, d: render.filter_chips_html(h.filters_said(r, d)), [a.region, a.document],
                       [a.chips], api_visibility="private", show_progress="hidden")
    a.clear_filters.click(lambda: (ALL_REGIONS, ""), None, [a.region, a.document], api_visibility="private")


def _wire_admin(h: Handlers, pending_removal: gr.State, a: AskTab, m: AdminTab) -> None:
    lists = [a.region, a.document, m.doc_id, m.successor]
    form = [m.upload_file, m.up_region, m.up_title, m.up_date, m.up_number]
    admin_out = [m.admin_status, m.table, *lists, m.confirm, *form]
    m.upload_btn.click(h.upload, [m.token, *form], admin_out, api_visibility="private")
    m.retire_btn.click(h.retire, [m.token, m.doc_id, m.successor], admin_out, api_visibility="private")
    m.reinstate_btn.click(h.reinstate, [m.token, m.doc_id], admin_out, api_visibility="private")
    m.remove_btn.click(lambda d: (h.confirm_text(d), gr.Group(visible=bool(d)), d or "",
                                  "" if d else '<p class="admin-error" role="alert">⚠️ 请先在列表中点选一个文件，'
                                               "或在“选择文件”中选择。</p>"),
                       [m.doc_id], [m.confirm_note, m.confirm, pending_removal, m.admin_status],
                       api_visibility="private")
    m.cancel_btn.click(lambda: (gr.Group(visible=False), ""), None, [m.confirm, pending_removal],
                       api_visibility="private")
    m.confirm_btn.click(h.remove, [m.token, pending_removal, m.doc_id], admin_out, api_visibility="private")
    m.table.select(pick_row, None, [m.doc_id], api_visibility="private")
    # a new file chosen: the message about the last one goes
    m.upload_file.upload(lambda: "", None, [m.admin_status], api_visibility="private", queue=False)


def build_ui(assistant: Assistant, feedback: FeedbackStore, limits: Limits | None = None) -> gr.Blocks:
    h = Handlers(assistant, feedback, limits)
    # the page's uploaded files are swept an hour after they arrive
    with GuardedBlocks(title=TITLE, analytics_enabled=False, delete_cache=(600, 3600)) as demo:
        state = gr.BrowserState(dict(EMPTY), storage_key="policy-assistant-conversation",
                                secret=storage_secret(assistant.settings.data_dir))
        undo = gr.State(None)  # what 新对话 cleared, for 撤销
        pending_removal = gr.State("")  # the document 删除… asked about: the one 确认删除 removes
        gr.HTML(f'<h1 class="page-title">{TITLE}</h1><p class="intro">{INTRO}</p>'
                f'<details class="help"><summary>使用说明</summary><ul>{HELP}</ul></details>', elem_id="header",
                padding=False)
        ask = _ask_tab(assistant.settings.max_question_chars)
        admin = _admin_tab()
        demo.limits, demo.admin_token = limits, admin.token

        _wire_ask(h, state, undo, ask)
        lists = [ask.region, ask.document, admin.doc_id, admin.successor]
        demo.load(h.filter_lists, None, lists, api_visibility="private")
        demo.load(h.document_rows, None, [admin.table], api_visibility="private")
        demo.load(h.restore, [state], [ask.answer_box, ask.conversation, ask.cards, ask.examples, state],
                  api_visibility="private")
        _wire_admin(h, pending_removal, ask, admin)
    return demo
