"""The trained embedder of the session's built index, read with numpy, encodes as sentence-transformers does."""

from __future__ import annotations

import numpy as np

from assistant.index.load import read_manifest
from assistant.index.store import IndexStore


def test_numpy_static_embedding_matches_sentence_transformers(built_settings):
    from assistant.index.dense import SentenceTransformerEncoder, StaticEmbeddingEncoder

    model = IndexStore(built_settings.index_dir).models / read_manifest(built_settings.index_dir)["embedder_folder"]
    texts = ["企业开办全流程1个工作日办结", "获得电力", "", "xyz"]
    ours = StaticEmbeddingEncoder(model).encode(texts)
    theirs = SentenceTransformerEncoder(str(model)).encode(texts)
    assert np.allclose(ours, theirs, atol=1e-6)
