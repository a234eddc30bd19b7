"""Request bodies of the HTTP API (pydantic), kept apart from the domain dataclasses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.lexicon.text import encodable
from assistant.settings import get_settings
from assistant.understand.conversation import Turn

MAX_HISTORY = 100
MAX_MESSAGE_CHARS = 20_000
MAX_FIELD_CHARS = 20_000  # any other text field


def _text_only(value: Any, depth: int = 0) -> None:
    """Every string in a body is text: a lone surrogate ("\\ud800") is refused (400), not a 500 later."""
    if isinstance(value, str):
        if not encodable(value):
            raise ValueError("a string holds a lone surrogate, which is not text")
    elif isinstance(value, dict) and depth < 8:
        for key, item in value.items():
            _text_only(key, depth + 1)
            _text_only(item, depth + 1)
    elif isinstance(value, list) and depth < 8:
        for item in value:
            _text_only(item, depth + 1)


class Body(BaseModel):
    """A request body: text only."""

    @model_validator(mode="before")
    @classmethod
    def _is_text(cls, data: Any) -> Any:
        _text_only(data)
        return data


def _history_fits(messages: list[Message]) -> None:
    limit = get_settings().max_history_chars
    size = sum(len(m.text()) for m in messages)
    if size > limit:
        raise ValueError(f"the history holds {size} characters, more than {limit} allowed")


class Message(Body):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "developer", "tool"]
    # OpenAI clients send a string, or a list of parts such as {"type": "text", "text": "…"}.
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content[:MAX_MESSAGE_CHARS]
        parts = [str(p.get("text", "")) for p in self.content
                 if p.get("type") in ("text", "input_text", "output_text")]
        return "".join(parts)[:MAX_MESSAGE_CHARS]

    # An assistant message may carry what its answer returned (`subject`, `clause_id`): a follow-up
    # then needs no replay of the questions before it. Checked: text, bounded, a clause the index has.
    subject: str = Field(default="", max_length=MAX_FIELD_CHARS)
    clause_id: str = Field(default="", max_length=200)

    def turn(self) -> Turn:
        return Turn(self.role, self.text(), self.subject, self.clause_id)


class AskRequest(Body):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(max_length=MAX_FIELD_CHARS)
    region: str | None = Field(default=None, max_length=200)
    document: str | None = Field(default=None, max_length=200)
    history: list[Message] = Field(default_factory=list, max_length=MAX_HISTORY)
    include_retired: bool = False

    @model_validator(mode="after")
    def _history_size(self) -> AskRequest:
        _history_fits(self.history)
        return self


class FeedbackRequest(Body):
    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    question: str = Field(max_length=2_000)
    answer: str = Field(default="", max_length=10_000)
    comment: str = Field(default="", max_length=2_000)
    clause_ids: list[str] = Field(default_factory=list, max_length=20)
    # A retry with the same key gets the row saved the first time, not a second one.
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _ids_short(self) -> FeedbackRequest:
        if any(len(c) > 200 for c in self.clause_ids):
            raise ValueError("a clause id is longer than 200 characters")
        return self


class ChatRequest(Body):
    """OpenAI's chat completion request; sampling options are accepted and have no effect
    (answers are extractive). `region` and `document` are this service's own filters."""

    model_config = ConfigDict(extra="ignore")

    model: str | None = Field(default=None, max_length=200)
    messages: list[Message] = Field(min_length=1, max_length=MAX_HISTORY)
    stream: bool = False
    n: int = Field(default=1, ge=1, description="how many choices; only 1 (an answer is extractive)")
    # the content is cut at this many characters (the usage counts characters), finish_reason "length"
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    region: str | None = Field(default=None, max_length=200)
    document: str | None = Field(default=None, max_length=200)
    include_retired: bool = False

    @model_validator(mode="after")
    def _history_size(self) -> ChatRequest:
        _history_fits(self.messages)
        return self


class ResponsesRequest(Body):
    """OpenAI's Responses API request (`POST /v1/responses`): `input` is the question or the
    conversation as messages; `instructions` are accepted and have no effect; `stream` answers
    with the Responses API's server-sent events."""

    model_config = ConfigDict(extra="ignore")

    model: str | None = Field(default=None, max_length=200)
    input: str | list[Message]
    instructions: str | None = Field(default=None, max_length=MAX_FIELD_CHARS)
    stream: bool = False
    max_output_tokens: int | None = Field(default=None, ge=1)
    region: str | None = Field(default=None, max_length=200)
    document: str | None = Field(default=None, max_length=200)
    include_retired: bool = False

    @model_validator(mode="after")
    def _input_size(self) -> ResponsesRequest:
        if isinstance(self.input, str):
            if len(self.input) > MAX_FIELD_CHARS:
                raise ValueError(f"input has more than {MAX_FIELD_CHARS} characters")
        elif not 1 <= len(self.input) <= MAX_HISTORY:
            raise ValueError(f"input holds {len(self.input)} messages; 1 to {MAX_HISTORY} are allowed")
        else:
            _history_fits(self.input)
        return self

    def messages(self) -> list[Message]:
        return [Message(role="user", content=self.input)] if isinstance(self.input, str) else list(self.input)


class RetireRequest(Body):
    model_config = ConfigDict(extra="forbid")

    superseded_by: str = Field(default="", max_length=200)
