"""Domain exceptions. Translated only at the edges: CLI exit codes, HTTP statuses, UI errors.

Each error has a stable `code`, an English message, a Chinese message (the class default or one
given at the raise) and optional `details` a client can act on (the valid regions, say).
"""

from __future__ import annotations

from typing import Any


class AssistantError(Exception):
    """Base class: every error a user can cause or fix carries a one-line message."""

    code = "assistant_error"
    zh = "请求无法完成。"

    def __init__(self, message: str, zh: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = zh or self.zh
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} / {self.message_zh}"


class InvalidRequest(AssistantError):
    code = "invalid_request"
    zh = "请求格式不正确。"


class InvalidQuestion(InvalidRequest):
    code = "invalid_question"
    zh = "问题无效。"


class EmptyQuestion(InvalidQuestion):
    code = "empty_question"
    zh = "问题不能为空。"


class QuestionTooLong(InvalidQuestion):
    code = "question_too_long"
    zh = "问题过长。"


class UnknownFilter(InvalidRequest):
    code = "unknown_filter"
    zh = "筛选条件无效。"


class UnknownRegion(UnknownFilter):
    code = "unknown_region"
    zh = "未知地区。"


class UnknownDocument(UnknownFilter):
    code = "unknown_document"
    zh = "未知文件。"


class NotFound(AssistantError):
    code = "not_found"
    zh = "未找到。"


class NoDocuments(NotFound):
    """The corpus is empty: a new deployment before its first document."""

    code = "no_documents"
    zh = "文件库中还没有文件：请先添加文件（`assistant add 文件` 或管理页上传），再提问。"


class ModelNotFound(NotFound):
    code = "model_not_found"
    zh = "不存在该模型。"


class DocumentNotFound(NotFound):
    code = "document_not_found"
    zh = "未找到该文件。"


class UnreadableDocument(InvalidRequest):
    code = "unreadable_document"
    zh = "文件无法读取。"


class IdTaken(InvalidRequest):
    """A new document asks for an id a source or a document (a split one included) already has."""

    code = "id_taken"
    zh = "文件编号已被使用。"


class TooManyClauses(InvalidRequest):
    """A document would add more clauses than one document, or one upload, may add (422)."""

    code = "too_many_clauses"
    zh = "该文件产生的条款过多。"


class UploadTooLarge(InvalidRequest):
    code = "upload_too_large"
    zh = "文件过大。"


class AdminDisabled(AssistantError):
    code = "admin_disabled"
    zh = "管理功能未开启：请在服务器上设置 ASSISTANT_ADMIN_TOKEN。"


class Unauthorized(AssistantError):
    code = "unauthorized"
    zh = "管理口令缺失或不正确。"


class Starting(AssistantError):
    """The server is up but still loading its index: ask again in a few seconds."""

    code = "starting"
    zh = "服务正在启动（正在加载索引），请稍后重试。"


class Busy(AssistantError):
    code = "busy"
    zh = "正在更新索引，请稍后重试。"


class BodyTooLarge(InvalidRequest):
    code = "body_too_large"
    zh = "请求体过大。"


class RateLimited(AssistantError):
    code = "rate_limited"
    zh = "请求过于频繁，请稍后再试。"


class MethodNotAllowed(InvalidRequest):
    code = "method_not_allowed"
    zh = "不支持该请求方法。"


class UnknownClause(NotFound):
    code = "unknown_clause"
    zh = "未找到该条款。"


class IndexMissing(AssistantError):
    code = "index_missing"
    zh = "索引尚未构建：请运行 `assistant build`（或 `make run`）。"


class IndexDamaged(AssistantError):
    code = "index_damaged"
    zh = "索引文件已损坏，请运行 `assistant build` 重建。"


class IndexStale(AssistantError):
    code = "index_stale"
    zh = "索引已过期：请运行 `assistant build`（或 `make run`）重新构建。"


class CorpusError(AssistantError):
    code = "corpus_error"
    zh = "文件库无法读取。"


class DiskFull(AssistantError):
    code = "insufficient_storage"
    zh = "服务器磁盘空间不足，更改未保存。"


class SearchUnavailable(AssistantError):
    code = "search_unavailable"
    zh = "检索服务（Milvus）暂时无法连接，请稍后重试或联系管理员。"


class StorageError(AssistantError):
    code = "storage_error"
    zh = "数据无法保存。"


REBUILD_HINT = "run `assistant build` (or `make run`) to build it"
