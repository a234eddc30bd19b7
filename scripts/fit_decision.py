"""Fit the answer stage's decision model (assistant/answer/decision.toml) on gold question sets.

For every question, the first few passages that could answer each of its fact asks are taken with their
features (assistant/answer/decide.py); a passage is a positive example when what the answer would
state from it holds one of the question's answer keys, a negative one otherwise (every passage of
an unanswerable question is negative). A logistic model with an L2 penalty is fitted with
cross-validation grouped by question; the threshold is the one that maximises, over the passages
the answer would choose, right minus COST × wrong on out-of-fold predictions (a wrong answer read
out costs more than a decline). The calibration table (out-of-fold: share wrong per confidence
band) is printed and written into the model file's header.

    .venv/bin/python scripts/fit_decision.py [--gold FILE ...] [--folds 5] [--cost 3] [--dry-run]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.answer.decide import FEATURES, MODEL_FILE
from assistant.answer.say import statement
from assistant.answer.select import candidates
from assistant.eval.score import GoldItem, load_golds
from assistant.lexicon.text import norm
from assistant.service.assistant import Assistant

log = logging.getLogger("fit_decision")
DEFAULT_GOLD = [Path("../shared/eval") / f for f in ("dev.jsonl", "dev2.jsonl", "dev3.jsonl")]
L2 = 1.0
BANDS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0001)


def squeeze(text: str) -> str:
    return "".join(norm(text).split())


def examples(assistant: Assistant, golds: list[GoldItem], per_ask: int) -> tuple[np.ndarray, np.ndarray,
                                                                                  np.ndarray, np.ndarray]:
    """Features, labels, question index and whether the passage is the one the answer would choose."""
    rows, labels, groups, chosen = [], [], [], []
    for qi, item in enumerate(tqdm(golds, desc="questions", unit="q")):
        query, hits, documents = assistant.evidence(item.question)
        keys = [squeeze(k) for k in item.answer_keys if squeeze(k)]
        for ask, rank, passage, x in candidates(query, hits, documents, assistant.settings.min_coverage, per_ask):
            if not ask.needs_fact:
                continue  # the model decides fact asks: a rule read out is quoted, labelled, whole
            text = squeeze(statement(ask, passage, query.terms) or passage.text)
            rows.append([x[name] for name in FEATURES])
            labels.append(1.0 if item.answerable and any(k in text for k in keys) else 0.0)
            groups.append(qi)
            chosen.append(rank == 0)
    return np.array(rows), np.array(labels), np.array(groups), np.array(chosen)


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Logistic regression on standardised features with an L2 penalty, by Newton's method."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.eye(z.shape[1]) * L2
    penalty[-1, -1] = 0.0  # the bias is not penalised
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = z.T @ (z * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[:-1], float(w[-1])


def predict(model: tuple[np.ndarray, np.ndarray, np.ndarray, float], x: np.ndarray) -> np.ndarray:
    mean, scale, w, b = model
    return 1 / (1 + np.exp(-np.clip(((x - mean) / scale) @ w + b, -30, 30)))


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, folds: int, seed: int = 7) -> np.ndarray:
    ids = sorted(set(groups.tolist()))
    random.Random(seed).shuffle(ids)
    fold_of = {g: i % folds for i, g in enumerate(ids)}
    fold = np.array([fold_of[g] for g in groups])
    p = np.zeros(len(y))
    for k in range(folds):
        train, test = fold != k, fold == k
        p[test] = predict(fit(x[train], y[train]), x[test])
    return p


def threshold(p: np.ndarray, y: np.ndarray, cost: float) -> tuple[float, float]:
    """The threshold that maximises right − cost × wrong over the chosen passages."""
    best = (-np.inf, 0.0)
    for t in np.arange(0.0, 0.96, 0.01):
        kept = p >= t
        utility = float(y[kept].sum() - cost * (1 - y[kept]).sum())
        if utility > best[0] + 1e-9:
            best = (utility, float(t))
    return round(best[1], 2), best[0]


def calibration(p: np.ndarray, y: np.ndarray) -> list[str]:
    lines = ["band        n   wrong share"]
    for lo, hi in zip(BANDS, BANDS[1:], strict=False):
        band = (p >= lo) & (p < hi)
        n = int(band.sum())
        share = f"{(1 - y[band]).mean():.3f}" if n else "-"
        lines.append(f"{lo:.1f}-{min(hi, 1.0):.1f}  {n:4d}   {share}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", action="append", type=Path, help="gold JSON Lines file (repeat)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cost", type=float, default=3.0, help="what one wrong answer costs, in declines")
    parser.add_argument("--per-ask", type=int, default=5, help="candidate passages per ask")
    parser.add_argument("--dry-run", action="store_true", help="report, do not write the model file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    golds = load_golds(args.gold or DEFAULT_GOLD)
    assistant = Assistant()
    x, y, groups, chosen = examples(assistant, golds, args.per_ask)
    log.info("%d candidate passages of %d questions, %d positive", len(y), len(golds), int(y.sum()))
    p = out_of_fold(x, y, groups, args.folds)
    loss = float(-np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
    t, utility = threshold(p[chosen], y[chosen], args.cost)
    kept = p[chosen] >= t
    report = [
        f"fitted on {len(golds)} questions, {len(y)} candidate passages ({int(y.sum())} positive), "
        f"{args.folds}-fold cross-validation grouped by question",
        f"out-of-fold log-loss {loss:.3f}; threshold {t:.2f} (cost of a wrong answer: {args.cost:g} declines)",
        f"chosen passages: {int(chosen.sum())}; kept {int(kept.sum())}, of which wrong "
        f"{int((1 - y[chosen][kept]).sum())}; set aside {int((~kept).sum())}, of which right "
        f"{int(y[chosen][~kept].sum())}",
        "calibration of the chosen passages (out-of-fold):",
        *calibration(p[chosen], y[chosen]),
    ]
    for line in report:
        sys.stdout.write(line + "\n")
    mean, scale, w, b = fit(x, y)
    for name, weight in sorted(zip(FEATURES, w, strict=True), key=lambda nw: -abs(nw[1])):
        sys.stdout.write(f"  {name:12s} {weight:+.3f}\n")
    if args.dry_run:
        return 0

    def floats(values: np.ndarray) -> str:
        return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"

    header = "".join(f"# {line}\n" for line in [
        "The answer stage's decision model: written by scripts/fit_decision.py, not by hand.", *report])
    MODEL_FILE.write_text(
        header + "\n"
        f"features = [{', '.join(repr(n).replace(chr(39), chr(34)) for n in FEATURES)}]\n"
        f"mean = {floats(mean)}\nscale = {floats(scale)}\nweights = {floats(w)}\n"
        f"bias = {b:.6g}\nthreshold = {t:.2f}\n", encoding="utf-8")
    log.info("model written to %s", MODEL_FILE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
