"""Request bodies of the HTTP API (pydantic), kept apart from the domain dataclasses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.conversation import Turn

MAX_HISTORY = 100
MAX_MESSAGE_CHARS = 20_000


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "user", "assistant", "developer", "tool"]
    # OpenAI clients send a string, or a list of parts such as {"type": "text", "text": "…"}.
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content[:MAX_MESSAGE_CHARS]
        parts = [str(p.get("text", "")) for p in self.content if p.get("type") in ("text", "input_text")]
        return "".join(parts)[:MAX_MESSAGE_CHARS]

    def turn(self) -> Turn:
        return Turn(self.role, self.text())


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str
    region: str | None = None
    document: str | None = None
    history: list[Message] = Field(default_factory=list, max_length=MAX_HISTORY)
    include_retired: bool = False


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Literal["up", "down"]
    question: str
    answer: str = ""
    comment: str = ""
    clause_ids: list[str] = Field(default_factory=list, max_length=50)


class ChatRequest(BaseModel):
    """OpenAI's chat completion request; sampling options are accepted and have no effect
    (answers are extractive). `region` and `document` are this service's own filters."""

    model_config = ConfigDict(extra="ignore")

    model: str | None = None
    messages: list[Message] = Field(min_length=1, max_length=MAX_HISTORY)
    stream: bool = False
    region: str | None = None
    document: str | None = None
    include_retired: bool = False


class RetireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    superseded_by: str = ""
