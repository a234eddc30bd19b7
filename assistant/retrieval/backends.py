"""The one place a backend is chosen: in process, or Milvus (`ASSISTANT_SEARCH_BACKEND`)."""

from __future__ import annotations

from typing import Any

from assistant.index.load import LoadedIndex
from assistant.retrieval.base import Backend, Mode
from assistant.retrieval.inprocess import InProcessBackend
from assistant.settings import Settings


def milvus_store(settings: Settings) -> Any:
    """A connection to the Milvus of `settings` (its caller keeps it: Milvus Lite lets one process
    open a file once)."""
    from assistant.retrieval.milvus import MilvusStore

    return MilvusStore(settings)


def make_backend(index: LoadedIndex, settings: Settings, mode: Mode = "fused", milvus: Any = None) -> Backend:
    """The backend `settings.search_backend` names over `index`; `milvus` is the connection to use."""
    if settings.search_backend == "milvus":
        from assistant.retrieval.milvus import MilvusBackend

        return MilvusBackend(index, settings, milvus if milvus is not None else milvus_store(settings), mode)
    return InProcessBackend(index, settings, mode)
