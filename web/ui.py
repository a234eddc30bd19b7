"""The Gradio page, for a citizen, an enterprise and a 12345 operator: the answer first (its key
fact, citation, department and a copy button directly under the question), the conversation,
citation cards that the answer's [n] open, filters as a region tree; and a 文件管理 tab for
adding, retiring and removing documents (behind the admin token).

The conversation lives in the browser's storage (`gr.BrowserState`), so a reload keeps it; the
follow-up context is its questions, so 新对话 clears both at once. The page calls the service
(`Assistant`) and the feedback store, nothing else. A user's mistake is a message beside the
control that caused it, logged as one line; the rest of the page stays usable.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.errors import AssistantError, CorpusError, IndexMissing, IndexStale, InvalidRequest, StorageError
from assistant.service.assistant import Assistant
from assistant.service.feedback import FeedbackStore
from assistant.service.library import Metadata
from assistant.understand.conversation import Turn
from web import render

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ALL_REGIONS = ""
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
ADMIN_INTRO = ("添加、替换或废止政策文件。需要管理口令（服务器上设置 <code>ASSISTANT_ADMIN_TOKEN</code>；未设置时本页操作不可用）。"
               "每次操作后索引增量更新，完成后新的问答立即按新文件作答；已废止、被替代的文件默认不再用于作答。"
               "在文件列表中点选一行即可对该文件操作。")
MAX_TURNS_KEPT = 30  # turns kept in the browser's storage
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
EMPTY: dict[str, Any] = {"turns": []}


def _refused(exc: AssistantError, where: str) -> None:
    """One log line with its code, no traceback: a user's mistake (INFO), or the index being
    unavailable (WARNING, as the API logs it)."""
    unavailable = isinstance(exc, (IndexMissing, IndexStale, CorpusError, StorageError))
    log.log(logging.WARNING if unavailable else logging.INFO, "%s refused (%s): %s", where, exc.code, exc.message)


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


def region_choices(tree: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """The region filter as a tree: each region indented under the one containing it."""
    return [("全部地区", ALL_REGIONS), *(("\u3000" * depth + ("└ " if depth else "") + name, name) for name, depth in tree)]


def build_ui(assistant: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    max_chars = assistant.settings.max_question_chars

    def filter_lists() -> tuple[Any, Any, Any, Any]:
        """The region tree and the document list for the filters, and the documents for admin."""
        try:
            tree = assistant.region_tree()
            documents = assistant.documents()
        except AssistantError:
            return gr.update(), gr.update(), gr.update(), gr.update()
        docs = [(f"{d.title}（{d.region}）", d.id) for d, _n in documents if d.kind != "sub_plan"]
        admin_docs = [(f"{d.title}（{d.id} · {d.status}）", d.id) for d, _n in documents if d.kind != "sub_plan"]
        # the filters go back to everything: a value no longer offered would be refused
        return (gr.update(choices=region_choices(tree), value=ALL_REGIONS),
                gr.update(choices=[("全部文件", ""), *docs], value=""),
                gr.update(choices=admin_docs, value=None), gr.update(choices=[("（无）", ""), *admin_docs], value=""))

    def titles() -> dict[str, str]:
        try:
            return {d.id: d.title for d, _n in assistant.documents()}
        except AssistantError:
            return {}

    def filters_said(region: str, document: str) -> dict[str, str]:
        return {"地区": region or "", "文件": titles().get(document, document) if document else ""}

    def show(turns: list[dict[str, Any]], live: bool) -> tuple[str, str, str]:
        last = turns[-1] if turns else None
        return (render.answer_box_html(last, live=live), render.conversation_html(turns),
                render.cards_html(last, assistant.clause))

    def ask_(question: str, region: str, document: str, turns: list[dict[str, Any]]) -> dict[str, Any]:
        history = [Turn("user", t["question"]) for t in turns]
        answer = assistant.ask(question, region=region or None, document=document or None, history=history)
        number = (turns[-1]["turn"] + 1) if turns else 1
        return render.turn_record(answer, number, filters_said(region, document))

    def respond(question: str, region: str, document: str, state: dict[str, Any]) -> tuple[Any, ...]:
        turns = render.turns_of(state)
        try:
            record = ask_(question, region, document, turns)
        except AssistantError as exc:
            _refused(exc, "question")
            return (gr.update(),) * 5 + (render.error_html(exc), gr.update(), gr.update())
        turns = [*turns, record][-MAX_TURNS_KEPT:]
        box, chat, cards = show(turns, live=True)
        search_all = gr.update(visible=record["state"] == "not_found" and bool(record["filters"]))
        return box, chat, cards, "", {"turns": turns}, "", gr.Accordion(open=False), search_all

    def search_everywhere(state: dict[str, Any]) -> tuple[Any, ...]:
        """The last question again, with no filter (it replaces the filtered answer)."""
        turns = render.turns_of(state)
        if not turns:
            return (gr.update(),) * 10
        last, earlier = turns[-1], turns[:-1]
        try:
            record = ask_(last["question"], "", "", earlier)
        except AssistantError as exc:
            _refused(exc, "question")
            return (gr.update(),) * 5 + (render.error_html(exc),) + (gr.update(),) * 4
        turns = [*earlier, record]
        box, chat, cards = show(turns, live=True)
        return (box, chat, cards, "", {"turns": turns}, "", gr.update(), gr.update(visible=False),
                ALL_REGIONS, "")

    def restore(state: dict[str, Any]) -> tuple[Any, ...]:
        """After a reload: the conversation kept in the browser, rendered again (its malformed
        turns dropped, from the storage too)."""
        turns = render.turns_of(state)
        if not turns:
            return "", "", "", gr.update(), dict(EMPTY)
        box, chat, cards = show(turns, live=False)
        return box, chat, cards, gr.Accordion(open=False), {"turns": turns}

    def new_conversation() -> tuple[Any, ...]:
        return ("", "", "", "", dict(EMPTY), "", gr.Accordion(open=True), gr.update(visible=False), "", "")

    def rate(rating: str, comment: str, state: dict[str, Any]) -> tuple[str, Any]:
        turns = render.turns_of(state)
        if not turns:
            return '<p class="ask-error" role="alert">请先提问，再评价答案。</p>', gr.update()
        last = turns[-1]
        try:
            row = feedback.add(rating, last["question"], last["copy"], comment or "",
                               [c["clause_id"] for c in last["citations"]], "ui")
        except AssistantError as exc:
            _refused(exc, "feedback")
            return render.error_html(exc), gr.update()
        return f'<p role="status">已记录您的评价（#{row.id} {"👍" if rating == "up" else "👎"}），谢谢！</p>', ""

    # -- 文件管理 (admin) ----------------------------------------------------------------------
    def document_rows() -> list[list[Any]]:
        try:
            documents = assistant.documents()
        except AssistantError:
            return []
        rows = [[d.id, d.status + (f" → {d.superseded_by}" if d.superseded_by else ""), d.region, d.date_iso,
                 d.doc_number, n, d.title] for d, n in documents if d.kind != "sub_plan"]
        return rows[::-1]  # the latest added first

    def admin(token: str, action: Callable[[], tuple[str, dict[str, Any]]], clear_form: bool = False) -> tuple[Any, ...]:
        """Run an admin action; on success the lists everywhere are refreshed (and the upload form
        cleared), on failure a message and nothing else changes."""
        keep = (gr.update(),) * 11
        try:
            assistant.authorize(token)
            said, manifest = action()
        except AssistantError as exc:
            _refused(exc, "admin")
            return (f'<p class="admin-error" role="alert">⚠️ {escape(exc.message_zh)}</p>',) + keep
        reuse = manifest.get("reuse", {})
        mode = {"incremental": "增量更新", "full": "全量重建", "up to date": "无需更新"}.get(manifest.get("mode", ""), "")
        status = (f'<p role="status">✅ {escape(said)}。索引已更新（{mode}，用时 {manifest.get("build_seconds")} 秒，'
                  f'重新解析 {reuse.get("sources_parsed", 0)} 个文件、计算 {reuse.get("vectors_computed", 0)} 条向量），'
                  "新的问答立即生效。</p>")
        form = (gr.update(value=None), "", "", "", "") if clear_form else (gr.update(),) * 5
        return (status, document_rows(), *filter_lists(), gr.update(visible=False), *form)

    def upload(token: str, path: str | None, region_: str, title: str, date: str, doc_number: str) -> tuple[Any, ...]:
        def act() -> tuple[str, dict[str, Any]]:
            if not path:
                raise InvalidRequest("no file chosen", "请先选择要上传的文件（.txt / .md / .pdf / .docx）。")
            name = Path(path).name
            assistant.check_size(name, Path(path).stat().st_size)
            meta = Metadata(region=region_.strip(), title=title.strip(), date=date.strip(),
                            doc_number=doc_number.strip())
            spec, manifest = assistant.add_document(name, Path(path).read_bytes(), meta)
            return f"已添加《{spec.title}》（编号 {spec.id}，{spec.region}，{spec.date or '日期未知'}）", manifest

        return admin(token, act, clear_form=True)

    def need(doc_id: str | None) -> str:
        if not doc_id:
            raise InvalidRequest("no document chosen", "请先在列表中点选一个文件，或在“选择文件”中选择。")
        return doc_id

    def retire(token: str, doc_id: str | None, successor: str | None) -> tuple[Any, ...]:
        def act() -> tuple[str, dict[str, Any]]:
            chosen = need(doc_id)
            manifest = assistant.retire_document(chosen, (successor or "").strip())
            return f"已将 {chosen} 标记为{'被替代' if successor else '已废止'}", manifest

        return admin(token, act)

    def reinstate(token: str, doc_id: str | None) -> tuple[Any, ...]:
        def act() -> tuple[str, dict[str, Any]]:
            chosen = need(doc_id)
            return f"已将 {chosen} 恢复为现行", assistant.reinstate_document(chosen)

        return admin(token, act)

    def remove(token: str, asked_about: str | None, chosen: str | None) -> tuple[Any, ...]:
        """Remove the document 删除… asked about, and only while it is still the one chosen."""
        def act() -> tuple[str, dict[str, Any]]:
            if need(asked_about) != chosen:
                raise InvalidRequest("another document was chosen after 删除…; ask again",
                                     "确认后又选择了其他文件：请重新点击“删除…”。")
            spec, manifest = assistant.remove_document(asked_about or "")
            return f"已删除《{spec.title}》（{spec.id}）", manifest

        return admin(token, act)

    def confirm_text(doc_id: str | None) -> str:
        title = titles().get(doc_id or "", doc_id or "")
        return (f'<p role="alert"><strong>确认删除《{escape(title)}》（{escape(doc_id or "")}）？</strong>'
                "删除后该文件从语料中移除并重建索引，不能撤销；只是不再适用时请用“废止”。</p>")

    def pick_row(event: gr.SelectData) -> Any:
        row = event.row_value or []
        return row[0] if row else gr.update()

    # the page's uploaded files are swept an hour after they arrive
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(600, 3600)) as demo:
        state = gr.BrowserState(dict(EMPTY), storage_key="policy-assistant-conversation",
                                secret=storage_secret(assistant.settings.data_dir))
        pending_removal = gr.State("")  # the document 删除… asked about: the one 确认删除 removes
        gr.HTML(f'<h1 class="page-title">{TITLE}</h1><p class="intro">{INTRO}</p>'
                f'<details class="help"><summary>使用说明</summary><ul>{HELP}</ul></details>', elem_id="header",
                padding=False)
        with gr.Tab("问答", elem_id="tab-ask"), gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=320):
                with gr.Row(equal_height=True):
                    question = gr.Textbox(label="问题", show_label=False, scale=6, lines=1, max_lines=4,
                                          placeholder="请输入问题，例如：在西安开办企业需要多长时间？",
                                          elem_id="question", autofocus=True)
                    ask_btn = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="ask")
                gr.HTML(f'<p class="q-meta">字数 <span id="q-count" data-max="{max_chars}">0 / {max_chars}</span>'
                        "　回车提问</p>", elem_id="q-meta", padding=False)
                ask_error = gr.HTML(elem_id="ask-error", padding=False)
                answer_box = gr.HTML(elem_id="answer-panel", padding=False)
                search_all_btn = gr.Button("在全部文件中查找", visible=False, size="sm", elem_id="search-all")
                with gr.Row(equal_height=True):
                    up_btn = gr.Button("👍 有用", size="sm", min_width=80, elem_id="thumbs-up")
                    down_btn = gr.Button("👎 没用", size="sm", min_width=80, elem_id="thumbs-down")
                    comment = gr.Textbox(label="意见（可选）", show_label=False, placeholder="意见（可选）：哪里不对？应引用哪条？",
                                         lines=1, scale=3, elem_id="comment")
                    new_btn = gr.Button("🗑️ 新对话", size="sm", min_width=100, elem_id="new-chat")
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
                        gr.Examples(questions, inputs=[question], label=group)
                conversation = gr.HTML(elem_id="chat", padding=False)
            with gr.Column(scale=4, min_width=320):
                cards = gr.HTML(elem_id="citations", padding=False)
        with gr.Tab("文件管理", elem_id="tab-admin"):
            gr.HTML(f'<h2>文件管理</h2><p class="intro">{ADMIN_INTRO}</p>', padding=False)
            token = gr.Textbox(label="管理口令", type="password", elem_id="admin-token")
            with gr.Row():
                with gr.Column(scale=3):
                    upload_file = gr.File(label="上传文件（.txt / .md / .pdf / .docx）", type="filepath",
                                          file_types=[".txt", ".md", ".pdf", ".docx"], elem_id="upload-file")
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
                remove_btn = gr.Button("删除…", variant="stop", elem_id="remove-button")
            with gr.Group(visible=False, elem_id="confirm-remove") as confirm:
                confirm_note = gr.HTML(padding=False, elem_classes=["confirm-box"], elem_id="confirm-note")
                with gr.Row():
                    confirm_btn = gr.Button("确认删除", variant="stop", elem_id="confirm-remove-button")
                    cancel_btn = gr.Button("取消", elem_id="cancel-remove-button")
            admin_status = gr.HTML(elem_id="admin-status", padding=False)
            gr.HTML("<h3>文件列表</h3>", padding=False)
            table = gr.Dataframe(headers=["编号", "状态", "地区", "日期", "文号", "条款数", "标题"], interactive=False,
                                 wrap=True, elem_id="document-table")

        ask_out = [answer_box, conversation, cards, question, state, ask_error, examples, search_all_btn]
        ask_in = [question, region, document, state]
        ask_btn.click(respond, ask_in, ask_out, api_name="ask")
        question.submit(respond, ask_in, ask_out, api_visibility="private")
        search_all_btn.click(search_everywhere, [state], [*ask_out, region, document], api_visibility="private")
        new_btn.click(new_conversation, None, [*ask_out, status, comment], api_visibility="private")
        up_btn.click(lambda c, s: rate("up", c, s), [comment, state], [status, comment], api_visibility="private")
        down_btn.click(lambda c, s: rate("down", c, s), [comment, state], [status, comment], api_visibility="private")
        for control in (region, document):
            control.change(lambda r, d: render.filter_chips_html(filters_said(r, d)), [region, document], [chips],
                           api_visibility="private", show_progress="hidden")
        clear_filters.click(lambda: (ALL_REGIONS, ""), None, [region, document], api_visibility="private")

        lists = [region, document, doc_id, successor]
        demo.load(filter_lists, None, lists, api_visibility="private")
        demo.load(document_rows, None, [table], api_visibility="private")
        demo.load(restore, [state], [answer_box, conversation, cards, examples, state], api_visibility="private")

        form = [upload_file, up_region, up_title, up_date, up_number]
        admin_out = [admin_status, table, *lists, confirm, *form]
        upload_btn.click(upload, [token, upload_file, up_region, up_title, up_date, up_number], admin_out,
                         api_visibility="private")
        retire_btn.click(retire, [token, doc_id, successor], admin_out, api_visibility="private")
        reinstate_btn.click(reinstate, [token, doc_id], admin_out, api_visibility="private")
        remove_btn.click(lambda d: (confirm_text(d), gr.Group(visible=bool(d)), d or "",
                                    "" if d else '<p class="admin-error" role="alert">⚠️ 请先在列表中点选一个文件，'
                                                 "或在“选择文件”中选择。</p>"),
                         [doc_id], [confirm_note, confirm, pending_removal, admin_status], api_visibility="private")
        cancel_btn.click(lambda: (gr.Group(visible=False), ""), None, [confirm, pending_removal],
                         api_visibility="private")
        confirm_btn.click(remove, [token, pending_removal, doc_id], admin_out, api_visibility="private")
        table.select(pick_row, None, [doc_id], api_visibility="private")
    return demo
