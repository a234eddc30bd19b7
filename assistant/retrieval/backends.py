"""The one place a backend is chosen: in process, or Milvus (`ASSISTANT_SEARCH_BACKEND`)."""

from __future__ import annotations

import logging
from typing import Any

from assistant.errors import NoDocuments
from assistant.index.load import LoadedIndex, load_index
from assistant.retrieval.base import Backend, Mode
from assistant.retrieval.inprocess import InProcessBackend
from assistant.settings import Settings

log = logging.getLogger(__name__)


def milvus_store(settings: Settings) -> Any:
    """A connection to the Milvus of `settings` (its caller keeps it: Milvus Lite lets one process
    open a file once)."""
    from assistant.retrieval.milvus import MilvusStore

    return MilvusStore(settings)


def make_backend(index: LoadedIndex, settings: Settings, mode: Mode = "fused", milvus: Any = None) -> Backend:
    """The backend `settings.search_backend` names over `index`; `milvus` is the connection to use."""
    if settings.search_backend == "milvus":
        from assistant.retrieval.milvus import MilvusBackend

        store = milvus if milvus is not None else milvus_store(settings)
        collection = store.attach(index, settings)  # published first when this process is the writer
        if collection is not None:
            return MilvusBackend(index, settings, store, collection, mode)
    return InProcessBackend(index, settings, mode)


def publish_build(settings: Settings) -> str | None:
    """Where builds run: publish the build `CURRENT` names to Milvus (its collection, then the
    alias) when this process is the writer; the collection's name, or None when it is not."""
    if settings.search_backend != "milvus":
        return None
    store = milvus_store(settings)
    if not store.writes:
        return None
    try:
        index = load_index(settings, fresh=False)
    except NoDocuments:  # an empty corpus: nothing to search, nothing to publish
        return None
    collection: str | None = store.attach(index, settings, write=True)
    log.info("milvus: build %s published as %s", index.build, collection)
    return collection
