"""`/v1/*`: an OpenAI-compatible chat API over the same service, and the Responses API
(`/v1/responses`), each streaming or not.

The answer's citations are in the message content as numbered references; as OpenAI's
`url_citation` annotations on the message (each the clause's link, over its reference line), which
clients that keep annotations keep (LangChain's `ChatOpenAI` with the Responses API); and, for
programs, in a `citations` array on the response (on the last chunk when streaming; in the
Responses API's stream, the last event's `response`).

OpenAI's conventions: only this service's model (another is 404 `model_not_found`); `n` is 1;
`max_tokens` cuts the content (finish_reason `length`); `usage` counts characters, not tokens.
Errors are in OpenAI's shape too (`error.type`, `error.param`; web/openai_errors.py).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.errors import InvalidRequest, ModelNotFound
from assistant.models import Answer
from assistant.service.assistant import Assistant
from assistant.service.contract import citation_json, reference_line
from assistant.settings import Settings
from web.deps import get_app_settings, get_assistant, refuse_unknown
from web.models.requests import ChatRequest, Message, ResponsesRequest
from web.models.responses import ERRORS, CompletionOut, ModelList, ModelOut, ResponseOut

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERRORS)
CREATED = int(time.time())


def message_content(answer: Answer) -> str:
    if not answer.citations:
        return answer.text
    title = "相关条款" if answer.abstained else "参考条款"
    return answer.text + f"\n\n{title}：\n" + "\n".join(reference_line(c) for c in answer.citations)


def _pieces(text: str) -> Iterator[str]:
    """The content in sentence-sized deltas, as a model would stream it."""
    piece = ""
    for ch in text:
        piece += ch
        if ch in "。；\n" or len(piece) >= 40:
            yield piece
            piece = ""
    if piece:
        yield piece


def model_json(settings: Settings) -> dict[str, Any]:
    return {"id": settings.model_name, "object": "model", "created": CREATED, "owned_by": "policy-assistant"}


def check_model(model: str | None, settings: Settings) -> None:
    """Only this service's model: another name (`gpt-4o`) is 404 `model_not_found`, as OpenAI answers."""
    if model and model != settings.model_name:
        raise ModelNotFound(f"the model {model!r} does not exist; this service answers as {settings.model_name!r}",
                            f"不存在模型“{model}”，本服务的模型为“{settings.model_name}”。", param="model")


@router.get("/models", response_model=ModelList, summary="The one model this service answers as")
def models(settings: Annotated[Settings, Depends(get_app_settings)]) -> dict[str, Any]:
    return {"object": "list", "data": [model_json(settings)]}


@router.get("/models/{model_id:path}", response_model=ModelOut, summary="One model (only this service's exists)")
def model(model_id: str, settings: Annotated[Settings, Depends(get_app_settings)]) -> dict[str, Any]:
    check_model(model_id, settings)
    return model_json(settings)


def clause_url(request: Request, clause_id: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/api/clauses/{quote(clause_id, safe=':')}"


def url_citations(answer: Answer, content: str, request: Request) -> list[dict[str, Any]]:
    """Each citation as a `url_citation` over its reference line in `content` (those `content` still holds)."""
    out = []
    for c in answer.citations:
        line = reference_line(c)
        start = content.find(line)
        if start < 0:
            continue
        out.append({"type": "url_citation", "url_citation": {
            "url": clause_url(request, c.clause.id), "title": f"《{c.document.title}》 {c.clause.path}".strip(),
            "start_index": start, "end_index": start + len(line), "clause_id": c.clause.id}})
    return out


def cut(content: str, limit: int | None) -> tuple[str, str]:
    """The content within `limit` characters, and the finish reason."""
    if limit is not None and len(content) > limit:
        return content[:limit], "length"
    return content, "stop"


async def answer_for(messages: list[Message], region: str | None, document: str | None, include_retired: bool,
                     assistant: Assistant, request: Request) -> Answer:
    last = messages[-1]
    if last.role != "user":
        raise InvalidRequest(f"the last message must be the user's question, got role {last.role!r}",
                             "最后一条消息必须是用户的问题。", param="messages")
    history = [m.turn() for m in messages[:-1]]
    async with request.app.state.long_lane.enter(history):
        return await run_in_threadpool(assistant.ask, last.text(), region=region or None, document=document or None,
                                       include_retired=include_retired, history=history)


STREAMED: dict[int | str, dict[str, Any]] = {200: {
    "model": CompletionOut,
    "description": "The completion as JSON; with `stream`, server-sent events: `data: {chunk}` lines, then `data: [DONE]`",
    # OpenAPI 3.1 reads an event stream's `schema` as the schema of each event
    "content": {"text/event-stream": {"schema": {
        "type": "object", "required": ["data"],
        "properties": {"data": {"type": "string", "description": "a `chat.completion.chunk` as JSON, or `[DONE]`"},
                       "event": {"type": "string"}}}}}}}


@router.post("/chat/completions", summary="OpenAI-compatible chat completion (stream or not)", response_model=None,
             responses=STREAMED)
async def chat_completions(body: ChatRequest, assistant: Annotated[Assistant, Depends(get_assistant)],
                           settings: Annotated[Settings, Depends(get_app_settings)],
                           request: Request) -> dict[str, Any] | StreamingResponse:
    check_model(body.model, settings)
    if body.n != 1:
        raise InvalidRequest(f"n must be 1: an answer is extractive, there is one ({body.n} asked)",
                             "n 只能为 1：答案取自条款，只有一个。", param="n")
    answer = await answer_for(body.messages, body.region, body.document, body.include_retired, assistant, request)
    content, finish = cut(message_content(answer), body.max_completion_tokens or body.max_tokens)
    cited = url_citations(answer, content, request)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    extra = {"citations": [citation_json(c) for c in answer.citations], "abstained": answer.abstained,
             "interpreted_as": answer.interpreted_as or None}
    usage = {"prompt_tokens": sum(len(m.text()) for m in body.messages), "completion_tokens": len(content)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    if not body.stream:
        return {"id": completion_id, "object": "chat.completion", "created": created, "model": settings.model_name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "annotations": cited},
                             "finish_reason": finish, "logprobs": None}],
                "usage": usage, **extra}

    def chunk(delta: dict[str, Any], finish: str | None = None, **more: Any) -> str:
        data = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                "model": settings.model_name,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **more}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        for piece in _pieces(content):
            yield chunk({"content": piece})
        yield chunk({"annotations": cited} if cited else {}, finish, usage=usage, **extra)
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


RESPONSE_STREAMED: dict[int | str, dict[str, Any]] = {200: {
    "model": ResponseOut,
    "description": "The response as JSON; with `stream`, server-sent events (`event: <type>` and `data: {event}`): "
                   "`response.created`, `response.in_progress`, `response.output_item.added`, "
                   "`response.content_part.added`, `response.output_text.delta`…, "
                   "`response.output_text.annotation.added`…, `response.output_text.done`, "
                   "`response.content_part.done`, `response.output_item.done`, then `response.completed` "
                   "(`response.incomplete` when `max_output_tokens` cut it)",
    "content": {"text/event-stream": {"schema": {
        "type": "object", "required": ["data"],
        "properties": {"event": {"type": "string", "description": "the event's type"},
                       "data": {"type": "string", "description": "the event as JSON, with `type` and `sequence_number`"}}}}}}}


def response_events(full: dict[str, Any]) -> Iterator[str]:
    """A finished response (`full`, as /v1/responses answers it) as the Responses API's event
    stream: the response created, its one message and text part opened, the text in sentence-sized
    deltas, each annotation, everything done, and the whole response last."""
    item = full["output"][0]
    part = item["content"][0]
    where = {"item_id": item["id"], "output_index": 0}
    number = 0

    def event(kind: str, **data: Any) -> str:
        nonlocal number
        out = {"type": kind, "sequence_number": number, **data}
        number += 1
        return f"event: {kind}\ndata: {json.dumps(out, ensure_ascii=False)}\n\n"

    opening = {**{k: v for k, v in full.items() if k not in ("citations", "abstained")}, "status": "in_progress",
               "incomplete_details": None, "output": [], "usage": None}
    yield event("response.created", response=opening)
    yield event("response.in_progress", response=opening)
    yield event("response.output_item.added", output_index=0,
                item={**item, "status": "in_progress", "content": []})
    yield event("response.content_part.added", **where, content_index=0,
                part={"type": "output_text", "text": "", "annotations": []})
    for piece in _pieces(part["text"]):
        yield event("response.output_text.delta", **where, content_index=0, delta=piece, logprobs=[])
    for i, annotation in enumerate(part["annotations"]):
        yield event("response.output_text.annotation.added", **where, content_index=0, annotation_index=i,
                    annotation=annotation)
    yield event("response.output_text.done", **where, content_index=0, text=part["text"], logprobs=[])
    yield event("response.content_part.done", **where, content_index=0, part=part)
    yield event("response.output_item.done", output_index=0, item=item)
    yield event("response.completed" if full["status"] == "completed" else "response.incomplete", response=full)


@router.post("/responses", summary="OpenAI Responses API (stream or not): the answer as output_text with url_citation "
                                   "annotations", response_model=None, responses=RESPONSE_STREAMED)
async def responses(body: ResponsesRequest, assistant: Annotated[Assistant, Depends(get_assistant)],
                    settings: Annotated[Settings, Depends(get_app_settings)],
                    request: Request) -> dict[str, Any] | StreamingResponse:
    check_model(body.model, settings)
    messages = body.messages()
    answer = await answer_for(messages, body.region, body.document, body.include_retired, assistant, request)
    content, finish = cut(message_content(answer), body.max_output_tokens)
    cited = [{"type": "url_citation", **a["url_citation"]} for a in url_citations(answer, content, request)]
    prompt = sum(len(m.text()) for m in messages)
    full = {"id": f"resp_{uuid.uuid4().hex[:24]}", "object": "response", "created_at": int(time.time()),
            "model": settings.model_name, "status": "completed" if finish == "stop" else "incomplete",
            "incomplete_details": None if finish == "stop" else {"reason": "max_output_tokens"}, "error": None,
            "output": [{"type": "message", "id": f"msg_{uuid.uuid4().hex[:24]}", "status": "completed",
                        "role": "assistant",
                        "content": [{"type": "output_text", "text": content, "annotations": cited}]}],
            "usage": {"input_tokens": prompt, "output_tokens": len(content), "total_tokens": prompt + len(content),
                      "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}},
            "citations": [citation_json(c) for c in answer.citations], "abstained": answer.abstained}
    if not body.stream:
        return full
    return StreamingResponse(response_events(full), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], include_in_schema=False)
def unknown(path: str, request: Request) -> None:
    """Unknown /v1 paths and wrong methods, in the API's error shape."""
    refuse_unknown(request, router.routes, unknown)
