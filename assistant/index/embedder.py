"""The offline default embedder: a StaticEmbedding trained on the corpus itself.

No pretrained Chinese model installs offline here, so the build learns one: a Unigram tokenizer
fitted to the corpus (`tokenizers`), a sentence-transformers `StaticEmbedding` over it, trained with
`MultipleNegativesRankingLoss` on pairs the corpus provides (heading ↔ body, document title ↔
clause, item title ↔ item, glossary phrase ↔ clause). Fixed seeds, a time budget, and the result
saved as an ordinary sentence-transformers model folder that `SentenceTransformer(folder)` loads.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingReport:
    pairs: int
    steps: int
    seconds: float
    vocab_size: int
    dimension: int
    final_loss: float


def _fit_tokenizer(texts: list[str], vocab_size: int):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=False)]
    )
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=["[PAD]", "[UNK]"], unk_token="[UNK]", max_piece_length=6,
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def train_static_embedder(
    corpus_texts: list[str],
    pairs: list[tuple[str, str]],
    out_dir: Path,
    *,
    seed: int = 13,
    seconds: float = 60.0,
    dimension: int = 256,
    vocab_size: int = 12000,
    batch_size: int = 128,
    max_epochs: int = 10,
) -> TrainingReport:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    started = time.perf_counter()
    tokenizer = _fit_tokenizer(corpus_texts, vocab_size)
    static = StaticEmbedding(tokenizer, embedding_dim=dimension)
    model = SentenceTransformer(modules=[static], device="cpu")
    loss_fn = MultipleNegativesRankingLoss(model, scale=20.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    rng = random.Random(seed)
    order = list(range(len(pairs)))
    steps, last_loss = 0, float("nan")
    model.train()
    for _epoch in range(max_epochs):
        rng.shuffle(order)
        for start in range(0, len(order) - 1, batch_size):
            batch = [pairs[i] for i in order[start : start + batch_size]]
            anchors = model.preprocess([a for a, _ in batch])
            positives = model.preprocess([p for _, p in batch])
            loss = loss_fn([anchors, positives], torch.empty(0))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
            last_loss = float(loss.detach())
            if time.perf_counter() - started > seconds:
                break
        if time.perf_counter() - started > seconds:
            break
    model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    elapsed = time.perf_counter() - started
    log.info("trained static embedder: %d pairs, %d steps, %.1fs, loss %.3f", len(pairs), steps, elapsed, last_loss)
    return TrainingReport(len(pairs), steps, elapsed, tokenizer.get_vocab_size(), dimension, last_loss)
