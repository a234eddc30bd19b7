"""Domain exceptions. Translated only at the edges: CLI exit codes, HTTP statuses, UI errors."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: every error a user can cause or fix carries a one-line message."""

    code = "assistant_error"


class InvalidQuestion(AssistantError):
    code = "invalid_question"


class UnknownFilter(AssistantError):
    code = "unknown_filter"


class IndexMissing(AssistantError):
    code = "index_missing"


class IndexStale(AssistantError):
    code = "index_stale"


class CorpusError(AssistantError):
    code = "corpus_error"


REBUILD_HINT = "run `assistant build` (or `make run`) to build it"
