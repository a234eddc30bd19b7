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


# Up to this many clauses an exact (flat) FAISS index; above it an inverted-file index whose
# vectors are 8-bit quantized, searched in `nprobe` of its lists (see `DenseIndex.top`).
FLAT_UP_TO = 200_000


def faiss_index(vectors: np.ndarray, *, flat_up_to: int = FLAT_UP_TO, seed: int = 7) -> faiss.Index:
    """The FAISS inner-product index of a build: flat (exact) for a corpus of up to `flat_up_to`
    clauses, else IVF with about √n lists over 8-bit scalar-quantized vectors, trained on a
    sample of 64 vectors per list (assigning 10^6 vectors to 4·√n lists took minutes here)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, d = vectors.shape
    if n <= flat_up_to:
        index = faiss.IndexFlatIP(d)
        index.add(vectors)
        return index
    lists = int(np.sqrt(n))
    quantizer = faiss.IndexFlatIP(d)
    ivf = faiss.IndexIVFScalarQuantizer(quantizer, d, lists, faiss.ScalarQuantizer.QT_8bit,
                                        faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(seed).choice(n, size=min(n, 64 * lists), replace=False)
    ivf.cp.seed = seed
    ivf.train(vectors[np.sort(sample)])
    for start in range(0, n, 100_000):
        ivf.add(vectors[start : start + 100_000])
    return ivf


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


def top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (ids, scores), best first, ties by id; without sorting all of them."""
    if len(ids) > k:
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        above = np.flatnonzero(scores > kth)
        tied = np.flatnonzero(scores == kth)  # at the boundary the lowest ids, as a stable sort keeps them
        keep = np.concatenate([above, tied[np.argsort(ids[tied], kind="stable")[: k - len(above)]]])
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))
    return ids[order], scores[order]


class DenseIndex:
    """A build's vectors (`vectors.npy`, memory-mapped) and its FAISS index (`dense.faiss`).

    A scope of at most `exact_up_to` clauses (a district, a document) is scored exactly from the
    vectors; a wider one is searched in FAISS, restricted to the scope by a bitmap selector."""

    def __init__(self, index: faiss.Index, vectors: np.ndarray, encoder: Encoder, *, nprobe: int = 32,
                 exact_up_to: int = 50_000) -> None:
        self.index = index
        self.vectors = vectors
        self.encoder = encoder
        self.nprobe = nprobe
        self.exact_up_to = exact_up_to

    @property
    def dimension(self) -> int:
        return int(self.index.d)

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])

    @classmethod
    def load(cls, folder: Path, encoder: Encoder, **options: int) -> DenseIndex:
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        index = faiss.read_index(str(folder / "dense.faiss"), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        if index.ntotal != vectors.shape[0] or index.d != vectors.shape[1]:
            raise ValueError(f"dense.faiss holds {index.ntotal}×{index.d}, vectors.npy {vectors.shape}")
        return cls(index, vectors, encoder, **options)

    def encode(self, question: str) -> np.ndarray:
        return np.asarray(self.encoder.encode([question], query=True)[0], dtype=np.float32)

    def similarity(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Exact cosine of the query to the given clauses."""
        out = np.zeros(len(ids), dtype=np.float32)
        if len(ids):
            order = np.argsort(ids)  # a memory map is read fastest in order
            out[order] = self.vectors[ids[order]] @ query
        return out

    def top(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k clauses (of the mask) most similar to the query: (ids, cosines), best first."""
        n = self.size
        allowed = n if mask is None else int(np.count_nonzero(mask))
        if allowed == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if allowed <= self.exact_up_to:
            ids = np.arange(n) if mask is None else np.flatnonzero(mask)
            return top_k(ids, np.asarray(self.vectors[ids] @ query, dtype=np.float32), k)
        selector = None
        if mask is not None and allowed < n:
            bitmap = np.packbits(mask, bitorder="little")  # kept referenced until the search returns
            selector = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bitmap))
        # the selector is given to the constructor, which keeps it owned by Python (no leak)
        params = (faiss.SearchParametersIVF(sel=selector, nprobe=self.nprobe)  # type: ignore[call-arg]
                  if isinstance(self.index, faiss.IndexIVF) else faiss.SearchParameters(sel=selector))  # type: ignore[call-arg]
        sims, ids = self.index.search(query.reshape(1, -1), min(k, allowed), params=params)
        found = ids[0] >= 0
        # the cosines are recomputed exactly (the IVF index holds quantized vectors)
        kept = ids[0][found].astype(np.int64)
        return top_k(kept, self.similarity(query, kept), k)
