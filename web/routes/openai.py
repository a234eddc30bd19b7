"""`/v1/*`: an OpenAI-compatible chat API over the same service, streaming or not.

The answer's citations are in the message content as numbered references and, for programs,
in a `citations` array on the response (on the last chunk when streaming).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.errors import InvalidRequest
from assistant.models import Answer
from assistant.service.assistant import Assistant
from assistant.service.contract import citation_json, reference_line
from assistant.settings import Settings
from web.deps import get_app_settings, get_assistant, refuse_unknown
from web.models.requests import ChatRequest
from web.models.responses import ERRORS, CompletionOut, ModelList

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


@router.get("/models", response_model=ModelList, summary="The one model this service answers as")
def models(settings: Annotated[Settings, Depends(get_app_settings)]) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": settings.model_name, "object": "model", "created": CREATED,
                                         "owned_by": "policy-assistant"}]}


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
    last = body.messages[-1]
    if last.role != "user":
        raise InvalidRequest(f"the last message must be the user's question, got role {last.role!r}",
                             "最后一条消息必须是用户的问题。")
    history = [m.turn() for m in body.messages[:-1]]
    async with request.app.state.long_lane.enter(history):
        answer = await run_in_threadpool(assistant.ask, last.text(), region=body.region or None,
                                         document=body.document or None, include_retired=body.include_retired,
                                         history=history)
    content = message_content(answer)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    extra = {"citations": [citation_json(c) for c in answer.citations], "abstained": answer.abstained,
             "interpreted_as": answer.interpreted_as or None}
    usage = {"prompt_tokens": sum(len(m.text()) for m in body.messages), "completion_tokens": len(content)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    if not body.stream:
        return {"id": completion_id, "object": "chat.completion", "created": created, "model": settings.model_name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop", "logprobs": None}],
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
        yield chunk({}, "stop", usage=usage, **extra)
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], include_in_schema=False)
def unknown(path: str, request: Request) -> None:
    """Unknown /v1 paths and wrong methods, in the API's error shape."""
    refuse_unknown(request, router.routes, unknown)
