"""The page's event handlers: `Handlers` holds the service (`Assistant`) and the feedback store,
the only things the page calls. A user's mistake is a message beside the control that caused it,
logged as one line; the rest of the page stays usable.

The conversation lives in the browser's storage (`gr.BrowserState`), so a reload keeps it; the
follow-up context is its questions, so 新对话 clears both at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import (
    AssistantError,
    CorpusError,
    IndexMissing,
    IndexStale,
    InvalidRequest,
    StorageError,
    Unauthorized,
)
from assistant.ingest.manifest import SourceSpec
from assistant.service.assistant import Assistant
from assistant.service.feedback import FeedbackStore
from assistant.service.imports import ACCEPTED_SUFFIXES, ImportReport
from assistant.service.library import Metadata
from assistant.understand.conversation import Turn
from web.limits import Kind, Limits
from web.ui import render

log = logging.getLogger(__name__)

ALL_REGIONS = ""
MAX_TURNS_KEPT = 30  # turns kept in the browser's storage
EMPTY: dict[str, Any] = {"turns": []}
MODES = {"incremental": "增量更新", "full": "全量重建", "up to date": "无需更新"}


def _refused(exc: AssistantError, where: str) -> None:
    """One log line with its code, no traceback: a user's mistake (INFO), or the index being
    unavailable (WARNING, as the API logs it)."""
    unavailable = isinstance(exc, (IndexMissing, IndexStale, CorpusError, StorageError))
    log.log(logging.WARNING if unavailable else logging.INFO, "%s refused (%s): %s", where, exc.code, exc.message)


def parent_in(tree: list[tuple[str, int]], region: str) -> str:
    """The region one level up from `region` in the tree ("" at the top or when not listed)."""
    for i, (name, depth) in enumerate(tree):
        if name == region:
            return next((n for n, d in reversed(tree[:i]) if d < depth), "")
    return ""


def region_choices(tree: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """The region filter as a tree: each region indented under the one containing it."""
    return [("全部地区", ALL_REGIONS), *(("\u3000" * depth + ("└ " if depth else "") + name, name) for name, depth in tree)]


LOADING = ('<div class="pa-loading" aria-busy="true"><p class="key-fact" role="status">正在查找…</p>'
           '<p class="loading-note">可点“停止”取消；问题保留在输入框中。</p></div>')
STOPPED = '<p class="ask-error" role="status">已停止查找。问题仍在输入框中，可修改后重新提问。</p>'


UNDO_SECONDS = 8


def new_conversation(state: dict[str, Any], region: str, document: str) -> tuple[Any, ...]:
    """新对话: everything cleared, the filters too; what was cleared is kept for 撤销 a few seconds."""
    kept = {"turns": render.turns_of(state), "region": region or ALL_REGIONS, "document": document or ""}
    undo = "" if not kept["turns"] else (
        f'<p role="status" class="undo-note" data-seconds="{UNDO_SECONDS}">已开始新对话，上一段对话已清空。'
        '<button type="button" class="undo-new">撤销</button></p>')
    return ("", "", "", "", dict(EMPTY), "", gr.Accordion(open=True), gr.update(visible=False), undo, "",
            ALL_REGIONS, "", kept)




def need(doc_id: str | None) -> str:
    if not doc_id:
        raise InvalidRequest("no document chosen", "请先在列表中点选一个文件，或在“选择文件”中选择。")
    return doc_id


def pick_row(event: gr.SelectData) -> Any:
    row = event.row_value or []
    return row[0] if row else gr.update()


@dataclass(frozen=True)
class Done:
    """What an admin action did: one line, the build it made, the files it reports on (an upload
    of several), and whether it changed the corpus (only then is the upload form cleared)."""

    said: str
    manifest: dict[str, Any]
    lines: tuple[str, ...] = ()
    changed: bool = True


def _admin_done(done: Done) -> str:
    """What an admin action did, and how the index was updated; each file's line under it."""
    items = "".join(f"<li>{escape(line)}</li>" for line in done.lines)
    listed = f'<ul class="import-report">{items}</ul>' if items else ""
    if not done.changed:
        return f'<div role="status"><p class="admin-error">⚠️ {escape(done.said)}。</p>{listed}</div>'
    reuse = done.manifest.get("reuse", {})
    mode = MODES.get(done.manifest.get("mode", ""), "")
    return (f'<div role="status"><p>✅ {escape(done.said)}。索引已更新（{mode}，用时 {done.manifest.get("build_seconds")} 秒，'
            f'重新解析 {reuse.get("sources_parsed", 0)} 个文件、计算 {reuse.get("vectors_computed", 0)} 条向量），'
            f"新的问答立即生效。</p>{listed}</div>")


def _added_line(spec: SourceSpec) -> str:
    return f"已添加《{spec.title}》（编号 {spec.id}，{spec.region}，{spec.date or '日期未知'}）"


def import_summary(report: ImportReport, manifest: dict[str, Any]) -> Done:
    """A bulk import's summary: how many files were added, skipped as duplicates and refused, and
    one line per file (a refused file with its reason)."""
    said = (f"上传 {len(report.added) + len(report.duplicates) + len(report.refused)} 个文件：添加 {len(report.added)} 个，"
            f"重复跳过 {len(report.duplicates)} 个，未添加 {len(report.refused)} 个")
    lines = [_added_line(spec) for spec in report.added]
    lines += [f"重复，已跳过：{name}（已在文件库中，编号 {doc_id}）" for name, doc_id in report.duplicates]
    lines += [f"未添加：{r.file}：{r.reason_zh or r.reason}" for r in report.refused]
    return Done(said, manifest, tuple(lines), changed=bool(report.added))


def upload_paths(value: object) -> list[str]:
    """The chosen files' paths: a list (the form takes several), or one path from an older caller."""
    items = value if isinstance(value, list | tuple) else [value]
    return [str(item) for item in items if item]


def is_url(value: object) -> bool:
    """A file argument naming a URL (http, https, data:), which the page never fetches."""
    return isinstance(value, str) and value.strip().lower().startswith(("http:", "https:", "data:", "//"))


class Handlers:
    """Every handler of the page that calls the service or the feedback store. With `limits`,
    each action counts against its own limit (questions, admin) under the caller's address, as
    the same action does through the HTTP API."""

    def __init__(self, assistant: Assistant, feedback: FeedbackStore, limits: Limits | None = None) -> None:
        self.assistant = assistant
        self.feedback = feedback
        self.limits = limits

    def client(self, request: gr.Request | None) -> str:
        if self.limits is None or request is None:
            return ""
        peer = request.client.host if request.client else None
        return self.limits.client(peer, request.headers.get("x-forwarded-for", ""))

    def count(self, kind: Kind, request: gr.Request | None) -> None:
        if self.limits is not None:
            refused = self.limits.hit(kind, self.client(request))
            if refused is not None:
                raise refused

    def authorize(self, token: str, request: gr.Request | None, route: str) -> None:
        """An admin action's checks, before anything else: the address's backoff and rate, then the
        token (a wrong one counts as a failure of the address)."""
        if self.limits is None:
            self.assistant.authorize(token)
            return
        who = self.client(request)
        refused = self.limits.admin_gate(who)
        if refused is not None:
            raise refused
        try:
            self.limits.authorize(token)
            self.assistant.authorize(token)
        except Unauthorized:
            self.limits.backoff.failed(who, route)
            raise
        self.limits.backoff.passed(who)

    # -- 问答 ---------------------------------------------------------------------------------
    def filter_lists(self, chosen: str | None = None) -> tuple[Any, Any, Any, Any]:
        """The region tree and the document list for the filters, and the documents for admin
        (`chosen` stays picked while it is still listed)."""
        try:
            tree = self.assistant.region_tree()
            documents = self.assistant.documents()
        except AssistantError:
            return gr.update(), gr.update(), gr.update(), gr.update()
        docs = [(f"{d.title}（{d.region}）", d.id) for d, _n in documents if d.kind != "sub_plan"]
        admin_docs = [(f"{d.title}（{d.id} · {d.status}）", d.id) for d, _n in documents if d.kind != "sub_plan"]
        # the filters go back to everything: a value no longer offered would be refused
        return (gr.update(choices=region_choices(tree), value=ALL_REGIONS),
                gr.update(choices=[("全部文件", ""), *docs], value=""),
                gr.update(choices=admin_docs, value=chosen if any(v == chosen for _l, v in admin_docs) else None),
                gr.update(choices=[("（无）", ""), *admin_docs], value=""))

    def titles(self) -> dict[str, str]:
        try:
            return {d.id: d.title for d, _n in self.assistant.documents()}
        except AssistantError:
            return {}

    def filters_said(self, region: str, document: str) -> dict[str, str]:
        return {"地区": region or "", "文件": self.titles().get(document, document) if document else ""}

    def show(self, turns: list[dict[str, Any]], live: bool) -> tuple[str, str, str]:
        last = turns[-1] if turns else None
        return (render.answer_box_html(last, live=live, today=self.assistant.today()),
                render.conversation_html(turns),
                render.cards_html(last, self.assistant.clause))

    def loading(self, state: dict[str, Any]) -> tuple[Any, ...]:
        """What the page shows while an answer is looked for: 正在查找… in the answer box, and
        停止. The last answer stays in the box, hidden (a new turn number means a new answer)."""
        turns = render.turns_of(state)
        last = render.answer_box_html(turns[-1], today=self.assistant.today()) if turns else ""
        return LOADING + last.replace("<section ", "<section hidden ", 1), "", gr.update(visible=True)

    def ask_(self, question: str, region: str, document: str, turns: list[dict[str, Any]]) -> dict[str, Any]:
        # each earlier turn's question, and the context its answer returned (no replay needed)
        history = [turn for t in turns for turn in (Turn("user", t["question"]), Turn(
            "assistant", t.get("text", ""), t.get("subject", ""), t.get("clause_id", "")))]
        answer = self.assistant.ask(question, region=region or None, document=document or None, history=history)
        number = (turns[-1]["turn"] + 1) if turns else 1
        try:
            tree = self.assistant.region_tree()
        except AssistantError:
            tree = []
        suggest = render.suggestions(answer, lambda r: parent_in(tree, r))
        return render.turn_record(answer, number, self.filters_said(region, document), suggest)

    def respond(self, question: str, region: str, document: str, state: dict[str, Any],
                request: gr.Request | None = None) -> tuple[Any, ...]:
        turns = render.turns_of(state)
        delay = self.assistant.settings.page_answer_delay_seconds
        if delay > 0:
            time.sleep(delay)
        try:
            self.count("ask", request)
            record = self.ask_(question, region, document, turns)
        except AssistantError as exc:
            _refused(exc, "question")
            # the answer box back as it was before 正在查找…; the question stays in its box
            box = render.answer_box_html(turns[-1], today=self.assistant.today()) if turns else ""
            return (box,) + (gr.update(),) * 4 + (render.error_html(exc), gr.update(), gr.update())
        turns = [*turns, record][-MAX_TURNS_KEPT:]
        box, chat, cards = self.show(turns, live=True)
        search_all = gr.update(visible=record["state"] == "not_found" and bool(record["filters"]))
        # the question box is left as it is: the page empties it only while it still holds the
        # question answered, so one typed meanwhile is kept
        return box, chat, cards, gr.update(), {"turns": turns}, "", gr.Accordion(open=False), search_all

    def stopped(self, state: dict[str, Any]) -> tuple[Any, ...]:
        """停止: the answer box back to the last answer, and a message; the question is kept."""
        turns = render.turns_of(state)
        box = render.answer_box_html(turns[-1], today=self.assistant.today()) if turns else ""
        return box, STOPPED, gr.update(visible=False)

    def search_everywhere(self, state: dict[str, Any], request: gr.Request | None = None) -> tuple[Any, ...]:
        """The last question again, with no filter (it replaces the filtered answer)."""
        turns = render.turns_of(state)
        if not turns:
            return (gr.update(),) * 10
        last, earlier = turns[-1], turns[:-1]
        try:
            self.count("ask", request)
            record = self.ask_(last["question"], "", "", earlier)
        except AssistantError as exc:
            _refused(exc, "question")
            return (gr.update(),) * 5 + (render.error_html(exc),) + (gr.update(),) * 4
        turns = [*earlier, record]
        box, chat, cards = self.show(turns, live=True)
        return (box, chat, cards, gr.update(), {"turns": turns}, "", gr.update(), gr.update(visible=False),
                ALL_REGIONS, "")

    def undo_new(self, kept: dict[str, Any] | None) -> tuple[Any, ...]:
        """撤销 新对话: the conversation and filters cleared a moment ago, back."""
        kept = kept if isinstance(kept, dict) else {}
        turns = render.turns_of(kept)
        if not turns:
            return (gr.update(),) * 8 + ('<p role="status">没有可撤销的内容。</p>', None)
        box, chat, cards = self.show(turns, live=False)
        return (box, chat, cards, {"turns": turns}, gr.Accordion(open=False), kept.get("region", ALL_REGIONS),
                kept.get("document", ""), "", '<p role="status">已恢复上一段对话。</p>', None)

    def restore(self, state: dict[str, Any]) -> tuple[Any, ...]:
        """After a reload: the conversation kept in the browser, rendered again (its malformed
        turns dropped, from the storage too)."""
        turns = render.turns_of(state)
        if not turns:
            return "", "", "", gr.update(), dict(EMPTY)
        box, chat, cards = self.show(turns, live=False)
        return box, chat, cards, gr.Accordion(open=False), {"turns": turns}

    def rate(self, rating: str, comment: str, state: dict[str, Any],
             request: gr.Request | None = None, turn: int | None = None) -> tuple[str, Any]:
        turns = render.turns_of(state)
        if not turns:
            return '<p class="ask-error" role="alert">请先提问，再评价答案。</p>', gr.update()
        last = next((t for t in turns if t["turn"] == turn), None) if turn is not None else turns[-1]
        if last is None:
            return '<p class="ask-error" role="alert">这条答案已不在对话中，无法评价。</p>', gr.update()
        try:
            row = self.feedback.add(rating, last["question"], last["copy"], comment or "",
                                    [c["clause_id"] for c in last["citations"]], "ui",
                                    client=self.client(request))
        except AssistantError as exc:
            _refused(exc, "feedback")
            return render.error_html(exc), gr.update()
        which = f"第{last['turn']}条答案" if turn is not None else "您的评价"
        return f'<p role="status">已记录{which}（#{row.id} {"👍" if rating == "up" else "👎"}），谢谢！</p>', ""

    def rate_turn(self, which: str, comment: str, state: dict[str, Any],
                  request: gr.Request | None = None) -> tuple[str, Any]:
        """👍 / 👎 on one answer of the conversation: `which` is "<turn>:<up|down>"."""
        turn, _sep, rating = (which or "").partition(":")
        if not turn.isdigit() or rating not in ("up", "down"):
            return '<p class="ask-error" role="alert">评价未能记录，请重试。</p>', gr.update()
        return self.rate(rating, comment, state, request, turn=int(turn))

    def rate_up(self, comment: str, state: dict[str, Any], request: gr.Request | None = None) -> tuple[str, Any]:
        return self.rate("up", comment, state, request)

    def rate_down(self, comment: str, state: dict[str, Any], request: gr.Request | None = None) -> tuple[str, Any]:
        return self.rate("down", comment, state, request)

    # -- 文件管理 (admin) ----------------------------------------------------------------------
    def document_rows(self) -> list[list[Any]]:
        try:
            documents = self.assistant.documents()
        except AssistantError:
            return []
        rows = [[d.id, d.status + (f" → {d.superseded_by}" if d.superseded_by else ""), d.region, d.date_iso,
                 d.doc_number, n, d.title] for d, n in documents if d.kind != "sub_plan"]
        return rows[::-1]  # the latest added first

    def admin(self, token: str, action: Callable[[], Done], request: gr.Request | None,
              route: str, clear_form: bool = False, chosen: str | None = None) -> tuple[Any, ...]:
        """Run an admin action once its token is checked (nothing is read or written before); on
        success the lists everywhere are refreshed (and the upload form cleared), on failure a
        message and nothing else changes."""
        keep = (gr.update(),) * 11
        try:
            self.authorize(token, request, f"page {route}")
            done = action()
        except AssistantError as exc:
            _refused(exc, "admin")
            return (f'<p class="admin-error" role="alert">⚠️ {escape(exc.message_zh)}</p>',) + keep
        form = (gr.update(value=None), "", "", "", "") if clear_form and done.changed else (gr.update(),) * 5
        return (_admin_done(done), self.document_rows(), *self.filter_lists(chosen), gr.update(visible=False),
                *form)

    def upload(self, token: str, paths: list[str] | str | None, region_: str, title: str, date: str,
               doc_number: str, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Add the chosen files through the bulk import (one edit of the corpus, one build, a line
        per file); a title, date or 文号 given describes one file, added with them."""
        def act() -> Done:
            files = upload_paths(paths)
            if not files:
                raise InvalidRequest("no file chosen", f"请先选择要上传的文件（{' / '.join(ACCEPTED_SUFFIXES)}，可多选）。")
            if any(is_url(path) for path in files):
                raise InvalidRequest("a file, not a URL, is uploaded here", "只能上传本机文件，不接受网址。")
            meta = Metadata(region=region_.strip(), title=title.strip(), date=date.strip(),
                            doc_number=doc_number.strip())
            if meta.title or meta.date or meta.doc_number:
                if len(files) > 1:
                    raise InvalidRequest("a title, date or document number describes one file; leave them empty "
                                         "to upload several", "标题、日期、文号只能用于单个文件：上传多个文件时请留空，由正文识别。")
                name = Path(files[0]).name
                self.assistant.check_size(name, Path(files[0]).stat().st_size)
                spec, manifest = self.assistant.add_document(name, Path(files[0]).read_bytes(), meta)
                return Done(_added_line(spec), manifest)
            report, manifest = self.assistant.add_documents([self._read(path) for path in files], meta.region)
            return import_summary(report, manifest)

        return self.admin(token, act, request, "upload", clear_form=True)

    def _read(self, path: str) -> tuple[str, bytes]:
        """A chosen file's name and bytes; no more than one byte past the size limit is read (the
        import refuses that file, and only that file, as too large)."""
        with Path(path).open("rb") as f:
            return Path(path).name, f.read(self.assistant.settings.max_upload_bytes + 1)

    def retire(self, token: str, doc_id: str | None, successor: str | None,
               request: gr.Request | None = None) -> tuple[Any, ...]:
        def act() -> Done:
            chosen = need(doc_id)
            manifest = self.assistant.retire_document(chosen, (successor or "").strip())
            return Done(f"已将 {chosen} 标记为{'被替代' if successor else '已废止'}", manifest)

        return self.admin(token, act, request, "retire", chosen=doc_id)

    def reinstate(self, token: str, doc_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        def act() -> Done:
            chosen = need(doc_id)
            return Done(f"已将 {chosen} 恢复为现行", self.assistant.reinstate_document(chosen))

        return self.admin(token, act, request, "reinstate", chosen=doc_id)

    def remove(self, token: str, asked_about: str | None, chosen: str | None,
               request: gr.Request | None = None) -> tuple[Any, ...]:
        """Remove the document 删除… asked about, and only while it is still the one chosen."""
        def act() -> Done:
            if need(asked_about) != chosen:
                raise InvalidRequest("another document was chosen after 删除…; ask again",
                                     "确认后又选择了其他文件：请重新点击“删除…”。")
            spec, manifest = self.assistant.remove_document(asked_about or "")
            return Done(f"已删除《{spec.title}》（{spec.id}）", manifest)

        return self.admin(token, act, request, "remove")

    def confirm_text(self, doc_id: str | None) -> str:
        title = self.titles().get(doc_id or "", doc_id or "")
        return (f'<p role="alert"><strong>确认删除《{escape(title)}》（{escape(doc_id or "")}）？</strong>'
                "删除后该文件从语料中移除并重建索引，不能撤销；只是不再适用时请用“废止”。</p>")
