"""Response bodies of the HTTP API (pydantic), so that the OpenAPI document says what each route
returns. The JSON itself is built once, in `assistant.service.contract`; these models describe it, and a
test checks that validating a real body through its model keeps every field (nothing dropped)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactOut(Out):
    type: str = Field(description="time_limit | deadline | lead_unit | responsible_unit | amount | …")
    value: str = Field(description="the span as it stands in the clause")
    normalized: str
    start: int = Field(description="offset into the clause text; -1 when the fact comes from a table field")
    end: int


class AnswerFactOut(FactOut):
    clause_id: str = Field(description="the clause the fact was read from")


class DocumentOut(Out):
    id: str
    title: str
    doc_number: str = Field(description="文号")
    issuer: str
    region: str
    date: str = Field(description="ISO 8601, as precise as the source (2023-04-25, 2023-04 or 2023)")
    kind: str
    parent_id: str | None
    topic: str | None
    source_file: str
    status: str = Field(description="现行 | 已废止 | 被替代")
    superseded_by: str | None
    in_force: bool


class ListedDocumentOut(DocumentOut):
    clauses: int = Field(description="how many clauses the index holds for it")


class CitationOut(Out):
    n: int
    clause_id: str
    document_id: str
    document: str
    doc_number: str
    issuer: str
    region: str
    date: str
    status: str
    superseded_by: str | None
    topic: str | None
    path: str = Field(description="the clause's heading path, e.g. 二、（一）1.")
    headings: list[str]
    page: int | None
    source_file: str
    line_start: int
    line_end: int
    text: str
    facts: list[FactOut]
    score: float


class DepartmentOut(Out):
    role: str = Field(description="牵头 | 责任 | 办理")
    name: str
    full_name: str | None
    clause_id: str


class UsedSpan(Out):
    clause_id: str
    start: int
    end: int


class AnswerOut(Out):
    id: Any = None
    question: str
    interpreted_as: str | None
    follow_up: str | None
    answer: str
    abstained: bool
    state: Literal["answered", "partial", "not_found", "small_talk"]
    missing: list[str]
    departments: list[DepartmentOut]
    used: list[UsedSpan]
    filtered: bool
    citations: list[CitationOut]
    facts: list[AnswerFactOut]
    latency_ms: float
    subject: str = Field(description="what the conversation is about after this answer; send it back as `subject` "
                                     "on this turn's assistant message in `history`")
    clause_id: str | None = Field(description="the clause the answer rests on first; send it back with `subject`")


class HitOut(Out):
    rank: int
    score: float
    scores: dict[str, float] = Field(description="each retriever's score (lexical, dense …)")
    clause_id: str
    document_id: str
    document: str
    doc_number: str
    region: str
    date: str
    status: str
    path: str
    page: int | None
    text: str


class SearchOut(Out):
    query: str
    k: int
    region: str | None
    document: str | None
    include_retired: bool
    hits: list[HitOut]


class DocumentsOut(Out):
    documents: list[ListedDocumentOut]
    regions: list[str]


class ClauseBrief(Out):
    id: str
    path: str
    text: str


class ClauseOut(Out):
    id: str
    path: str
    text: str
    page: int | None
    headings: list[str]
    fields: dict[str, str] = Field(description="table columns, e.g. 牵头单位")
    facts: list[FactOut]
    source_file: str
    line_start: int
    line_end: int
    document: DocumentOut
    previous_id: str | None
    next_id: str | None
    previous: ClauseBrief | None
    next: ClauseBrief | None


class ManifestBrief(BaseModel):
    """The serving build's manifest, the fields a client may rely on."""

    build: str | None = None
    mode: str | None = None
    corpus_fingerprint: str | None = None
    embedding_model: str | None = None
    embedding_model_description: str | None = None
    built_at: str | None = None
    build_seconds: float | None = None
    documents: int | None = None
    clauses: int | None = None
    format_version: int | None = None
    package_version: str | None = None
    dimension: int | None = None


class HealthOut(Out):
    status: Literal["ready", "degraded"]
    manifest: ManifestBrief
    degraded: dict[str, Any] | None = Field(default=None, description="the damaged build, the one serving instead, "
                                                                     "and what is wrong")
    live: bool = Field(default=True, description="the process answers")
    ready: bool = Field(default=True, description="a good build serves (false while a fallback build serves)")


class FeedbackOut(Out):
    id: int
    created_at: str
    rating: Literal["up", "down"]
    question: str
    answer: str
    comment: str
    clause_ids: list[str]
    source: str


class FeedbackList(Out):
    feedback: list[FeedbackOut]


class BuildBrief(Out):
    build: str | None = None
    mode: str | None = None
    build_seconds: float | None = None
    documents: int | None = None
    clauses: int | None = None
    reuse: dict[str, int] | None = None


class SourceOut(Out):
    id: str
    file: str
    title: str
    issuer: str
    doc_number: str
    date: str
    region: str
    layout: str


class UploadOut(Out):
    document: SourceOut
    index: BuildBrief


class DuplicateOut(Out):
    file: str
    document: str  # the id of the document it repeats


class RefusedOut(Out):
    file: str
    code: str
    reason: str
    reason_zh: str


class BulkUploadOut(Out):
    """A multi-file upload: what was added, skipped and refused, per file; one build."""

    added: list[SourceOut]
    duplicates: list[DuplicateOut]
    refused: list[RefusedOut]
    region_unknown: list[str]  # files whose region was neither given nor read (refused, or given the default)
    defaulted: list[str]  # added under the server's default region
    index: BuildBrief


class RemovedOut(Out):
    removed: SourceOut
    index: BuildBrief


class StatusOut(Out):
    id: str
    status: Literal["现行", "已废止", "被替代"]
    superseded_by: str | None = None
    index: BuildBrief


class ModelOut(Out):
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(Out):
    object: Literal["list"]
    data: list[ModelOut]


class UrlCitationOut(Out):
    url: str = Field(description="the clause's link: /api/clauses/{clause_id} on this server")
    title: str
    start_index: int = Field(description="where its reference line starts in `content`")
    end_index: int
    clause_id: str


class AnnotationOut(Out):
    type: Literal["url_citation"]
    url_citation: UrlCitationOut


class ChatMessageOut(Out):
    role: Literal["assistant"]
    content: str
    annotations: list[AnnotationOut] = Field(description="the citations, as OpenAI's url_citation annotations")


class ChoiceOut(Out):
    index: int
    message: ChatMessageOut
    finish_reason: Literal["stop", "length"] = Field(description="length: cut at `max_tokens`")
    logprobs: None


class UsageOut(Out):
    """Counted in characters (of the messages' text and of the content), not in a model's tokens."""

    prompt_tokens: int = Field(description="characters of the messages' text")
    completion_tokens: int = Field(description="characters of the content")
    total_tokens: int


class CompletionOut(Out):
    """OpenAI's chat completion, with this service's citations for programs."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[ChoiceOut]
    usage: UsageOut
    citations: list[CitationOut]
    abstained: bool
    interpreted_as: str | None


class OutputTextOut(Out):
    type: Literal["output_text"]
    text: str
    annotations: list[dict[str, Any]] = Field(description="url_citation objects: type, url, title, start_index, "
                                                          "end_index, clause_id")


class OutputMessageOut(Out):
    type: Literal["message"]
    id: str
    status: Literal["completed"]
    role: Literal["assistant"]
    content: list[OutputTextOut]


class ResponseUsageOut(Out):
    """Characters, as on /v1/chat/completions."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_tokens_details: dict[str, int]
    output_tokens_details: dict[str, int]


class ResponseOut(Out):
    """OpenAI's Responses API object, with this service's citations for programs."""

    id: str
    object: Literal["response"]
    created_at: int
    model: str
    status: Literal["completed", "incomplete"]
    incomplete_details: dict[str, str] | None
    error: None
    output: list[OutputMessageOut]
    usage: ResponseUsageOut
    citations: list[CitationOut]
    abstained: bool


class LiveOut(Out):
    status: Literal["live"]


class ReadyOut(Out):
    status: Literal["ready"]
    ready: Literal[True]
    build: str | None


# -- errors ---------------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    code: str
    type: str
    message: str
    message_en: str
    message_zh: str
    details: dict[str, Any] | None = None
    param: str | None = Field(default=None, description="under /v1 only: the request field at fault (OpenAI's shape)")


class ErrorBody(BaseModel):
    """Every error of every route: `{error: {code, message, message_en, message_zh, details}}`."""

    error: ErrorDetail


class UnavailableBody(ErrorBody):
    """503 of `/api/health`: the error shape with `status: unavailable` (no usable index) or
    `starting` (the port is bound, the index still loading; code `starting`, `Retry-After`)."""

    status: Literal["unavailable", "starting"]
    live: bool | None = Field(default=None, description="the process answers (while starting)")
    ready: bool | None = Field(default=None, description="false while starting")


_SAID = {400: "The request is malformed or a value is out of range", 401: "Missing or wrong admin token",
         403: "Admin routes are off (no ASSISTANT_ADMIN_TOKEN)", 404: "No such document, clause or route",
         405: "Wrong method (see `details.allowed`)", 409: "Another build is running, or the document id is taken", 413: "The body is too large",
         422: "The document cannot be read", 429: "Too many requests (see Retry-After)",
         503: "No usable index: run `assistant build`", 507: "The disk, the upload folder or the feedback store is full"}
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody, "description": said} for code, said in _SAID.items()}
