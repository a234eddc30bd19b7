"""Dense retrieval: a sentence-transformers encoder and a FAISS inner-product index.

The encoder is any `Encoder`; the real one wraps a sentence-transformers model folder or id
(`ASSISTANT_EMBEDDING_MODEL`). Vectors are L2-normalised, so inner product is cosine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

# BGE's Chinese retrieval models expect this instruction before a query (not before passages).
BGE_ZH_QUERY_PROMPT = "为这个句子生成表示以用于检索相关文章："


class Encoder(Protocol):
    name: str

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray: ...


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local folder or a model id (never at import)."""

    def __init__(self, name_or_path: str) -> None:
        if not name_or_path:
            raise ValueError("embedding model name or path must not be empty")
        self.name = name_or_path
        self._model = None
        lowered = name_or_path.lower()
        self.query_prompt = BGE_ZH_QUERY_PROMPT if "bge" in lowered and "zh" in lowered else ""

    @property
    def model(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.name, device="cpu")
        return self._model

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        if query and self.query_prompt:
            texts = [self.query_prompt + t for t in texts]
        vectors = self.model.encode(texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True,
                                    show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class DenseIndex:
    def __init__(self, index: faiss.Index, encoder: Encoder) -> None:
        self.index = index
        self.encoder = encoder

    @classmethod
    def build(cls, texts: list[str], encoder: Encoder) -> DenseIndex:
        vectors = encoder.encode(texts)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
        return cls(index, encoder)

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, encoder: Encoder) -> DenseIndex:
        return cls(faiss.read_index(str(path)), encoder)

    def scores(self, question: str) -> np.ndarray:
        """Cosine similarity of the question to every clause, in index order."""
        query = self.encoder.encode([question], query=True)
        n = self.index.ntotal
        sims, ids = self.index.search(query, n)
        out = np.full(n, -1.0, dtype=np.float32)
        out[ids[0]] = sims[0]
        return out
