"""Errors under `/v1` in OpenAI's shape as well as the project's: `error.type` is OpenAI's kind
(`invalid_request_error`, …) and `error.param` names the request field at fault, so OpenAI
clients raise the right exception (`NotFoundError`, `BadRequestError`) and show the field.
`code`, `message_en`, `message_zh` and `details` stay the project's."""

from __future__ import annotations

from typing import Any

OPENAI_PREFIX = "/v1"

# The request field each domain error is about (when the error does not name one itself).
PARAMS = {"model_not_found": "model", "empty_question": "messages", "question_too_long": "messages",
          "invalid_question": "messages", "unknown_region": "region", "unknown_document": "document"}


def is_openai(path: str) -> bool:
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def openai_type(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status == 403:
        return "permission_error"
    if status == 429:
        return "rate_limit_error"
    if status >= 500:
        return "server_error"
    return "invalid_request_error"


def param_of(errors: list[dict[str, Any]] | None) -> str | None:
    """`messages[0].content` from a validation error's location (`body`, `messages`, 0, `content`)."""
    if not errors:
        return None
    loc = [p for p in errors[0].get("loc", ()) if p not in ("body", "query", "path")]
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


def openai_shaped(body: dict[str, Any], status: int) -> dict[str, Any]:
    """`body` (the project's error shape) with OpenAI's `type` and `param`."""
    error = body["error"]
    details = error.get("details") or {}
    error["type"] = openai_type(status)
    error["param"] = details.get("param") or PARAMS.get(error["code"]) or param_of(details.get("errors"))
    return body
