"""The Gradio page: a Chinese chat with the key fact at a glance, citation cards, filters,
example questions, a copy button and 👍 / 👎 feedback; and a 文件管理 tab for adding, retiring
and removing documents (behind the admin token).

The page calls the service (`Assistant`) and the feedback store, nothing else: it never opens an
index or a file itself.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.contract import answer_text
from assistant.conversation import Turn
from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore
from assistant.library import Metadata
from assistant.service import Assistant
from web.render import answer_markdown, citation_cards_html, key_fact_html

log = logging.getLogger(__name__)

ALL_REGIONS = "全部地区"
TITLE = "营商环境政策问答"
EXAMPLES = {
    "市民": ["在西安开办企业需要多长时间？", "企业注销需要多长时间？", "不动产登记多久能办完？"],
    "企业": ["渭滨区对企业融资有哪些支持措施？", "小微企业贷款有哪些优惠？", "获得电力的办电时间压减到多少天？"],
    "12345热线": ["热线工单直派机制由哪个单位牵头？", "泾河新城开办企业的完成时限是什么时候？",
                  "企业投诉涉企问题应转哪个部门？"],
}
INTRO = ("输入问题即可查询西安、陕西及周边地区的营商环境（放管服）政策。每个答案都摘自政策原文并附条款出处；"
         "可在右侧展开引用条款、查看原文。继续追问（如“那渭滨区呢？”“牵头单位是谁？”）会沿用上文。")
ADMIN_INTRO = ("添加、替换或废止政策文件。需要管理口令（服务器上设置 `ASSISTANT_ADMIN_TOKEN`；未设置时本页操作不可用）。"
               "每次操作后索引增量更新，完成后新的问答立即按新文件作答；已废止、被替代的文件默认不再用于作答。")
THEME = gr.themes.Soft(font=[gr.themes.Font("system-ui"), "PingFang SC", "Noto Sans CJK SC", "sans-serif"],
                       font_mono=[gr.themes.Font("ui-monospace"), "monospace"])
EMPTY_STATE: dict[str, Any] = {"questions": [], "last": None}


def _error(exc: AssistantError) -> gr.Error:
    valid = exc.details.get("valid") if exc.details else None
    extra = f"（可选：{'、'.join(valid[:30])}）" if valid and len(valid) <= 30 else ""
    return gr.Error(exc.message_zh + extra)


def build_ui(assistant: Assistant, feedback: FeedbackStore) -> gr.Blocks:
    def load_filters() -> tuple[Any, Any, str]:
        try:
            regions = assistant.regions()
            documents = assistant.documents()
        except AssistantError as exc:
            return gr.update(), gr.update(), f'<div class="key-fact abstained">{exc.message_zh}</div>'
        docs = [(f"{d.title}（{d.region}）", d.id) for d, _n in documents if d.kind != "sub_plan"]
        return (gr.update(choices=[ALL_REGIONS, *regions], value=ALL_REGIONS),
                gr.update(choices=[("全部文件", ""), *docs], value=""), "")

    def respond(question: str, chat: list[dict[str, Any]], region: str, document: str,
                state: dict[str, Any]) -> tuple[Any, ...]:
        state = state or dict(EMPTY_STATE)
        history = [Turn("user", q) for q in state.get("questions", [])]
        try:
            answer = assistant.ask(question, region=None if region in (None, "", ALL_REGIONS) else region,
                                   document=document or None, history=history)
        except AssistantError as exc:
            raise _error(exc) from exc
        chat = [*(chat or []), {"role": "user", "content": question.strip()},
                {"role": "assistant", "content": answer_markdown(answer)}]
        copy = answer_text(answer)
        last = {"question": answer.question, "answer": copy, "clause_ids": [c.clause.id for c in answer.citations]}
        state = {"questions": [*state.get("questions", []), answer.question], "last": last}
        return chat, key_fact_html(answer), citation_cards_html(answer, assistant.clause), "", state, copy, ""

    def rate(rating: str, comment: str, state: dict[str, Any]) -> tuple[str, str]:
        last = (state or {}).get("last")
        if not last:
            raise gr.Error("请先提问，再评价答案。")
        try:
            row = feedback.add(rating, last["question"], last["answer"], comment or "", last["clause_ids"], "ui")
        except AssistantError as exc:
            raise _error(exc) from exc
        return f"已记录您的评价（#{row.id} {'👍' if rating == 'up' else '👎'}），谢谢！", ""

    def clear() -> tuple[Any, ...]:
        return [], "", "", "", dict(EMPTY_STATE), "", ""

    # -- 文件管理 (admin) ----------------------------------------------------------------------
    def document_rows() -> list[list[Any]]:
        try:
            documents = assistant.documents()
        except AssistantError:
            return []
        rows = [[d.id, d.status + (f" → {d.superseded_by}" if d.superseded_by else ""), d.region, d.date_iso,
                 d.doc_number, n, d.title] for d, n in documents if d.kind != "sub_plan"]
        return rows[::-1]  # the latest added first

    def admin(token: str, action: Any) -> tuple[str, Any]:
        try:
            assistant.authorize(token)
            said, manifest = action()
        except AssistantError as exc:
            raise _error(exc) from exc
        reuse = manifest.get("reuse", {})
        mode = {"incremental": "增量更新", "full": "全量重建", "up to date": "无需更新"}.get(manifest.get("mode", ""), "")
        return (f"✅ {said}。索引已更新（{mode}，用时 {manifest.get('build_seconds')} 秒，"
                f"重新解析 {reuse.get('sources_parsed', 0)} 个文件、计算 {reuse.get('vectors_computed', 0)} 条向量），"
                f"新的问答立即生效。"), document_rows()

    def upload(token: str, path: str | None, region_: str, title: str, date: str, doc_number: str) -> tuple[str, Any]:
        if not path:
            raise gr.Error("请先选择要上传的文件（.txt / .md / .pdf / .docx）。")

        def act() -> tuple[str, dict[str, Any]]:
            name = Path(path).name
            assistant.check_size(name, Path(path).stat().st_size)
            meta = Metadata(region=region_.strip(), title=title.strip(), date=date.strip(),
                            doc_number=doc_number.strip())
            spec, manifest = assistant.add_document(name, Path(path).read_bytes(), meta)
            return f"已添加《{spec.title}》（编号 {spec.id}，{spec.region}，{spec.date or '日期未知'}）", manifest

        return admin(token, act)

    def retire(token: str, doc_id: str, successor: str) -> tuple[str, Any]:
        def act() -> tuple[str, dict[str, Any]]:
            manifest = assistant.retire_document(doc_id.strip(), successor.strip())
            return f"已将 {doc_id} 标记为{'被替代' if successor.strip() else '已废止'}", manifest

        return admin(token, act)

    def reinstate(token: str, doc_id: str) -> tuple[str, Any]:
        return admin(token, lambda: (f"已将 {doc_id} 恢复为现行", assistant.reinstate_document(doc_id.strip())))

    def remove(token: str, doc_id: str) -> tuple[str, Any]:
        def act() -> tuple[str, dict[str, Any]]:
            spec, manifest = assistant.remove_document(doc_id.strip())
            return f"已删除《{spec.title}》（{spec.id}）", manifest

        return admin(token, act)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        state = gr.State(dict(EMPTY_STATE))
        gr.Markdown(f"## {TITLE}\n{INTRO}")
        with gr.Tab("问答", elem_id="tab-ask"), gr.Row(equal_height=False):
            with gr.Column(scale=5):
                chatbot = gr.Chatbot(label="对话", height=480, buttons=["copy"], feedback_options=None,
                                     elem_id="chat", placeholder="请在下方输入问题，或点选示例问题。")
                with gr.Row():
                    question = gr.Textbox(show_label=False, placeholder="请输入问题，例如：在西安开办企业需要多长时间？",
                                          scale=6, lines=1, max_lines=4, elem_id="question", autofocus=True)
                    ask_btn = gr.Button("提问", variant="primary", scale=1, elem_id="ask")
                with gr.Row():
                    region = gr.Dropdown([ALL_REGIONS], value=ALL_REGIONS, label="地区", elem_id="region",
                                         allow_custom_value=False, filterable=True)
                    document = gr.Dropdown([("全部文件", "")], value="", label="文件", elem_id="document",
                                           filterable=True)
                    new_btn = gr.Button("新对话", scale=0, elem_id="new-chat")
                for group, questions in EXAMPLES.items():
                    gr.Examples(questions, inputs=[question], label=f"示例问题 · {group}")
            with gr.Column(scale=4):
                key_fact = gr.HTML(elem_id="key-fact")
                with gr.Row():
                    copy_btn = gr.Button("📋 复制答案（含出处）", size="sm", elem_id="copy")
                    up_btn = gr.Button("👍 有用", size="sm", elem_id="thumbs-up")
                    down_btn = gr.Button("👎 没用", size="sm", elem_id="thumbs-down")
                comment = gr.Textbox(label="意见（可选）", placeholder="哪里不对？应引用哪条？", lines=1,
                                     elem_id="comment")
                status = gr.Markdown(elem_id="feedback-status")
                cards = gr.HTML(elem_id="citations")
                copy_text = gr.Textbox(visible=False, elem_id="copy-text")
        with gr.Tab("文件管理", elem_id="tab-admin"):
            gr.Markdown(ADMIN_INTRO)
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
            with gr.Row():
                doc_id = gr.Textbox(label="文件编号", elem_id="admin-doc-id")
                successor = gr.Textbox(label="替代文件编号（可选）", elem_id="admin-successor")
                retire_btn = gr.Button("废止 / 被替代", elem_id="retire-button")
                reinstate_btn = gr.Button("恢复现行", elem_id="reinstate-button")
                remove_btn = gr.Button("删除", variant="stop", elem_id="remove-button")
            admin_status = gr.Markdown(elem_id="admin-status")
            table = gr.Dataframe(headers=["编号", "状态", "地区", "日期", "文号", "条款数", "标题"], interactive=False,
                                 wrap=True, elem_id="document-table")

        outputs = [chatbot, key_fact, cards, question, state, copy_text, status]
        ask_btn.click(respond, [question, chatbot, region, document, state], outputs, api_name="ask")
        question.submit(respond, [question, chatbot, region, document, state], outputs, api_visibility="private")
        new_btn.click(clear, None, outputs, api_visibility="private")
        up_btn.click(lambda c, s: rate("up", c, s), [comment, state], [status, comment], api_visibility="private")
        down_btn.click(lambda c, s: rate("down", c, s), [comment, state], [status, comment], api_visibility="private")
        copy_btn.click(None, [copy_text], None, api_visibility="private",
                       js="(text) => { if (text) { navigator.clipboard.writeText(text); } return []; }")
        demo.load(load_filters, None, [region, document, key_fact], api_visibility="private")
        demo.load(document_rows, None, [table], api_visibility="private")
        admin_out = [admin_status, table]
        upload_btn.click(upload, [token, upload_file, up_region, up_title, up_date, up_number], admin_out,
                         api_visibility="private")
        retire_btn.click(retire, [token, doc_id, successor], admin_out, api_visibility="private")
        reinstate_btn.click(reinstate, [token, doc_id], admin_out, api_visibility="private")
        remove_btn.click(remove, [token, doc_id], admin_out, api_visibility="private")
    return demo
