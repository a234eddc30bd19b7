"""The MCP edge: the service as tools, resources and a prompt for agent clients (Claude Desktop,
Cursor, IDE agents), over stdio (`assistant mcp`) or streamable HTTP (mounted at `/mcp` by
`web.app.create_app`, behind the same body and rate limits as the rest of the server).

Like every edge it only calls the service (`Assistant`); a domain error becomes a tool error with
the code and both messages. Tools that change the corpus need the admin token: over HTTP in the
`Authorization: Bearer …` header (or `X-Admin-Token`), else as the `admin_token` argument.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError

from assistant import __version__
from assistant.errors import AssistantError, NotFound
from assistant.models import Answer, Citation
from assistant.service.assistant import Assistant
from assistant.service.contract import clause_json, document_json, hit_json

log = logging.getLogger(__name__)

T = TypeVar("T")
CLAUSE_URI = "policy://clause/{clause_id}"
DOCUMENT_URI = "policy://document/{document_id}"
INSTRUCTIONS = ("营商环境政策问答：answers questions on Chinese business-environment policy from the published "
                "documents, always citing the clause. Call `ask` for a cited answer; quote its citations "
                "(《title》 文号 条款) and never state a deadline, fee or department the citations do not contain.")
HOTLINE = """你是营商环境政策咨询热线的坐席。请先调用 `ask` 工具{scope}查询下面的问题，再据其结果回答来电群众：
- 只说条款里写明的内容（时限、材料、收费、办理部门），每句后标注出处编号，如［1］；
- 结尾列出出处：《文件标题》 文号 条款位置；
- 若 `ask` 的 state 不是 answered（未找到或只找到相关条款），如实说明，并建议联系牵头部门或拨打12345；
- 语气礼貌、简洁，适合电话里读出。

来电问题：{question}"""


def clause_uri(clause_id: str) -> str:
    return CLAUSE_URI.format(clause_id=clause_id)


def citation_out(c: Citation) -> dict[str, Any]:
    doc, clause = c.document, c.clause
    return {"n": c.n, "clause_id": clause.id, "uri": clause_uri(clause.id), "document_id": doc.id,
            "document": doc.title, "doc_number": doc.doc_number, "issuer": doc.issuer, "region": doc.region,
            "date": doc.date_iso, "status": doc.status, "path": clause.path, "page": clause.page,
            "line_start": clause.line_start, "line_end": clause.line_end, "text": clause.text}


def answer_out(answer: Answer) -> dict[str, Any]:
    return {"answer": answer.text, "state": answer.state, "abstained": answer.abstained,
            "interpreted_as": answer.interpreted_as or None,
            "citations": [citation_out(c) for c in answer.citations]}


def _tool_error(exc: AssistantError) -> ToolError:
    return ToolError(f"{exc.code}: {exc.message} / {exc.message_zh}")


def _call(fn: Callable[[], T]) -> T:
    """A service call, its domain errors as tool errors (the client sees `isError` and the message)."""
    try:
        return fn()
    except AssistantError as exc:
        raise _tool_error(exc) from exc


def _read(fn: Callable[[], T]) -> T:
    """A service call for a resource: a missing one is "not found" (-32602), other domain errors a
    resource error with the code and both messages; neither is logged as a crash."""
    try:
        return fn()
    except NotFound as exc:
        raise ResourceNotFoundError(f"{exc.code}: {exc.message} / {exc.message_zh}") from exc
    except AssistantError as exc:
        raise ResourceError(f"{exc.code}: {exc.message} / {exc.message_zh}") from exc


def _presented_token(ctx: Context | None, argument: str) -> str:
    """The admin token: the HTTP request's Authorization / X-Admin-Token header, else the argument."""
    request = None
    if ctx is not None:
        try:
            request = ctx.request_context.request
        except ValueError:
            request = None
    headers = getattr(request, "headers", None)
    if headers is not None:
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            return str(bearer[7:].strip())
        if headers.get("x-admin-token"):
            return str(headers["x-admin-token"])
    return argument


def build_mcp(assistant: Assistant) -> MCPServer:
    """The MCP server over `assistant`."""
    def changed(document_id: str, manifest: dict[str, Any]) -> dict[str, Any]:
        doc = assistant.index.documents.get(document_id)
        return {"document_id": document_id, "status": doc.status if doc else None,
                "superseded_by": (doc.superseded_by or None) if doc else None,
                "build": manifest.get("build"), "clauses": manifest.get("clauses")}

    server: MCPServer = MCPServer(name="policy-assistant", title="营商环境政策问答", version=__version__,
                                  instructions=INSTRUCTIONS)

    @server.tool(description="Answer a question on business-environment policy (in Chinese), citing the clauses. "
                             "`state` is answered / partial / not_found / small_talk; each citation has its clause "
                             "id and a policy://clause/{id} link.")
    def ask(question: str, region: str | None = None, document: str | None = None,
            include_retired: bool = False) -> dict[str, Any]:
        return answer_out(_call(lambda: assistant.ask(question, region=region, document=document,
                                                      include_retired=include_retired)))

    @server.tool(description="Ranked clauses for a query, with scores and no answer text.")
    def search(query: str, k: int = 5, region: str | None = None, document: str | None = None,
               include_retired: bool = False) -> dict[str, Any]:
        if not 1 <= k <= 50:
            raise ToolError("invalid_request: k must be between 1 and 50 / k 须在 1 到 50 之间")

        def run() -> dict[str, Any]:
            engine = assistant.engine()
            hits = assistant.search_in(engine, query, k, region=region, document=document,
                                       include_retired=include_retired)
            return {"hits": [{**hit_json(h, engine.index.documents[h.clause.doc_id]), "uri": clause_uri(h.clause.id)}
                             for h in hits]}

        return _call(run)

    @server.tool(description="One clause in context: its text, position (page, lines), document, neighbours.")
    def get_clause(clause_id: str) -> dict[str, Any]:
        return _call(lambda: clause_json(assistant.clause(clause_id)))

    @server.tool(description="The documents with id, title, 文号, issuer, region, date, status and clause count.")
    def list_documents() -> dict[str, Any]:
        return {"documents": _call(lambda: [document_json(doc, n) for doc, n in assistant.documents()])}

    @server.tool(description="The regions that have documents, with their depth in the region tree.")
    def list_regions() -> dict[str, Any]:
        return {"regions": _call(lambda: [{"region": name, "depth": depth} for name, depth in assistant.region_tree()])}

    @server.tool(description="Mark a document 已废止 (or 被替代 with superseded_by). Needs the admin token.")
    def retire_document(document_id: str, ctx: Context, superseded_by: str = "",
                        admin_token: str = "") -> dict[str, Any]:
        _call(lambda: assistant.authorize(_presented_token(ctx, admin_token)))
        log.info("mcp: retire %s", document_id)
        return changed(document_id, _call(lambda: assistant.retire_document(document_id, superseded_by)))

    @server.tool(description="Mark a retired document 现行 again. Needs the admin token.")
    def reinstate_document(document_id: str, ctx: Context, admin_token: str = "") -> dict[str, Any]:
        _call(lambda: assistant.authorize(_presented_token(ctx, admin_token)))
        log.info("mcp: reinstate %s", document_id)
        return changed(document_id, _call(lambda: assistant.reinstate_document(document_id)))

    @server.resource(CLAUSE_URI, name="clause", mime_type="application/json",
                     description="One clause in context, as JSON")
    def clause_resource(clause_id: str) -> str:
        return json.dumps(_read(lambda: clause_json(assistant.clause(clause_id))), ensure_ascii=False)

    @server.resource(DOCUMENT_URI, name="document", mime_type="application/json",
                     description="One document's metadata and its clause ids, as JSON")
    def document_resource(document_id: str) -> str:
        def run() -> dict[str, Any]:
            index = assistant.index
            doc = index.documents.get(document_id)
            if doc is None:
                raise NotFound(f"no document {document_id!r}", f"未找到文件“{document_id}”。")
            ids = [c.id for c in index.clauses if c.doc_id == document_id]
            return {**document_json(doc, len(ids)), "clause_ids": ids, "clause_uris": [clause_uri(i) for i in ids]}

        return json.dumps(_read(run), ensure_ascii=False)

    @server.resource("policy://documents", name="documents", mime_type="application/json",
                     description="Every document with its clause count, as JSON")
    def documents_resource() -> str:
        return json.dumps(_read(lambda: [document_json(doc, n) for doc, n in assistant.documents()]),
                          ensure_ascii=False)

    @server.prompt(name="hotline_answer", title="热线答复",
                   description="Answer a caller's question as a 12345 hotline agent would, from `ask`'s cited clauses")
    def hotline_answer(question: str, region: str = "") -> str:
        scope = f"（region 设为“{region}”）" if region else ""
        return HOTLINE.format(question=question.strip(), scope=scope)

    return server


def run_stdio(assistant: Assistant | None = None) -> None:
    """`assistant mcp`: serve over stdin/stdout until the client closes them."""
    assistant = assistant or Assistant()
    assistant.watch()
    build_mcp(assistant).run("stdio")
