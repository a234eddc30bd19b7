"""HTML and Markdown for the page, from one JSON-safe record per answered turn.

`turn_record(answer)` keeps what the page shows of an answer (it lives in the browser's storage,
so a reload shows the same conversation); every other function here renders a record. Pure
functions: every piece of source or user text is escaped before it is shown.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from html import escape
from typing import Any

from assistant.errors import AssistantError
from assistant.models import Answer, Citation, ClauseInContext, Department
from assistant.service.contract import answer_text, department_line, reference_line

Record = dict[str, Any]

STATE_LABELS = {"answered": "答案要点", "partial": "部分解答", "not_found": "未找到明确规定", "small_talk": "提示"}
_CITE = re.compile(r"\[(\d+)\]")
_CONSULT = re.compile(r"如需进一步确认[^。]*。$")
_SPLIT_NAME = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_SENTENCE_END = "。；;\n"
_ORDINAL = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*)+")


def joined_name(name: str) -> str:
    """A department name as one word: a space the PDF conversion left inside it removed
    ("市资源 规划局" → "市资源规划局")."""
    return _SPLIT_NAME.sub("", name).strip()


# the last character of a department's name; a piece ending otherwise is the first half of a name
# the PDF conversion split with a space ("市资源" + "规划局")
_ORG_END = set("局委办厅部院所队处室站行司会府心组馆台社团署科庭营")


def joined_departments(departments: Sequence[Department]) -> tuple[Department, ...]:
    """Each name as one word (`joined_name`), and a name the conversion cut in two, then listed as
    two departments ("市资源"、"规划局" of one clause and role), joined again."""
    out: list[Department] = []
    for d in departments:
        d = replace(d, name=joined_name(d.name), full_name=joined_name(d.full_name))
        last = out[-1] if out else None
        if (last is not None and last.role == d.role and last.clause_id == d.clause_id and not last.full_name
                and last.name and last.name[-1] not in _ORG_END and d.name and d.name[-1] in _ORG_END):
            out[-1] = replace(d, name=last.name + d.name)
            continue
        out.append(d)
    return tuple(out)


def _task_of(text: str, start: int, end: int) -> str:
    """The task a deadline belongs to: the sentence around it, without the deadline itself and
    its list number, at most 40 characters; the clause's first sentence when the deadline stands
    in a field of its own (完成时限：…)."""
    if not 0 <= start < end <= len(text):
        return _task_of(text, len(text), len(text))
    left = max((text.rfind(ch, 0, start) for ch in _SENTENCE_END), default=-1) + 1
    rights = [i for i in (text.find(ch, end) for ch in _SENTENCE_END) if i >= 0]
    right = min(rights) if rights else len(text)
    task = (text[left:start] + text[end:right]).strip(" ，,：:“”\n")
    task = _ORDINAL.sub("", task).strip(" ，,")
    if len(task) <= 6 or "时限" in task:
        task = _ORDINAL.sub("", first_sentence(text).split("\n")[0]).strip(" 。，,")
    return task if len(task) <= 40 else task[:39] + "…"


def _deadlines(answer: Answer) -> list[dict[str, str]]:
    """Each dated deadline (完成时限) of a clause the answer used, with its task."""
    used = {c.clause.id: c for c in (answer.used_citations or answer.citations[:1])}
    out: list[dict[str, str]] = []
    for clause_id, citation in used.items():
        for fact in citation.clause.facts:
            if fact.type != "deadline" or len(fact.normalized) != 10:
                continue
            if any(d["iso"] == fact.normalized and d["clause_id"] == clause_id for d in out):
                continue
            out.append({"clause_id": clause_id, "value": "".join(fact.value.split()), "iso": fact.normalized,
                        "task": _task_of(citation.clause.text, fact.start, fact.end)})
    return out[:3]


def _quote(citation: Citation, answer: Answer) -> str:
    """The sentence of a cited clause the answer used, for the preview on [n]: the one holding
    the fact it gave when the span is long (its first sentence otherwise); at most 120 characters."""
    text = citation.clause.text
    spans = [(s, e) for cid, s, e in answer.used if cid == citation.clause.id and 0 <= s < e <= len(text)]
    start, end = spans[0] if spans else (0, len(first_sentence(text)))
    facts = [f.start for f, cid in answer.facts if cid == citation.clause.id and start <= f.start < end]
    if end - start > 120 and facts:  # the sentence of the span that holds the fact
        start = max([start, *(text.rfind(ch, start, facts[0]) + 1 for ch in "。；;")])
        ends = [i + 1 for i in (text.find(ch, facts[0], end) for ch in "。；;") if i >= 0]
        end = min(ends) if ends else end
    lead, tail = "", ""
    if end - start > 120 and facts:  # one long sentence: the stretch around the fact
        if facts[0] - start > 50:
            start, lead = facts[0] - 50, "…"
        if end - start > 118:
            end, tail = start + 118, "…"
    quote = lead + " ".join(text[start:end].split()) + tail
    return quote if len(quote) <= 120 else quote[:119] + "…"


def suggestions(answer: Answer, parent_of: Callable[[str], str] = lambda _r: "") -> list[str]:
    """猜你想问: up to three follow-ups the cited clause answers (its department, its deadline),
    and the same rule one region up; none for a not-found answer or small talk."""
    if answer.state not in ("answered", "partial") or not answer.citations:
        return []
    top = (answer.used_citations or answer.citations)[0]
    kinds = {f.type for f in top.clause.facts}
    asked = answer.interpreted_as or answer.question
    out = []
    if kinds & {"lead_unit", "responsible_unit"} and not any(w in asked for w in ("部门", "单位", "负责", "牵头")):
        out.append("牵头单位是谁？")
    if "deadline" in kinds and not any(w in asked for w in ("时限", "什么时候", "截止")):
        out.append("完成时限是什么时候？")
    parent = parent_of(top.document.region)
    if parent:
        out.append(f"那{parent}呢？")
    return out[:3]


def days_left(iso: str, today: date | None = None) -> str:
    """已过 for a date before today, 今天到期, or 剩余 N 天. The page passes the service's today
    (`Assistant.today()`, which the answer's own "已过" uses and settings can fix); this process's
    calendar is only the fallback of a caller that has none."""
    try:
        due = date.fromisoformat(iso)
    except ValueError:
        return ""
    days = (due - (today or date.today())).days
    return "已过" if days < 0 else "今天到期" if days == 0 else f"剩余 {days} 天"


# -- the record --------------------------------------------------------------------------------
def turn_record(answer: Answer, turn: int, filters: dict[str, str] | None = None,
                suggest: Sequence[str] = ()) -> Record:
    """What the page keeps of one answer; JSON-safe, rendered again after a reload."""
    # department names as one word everywhere the record shows them (box, line, copy text)
    answer = replace(answer, departments=joined_departments(answer.departments))
    used_n = {c.n for c in answer.used_citations}
    regions = {c.clause.id: c.document.region for c in answer.citations}
    return {
        "id": uuid.uuid4().hex[:12],  # tells the page a new answer from the one before
        "turn": turn,
        "question": answer.question,
        "interpreted_as": answer.interpreted_as,
        "follow_up": answer.follow_up,  # read with the conversation: only then "按上文理解为"
        "subject": answer.subject,  # sent back with the next question: the follow-up's context
        "clause_id": answer.top_clause,
        "state": answer.state,
        "text": answer.text,
        "missing": list(answer.missing),
        "departments": [{"role": d.role, "name": joined_name(d.name), "full_name": joined_name(d.full_name),
                         "region": regions.get(d.clause_id, "")} for d in answer.departments],
        "department_line": department_line(answer),
        "citations": [{"n": c.n, "clause_id": c.clause.id, "title": c.document.title,
                       "doc_number": c.document.doc_number, "date": c.document.date_text, "path": c.clause.path,
                       "page": c.clause.page, "region": c.document.region, "status": c.document.status,
                       "used": c.n in used_n, "reference": reference_line(c), "quote": _quote(c, answer)}
                      for c in answer.citations],
        "used": [list(u) for u in answer.used],
        "facts": [[clause_id, f.start, f.end] for f, clause_id in answer.facts if 0 <= f.start < f.end],
        "copy": answer_text(answer),
        "deadlines": _deadlines(answer),
        "suggest": list(suggest),
        "corrected": [[written, read] for written, read in answer.corrected],
        "filters": {k: v for k, v in (filters or {}).items() if v} if answer.filtered else {},
    }


# What each field of a record must be; the record comes back from the browser, so it is checked
# before anything is rendered from it.
_STR, _INT = (str,), (int,)
_FIELDS: dict[str, tuple[type, ...]] = {
    "id": _STR, "turn": _INT, "question": _STR, "interpreted_as": _STR, "state": _STR, "text": _STR, "missing": (list,),
    "departments": (list,), "department_line": _STR, "citations": (list,), "used": (list,), "facts": (list,),
    "copy": _STR, "filters": (dict,)}
_CITATION: dict[str, tuple[type, ...]] = {
    "n": _INT, "clause_id": _STR, "title": _STR, "doc_number": _STR, "date": _STR, "path": _STR,
    "page": (int, type(None)), "region": _STR, "status": _STR, "used": (bool,), "reference": _STR}


# Fields added later: absent in a conversation stored before them, checked when present.
_OPTIONAL: dict[str, tuple[type, ...]] = {"follow_up": _STR, "deadlines": (list,), "suggest": (list,),
                                         "corrected": (list,)}


def _is(value: Any, kinds: tuple[type, ...]) -> bool:
    return isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)


def _valid(record: Any) -> bool:
    if not isinstance(record, dict) or not all(_is(record.get(k), kinds) for k, kinds in _FIELDS.items()):
        return False
    spans_ok = all(isinstance(s, list) and len(s) == 3 and _is(s[0], _STR) and _is(s[1], _INT) and _is(s[2], _INT)
                   for s in [*record["used"], *record["facts"]])
    optional_ok = all(k not in record or _is(record[k], kinds) for k, kinds in _OPTIONAL.items())
    optional_ok = optional_ok and all(_is(q, _STR) for q in record.get("suggest", []) or [])
    optional_ok = optional_ok and all(isinstance(c, list) and len(c) == 2 and all(_is(w, _STR) for w in c)
                                      for c in record.get("corrected", []) or [])
    optional_ok = optional_ok and all(_is(c.get("quote", ""), _STR) for c in record["citations"] if isinstance(c, dict))
    deadlines_ok = all(isinstance(d, dict) and all(_is(d.get(k), _STR) for k in ("clause_id", "value", "iso", "task"))
                       for d in record.get("deadlines", []) or [])
    return (record["state"] in STATE_LABELS and spans_ok and optional_ok and deadlines_ok
            and all(_is(m, _STR) for m in record["missing"])
            and all(isinstance(d, dict) and all(_is(d.get(k), _STR) for k in ("role", "name", "full_name"))
                    and _is(d.get("region", ""), _STR) for d in record["departments"])
            and all(isinstance(c, dict) and all(_is(c.get(k), kinds) for k, kinds in _CITATION.items())
                    for c in record["citations"])
            and all(_is(k, _STR) and _is(v, _STR) for k, v in record["filters"].items()))


def turns_of(state: Any) -> list[Record]:
    """The conversation kept in the browser: its well-formed turns, others dropped."""
    turns = state.get("turns") if isinstance(state, dict) else None
    return [t for t in turns if _valid(t)] if isinstance(turns, list) else []


def first_sentence(text: str) -> str:
    """Up to the first 。 outside quotation marks (a quote keeps its own full stops)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "“「『《":
            depth += 1
        elif ch in "”」』》":
            depth = max(0, depth - 1)
        elif ch == "。" and depth == 0:
            return text[: i + 1]
    return text


def _cite_links(text: str, target: Callable[[int], str], known: set[int] | dict[int, str]) -> str:
    """`text` escaped, each [n] a link to its source (with the cited sentence, for its preview,
    when `known` maps n to it)."""
    out, pos = [], 0
    for m in _CITE.finditer(text):
        n = int(m.group(1))
        out.append(escape(text[pos:m.start()]))
        if n in known:
            quote = known.get(n, "") if isinstance(known, dict) else ""
            said = f' data-quote="{escape(quote)}"' if quote else ""
            out.append(f'<a class="cite" href="#{target(n)}" data-n="{n}"{said} aria-label="出处 {n}">[{n}]</a>')
        else:
            out.append(escape(m.group(0)))
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _card_id(n: int) -> str:
    return f"card-{int(n)}"


def _source_id(turn: int, n: int) -> str:
    return f"t{int(turn)}-src-{int(n)}"


def _department_items(departments: Sequence[dict[str, str]]) -> str:
    by_role: dict[str, list[str]] = {}
    for d in departments:
        name = escape(joined_name(d["name"])) + (f'<span class="full-name">（{escape(joined_name(d["full_name"]))}）</span>'
                                                 if d.get("full_name") else "")
        if name not in by_role.setdefault(d["role"], []):
            by_role[d["role"]].append(name)
    return "".join(f'<li><span class="role">{escape(role)}</span>{"、".join(names)}</li>'
                   for role, names in by_role.items())


def _departments_html(record: Record) -> str:
    """The departments by role; grouped under a label per region when the citations are of more
    than one region (a 西安 department is not the 渭滨区 one)."""
    departments = record["departments"]
    if not departments:
        return ""
    regions = list(dict.fromkeys(d.get("region", "") for d in departments))
    if len(regions) < 2:
        return f'<ul class="departments" aria-label="部门">{_department_items(departments)}</ul>'
    groups = "".join(
        f'<li class="dept-region"><span class="region-label">{escape(region or "其他")}</span>'
        f'<ul>{_department_items([d for d in departments if d.get("region", "") == region])}</ul></li>'
        for region in regions)
    return f'<ul class="departments by-region" aria-label="部门（按地区）">{groups}</ul>'


def _deadlines_html(record: Record, today: date | None = None) -> str:
    """Each deadline of the answer with its task and 已过 / 剩余 N 天 beside the date."""
    items = []
    for d in record.get("deadlines") or []:
        left = days_left(d["iso"], today)
        kind = "passed" if left == "已过" else "open"
        task = f'<span class="task">{escape(d["task"])}</span>：' if d["task"] else ""
        items.append(f'<li>{task}<span class="due">{escape(d["value"])}</span>'
                     f'<span class="days {kind}">（{escape(left)}）</span></li>')
    if not items:
        return ""
    return f'<ul class="deadlines" aria-label="完成时限"><li class="label">完成时限</li>{"".join(items)}</ul>'


def corrected_html(record: Record) -> str:
    """"您是不是要找：西安" when the service read a word of the question as a place or term it
    is one or two characters from."""
    read = list(dict.fromkeys(r for _w, r in record.get("corrected") or []))
    if not read:
        return ""
    written = "、".join(f"“{w}”" for w, _r in record.get("corrected") or [])
    return (f'<p class="did-you-mean">您是不是要找：<strong>{escape("、".join(read))}</strong>'
            f'<span class="written">（问题中写的是{escape(written)}，已按此作答）</span></p>')


def understood_html(record: Record) -> str:
    """"按上文理解为…" only when the service completed the question from the conversation; a
    question that stands on its own says nothing about the previous turn."""
    if record.get("follow_up") and record.get("interpreted_as"):
        return f'<p class="understood">按上文理解为：{escape(record["interpreted_as"])}</p>'
    return ""


def _copy_button(text: str, label: str, name: str) -> str:
    return (f'<button type="button" class="copy-answer" aria-label="{escape(name)}" title="{escape(name)}（Alt+C）">'
            f'{escape(label)}</button><span class="copied" role="status" aria-live="polite"></span>'
            f'<textarea class="copy-source" hidden readonly aria-hidden="true">{escape(text)}</textarea>')


# -- the answer box ----------------------------------------------------------------------------
def answer_box_html(record: Record | None, live: bool = False, today: date | None = None) -> str:
    """The 答案要点 box in one of three states: answered, partly answered, not found."""
    if not record:
        return ""
    state = record["state"]
    known = {c["n"]: c.get("quote", "") for c in record["citations"]}
    head = first_sentence(record["text"])
    parts = [f'<section class="answer-box state-{state}" data-turn="{int(record["turn"])}"'
             f' data-answer="{escape(record["id"])}" data-live="{int(live)}"'
             f' data-question="{escape(record["question"])}" aria-labelledby="answer-label" tabindex="-1">',
             f'<h2 id="answer-label" class="box-label">{STATE_LABELS[state]}</h2>', corrected_html(record),
             understood_html(record)]
    if state == "small_talk":
        parts.append(f'<p class="key-fact" data-testid="key-fact">{escape(record["text"])}</p>')
    elif state == "not_found":
        text = _CONSULT.sub("", record["text"]).strip()
        parts.append(f'<p class="key-fact" data-testid="key-fact">{_cite_links(text, _card_id, known)}</p>')
        filters = record.get("filters") or {}
        if filters:
            said = "、".join(f"{k}：{v}" for k, v in filters.items())
            parts.append(f'<p class="filter-note">本次按筛选条件（{escape(said)}）查找；可清除筛选后在全部文件中查找。</p>')
        parts.append('<ul class="guidance"><li><strong>市民、企业：</strong>可向相关主管部门咨询，'
                     '或拨打12345政务服务便民热线。</li>'
                     '<li><strong>热线坐席：</strong>现有文件中没有可引用的规定，请勿据此作答；'
                     '可按诉求转相关主管部门核实。</li></ul>')
    else:
        parts.append(f'<p class="key-fact" data-testid="key-fact">{_cite_links(head, _card_id, known)}</p>')
        if state == "partial":
            parts.append(f'<p class="missing"><strong>文件未写明：</strong>{escape("、".join(record["missing"]))}</p>')
        parts.append(_deadlines_html(record, today))
    parts.append(_departments_html(record))
    used = [c for c in record["citations"] if c["used"]] or record["citations"][:1]
    if used and state != "not_found":
        chips = "".join(f'<a class="cite-chip" href="#{_card_id(c["n"])}" data-n="{int(c["n"])}">'
                        f'[{int(c["n"])}] {escape(c["doc_number"] or c["title"][:16])} {escape(c["path"])}'
                        f'{escape(" 第" + str(c["page"]) + "页") if c["page"] else ""}</a>' for c in used)
        parts.append(f'<div class="chips" aria-label="出处">{chips}</div>')
    parts.append(f'<div class="actions">{_copy_button(record["copy"], "📋 复制答案（含出处、部门）", "复制答案")}</div>')
    if record.get("suggest") and state != "not_found":
        buttons = "".join(f'<button type="button" class="suggest" data-q="{escape(q)}">{escape(q)}</button>'
                          for q in record["suggest"])
        parts.append(f'<div class="suggestions" role="group" aria-label="猜你想问"><span class="label">猜你想问：</span>'
                     f"{buttons}</div>")
    parts.append("</section>")
    return "".join(parts)


def error_html(exc: AssistantError) -> str:
    """A user's mistake, shown beside the question box; the rest of the page stays usable."""
    valid = exc.details.get("valid") if exc.details else None
    extra = f"（可选：{'、'.join(valid[:30])}）" if valid and len(valid) <= 30 else ""
    return f'<p class="ask-error" role="alert">⚠️ {escape(exc.message_zh + extra)}</p>'


# -- the conversation --------------------------------------------------------------------------
def conversation_html(records: Sequence[Record]) -> str:
    """Every turn, oldest first: the question, the whole answer, its departments and the sources it used."""
    if not records:
        return ""
    turns = []
    for r in records:
        known = {c["n"]: c.get("quote", "") for c in r["citations"]}
        latest = r is records[-1]
        target = _card_id if latest else (lambda n, t=r["turn"]: _source_id(t, n))
        sources = [c for c in r["citations"] if c["used"]] or r["citations"]
        listed = "".join(f'<li id="{_source_id(r["turn"], c["n"])}">{escape(c["reference"])}</li>' for c in sources)
        understood = understood_html(r)
        dept = f'<p class="dept-line">部门：{escape(r["department_line"])}</p>' if r.get("department_line") else ""
        label = STATE_LABELS[r["state"]]
        turns.append(
            f'<li class="turn state-{r["state"]}" id="turn-{int(r["turn"])}">'
            f'<p class="asked"><span class="who">问</span>{escape(r["question"])}</p>'
            f'<div class="reply"><span class="who">答</span><span class="state-tag">{label}</span>{understood}'
            f'<p class="reply-text">{_cite_links(r["text"], target, known)}</p>{dept}'
            + (f'<ol class="sources" aria-label="出处">{listed}</ol>' if listed else "")
            + f'<div class="actions">{_copy_button(r["copy"], "复制", "复制这条答案")}{_rate_buttons(r)}</div></div></li>')
    markdown = escape(conversation_markdown(records))
    return ('<section class="conversation" aria-labelledby="conversation-label">'
            '<div class="conversation-head"><h2 id="conversation-label">对话记录</h2>'
            '<button type="button" class="export-md" aria-label="导出 Markdown（对话记录）">⬇️ 导出 Markdown</button>'
            f'<textarea class="export-source" hidden readonly aria-hidden="true">{markdown}</textarea></div>'
            f'<ol class="turns">{"".join(turns)}</ol></section>')


def _rate_buttons(record: Record) -> str:
    """👍 / 👎 on one answer of the conversation (page.js sends which turn)."""
    if record["state"] == "small_talk":
        return ""
    n = int(record["turn"])
    return (f'<button type="button" class="rate-turn" data-turn="{n}" data-rating="up" aria-label="第{n}条答案有用">👍</button>'
            f'<button type="button" class="rate-turn" data-turn="{n}" data-rating="down" aria-label="第{n}条答案没用">👎</button>')


def conversation_markdown(records: Sequence[Record]) -> str:
    """The conversation as Markdown, each answer with its departments and numbered sources."""
    lines = ["# 营商环境政策问答 · 对话记录", ""]
    for r in records:
        lines += [f"## 问：{r['question']}", ""]
        if r.get("follow_up") and r.get("interpreted_as"):
            lines += [f"*按上文理解为：{r['interpreted_as']}*", ""]
        lines += [f"**{STATE_LABELS[r['state']]}**：{r['text']}", ""]
        if r.get("department_line"):
            lines += [f"部门：{r['department_line']}", ""]
        sources = [c for c in r["citations"] if c["used"]] or r["citations"]
        if sources:
            lines += ["出处：", *(f"- {c['reference']}" for c in sources), ""]
    return "\n".join(lines)


# -- the citation cards ------------------------------------------------------------------------
def highlight(text: str, used: Sequence[tuple[int, int]], facts: Sequence[tuple[int, int]]) -> str:
    """`text` escaped; the sentences the answer used in <mark class="used">, its facts in
    <mark class="fact">, each stretch of text in one element."""
    n = len(text)
    cuts = {0, n}
    spans = [(s, e, "used") for s, e in used if 0 <= s < e <= n] + [(s, e, "fact") for s, e in facts if 0 <= s < e <= n]
    for s, e, _kind in spans:
        cuts.update((s, e))
    points = sorted(cuts)
    out = []
    for start, end in zip(points, points[1:], strict=False):
        kinds = sorted({kind for s, e, kind in spans if s <= start and end <= e})
        piece = escape(text[start:end])
        out.append(f'<mark class="{" ".join(kinds)}">{piece}</mark>' if kinds else piece)
    return "".join(out)


def cards_html(record: Record | None, in_context: Callable[[str], ClauseInContext]) -> str:
    """One card per citation of the latest answer; the ones the answer used open, with the
    sentences it used highlighted, in the card and in 查看原文."""
    if not record:
        return ""
    if not record["citations"]:
        return ('<section class="cards" aria-labelledby="cards-label"><h2 id="cards-label">引用条款</h2>'
                '<p class="empty-cards">没有可引用的条款。</p></section>')
    title = "相关条款" if record["state"] == "not_found" else "引用条款"
    cards = []
    for c in record["citations"]:
        try:
            view = in_context(c["clause_id"])
        except AssistantError as exc:  # removed since, or the index is unavailable: say which
            cards.append(f'<div class="citation-card gone" id="{_card_id(c["n"])}">'
                         f'{escape(c["reference"])}（{escape(exc.message_zh)}）</div>')
            continue
        used = [(s, e) for cid, s, e in record["used"] if cid == c["clause_id"]]
        facts = [(s, e) for cid, s, e in record["facts"] if cid == c["clause_id"]]
        cards.append(_card(c["n"], view, used, facts, open_=c["used"] or c["n"] == 1))
    return (f'<section class="cards" aria-labelledby="cards-label"><h2 id="cards-label">{title}'
            f'（{len(record["citations"])}）</h2>{"".join(cards)}</section>')


def _card(n: int, view: ClauseInContext, used: list[tuple[int, int]], facts: list[tuple[int, int]],
          open_: bool) -> str:
    doc, clause = view.document, view.clause
    meta = [("状态", "" if doc.in_force else doc.status + (f"（由 {doc.superseded_by} 替代）" if doc.superseded_by else "")),
            ("文号", doc.doc_number), ("日期", doc.date_text), ("条款", clause.path),
            ("页码", f"第{clause.page}页" if clause.page else ""), ("地区", doc.region), ("发文机关", doc.issuer)]
    meta_html = " · ".join(f"{k}：{escape(v)}" for k, v in meta if v)
    headings = " › ".join(escape(h) for h in clause.headings)
    badge = "" if doc.in_force else f'<span class="badge">{escape(doc.status)}</span>'
    previous = (f'<div class="neighbour">上一条 {escape(view.previous.path)}：{escape(_clip(view.previous.text))}</div>'
                if view.previous else "")
    following = (f'<div class="neighbour">下一条 {escape(view.next.path)}：{escape(_clip(view.next.text))}</div>'
                 if view.next else "")
    source = " · ".join(p for p in (f"《{doc.title}》", doc.doc_number, f"第{clause.page}页" if clause.page else "",
                                    f"条款 {clause.path}" if clause.path else "") if p)
    body = highlight(clause.text, used, facts)
    return (
        f'<details class="citation-card{" used" if used else ""}" id="{_card_id(n)}" data-n="{n}"'
        f' data-clause-id="{escape(clause.id)}"{" open" if open_ else ""}>'
        f"<summary>[{n}] 《{escape(doc.title)}》 {escape(clause.path)}{badge}</summary>"
        f'<div class="meta">{meta_html}</div>'
        f'<div class="clause-text">{body}</div>'
        f'<details class="context"><summary>查看原文</summary>'
        f'<div class="meta">{escape(doc.title)}{" › " + headings if headings else ""}</div>'
        f'{previous}<div class="current">{body}</div>{following}'
        f'<div class="meta source">来源：{escape(source)}</div>'
        f"</details></details>"
    )


def _clip(text: str, size: int = 120) -> str:
    return text if len(text) <= size else text[:size] + "…"


# -- filters -----------------------------------------------------------------------------------
def filter_chips_html(filters: dict[str, str]) -> str:
    shown = {k: v for k, v in filters.items() if v}
    if not shown:
        return '<p class="filter-chips none">范围：全部地区、全部文件</p>'
    chips = "".join(f'<span class="chip">{escape(k)}：{escape(v)}</span>' for k, v in shown.items())
    return f'<p class="filter-chips" aria-label="当前筛选">筛选：{chips}</p>'
