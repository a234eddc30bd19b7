"""Dense retrieval: a sentence-transformers encoder and a FAISS inner-product index.

The encoder is any `Encoder`; the real one wraps a sentence-transformers model folder or id
(`ASSISTANT_EMBEDDING_MODEL`). Vectors are L2-normalised, so inner product is cosine.
"""

from __future__ import annotations

import json
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


def flat_index(vectors: np.ndarray) -> faiss.Index:
    """An exact inner-product index over ready vectors (the build caches vectors per clause)."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


STATIC_EMBEDDING = "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding"


def is_static_embedding(folder: Path) -> bool:
    """A sentence-transformers folder whose only module is a StaticEmbedding (the trained default)."""
    modules = folder / "modules.json"
    if not modules.is_file():
        return False
    entries = json.loads(modules.read_text(encoding="utf-8"))
    return len(entries) == 1 and entries[0].get("type", "").endswith("StaticEmbedding")


class StaticEmbeddingEncoder:
    """Applies a saved StaticEmbedding without torch: token ids → mean of their rows → unit length.

    The same arithmetic as its `nn.EmbeddingBag(mode="mean")` (checked in the tests), but a
    process that only answers questions or adds a document never imports torch, which saves
    seconds at start-up. Texts with no known token get the zero vector, as in sentence-transformers.
    """

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.name = str(folder)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.weights = load_file(str(folder / "model.safetensors"))["embedding.weight"].astype(np.float32)

    def encode(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.ids:
                out[row] = self.weights[encoding.ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)


def make_encoder(name_or_path: str) -> Encoder:
    path = Path(name_or_path)
    if path.is_dir() and is_static_embedding(path):
        return StaticEmbeddingEncoder(path)
    return SentenceTransformerEncoder(name_or_path)


class DenseIndex:
    def __init__(self, index: faiss.Index, encoder: Encoder) -> None:
        self.index = index
        self.encoder = encoder

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
