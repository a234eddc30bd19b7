"""Whether a chosen passage answers its ask: a small logistic model over general features, fitted
on the development questions with cross-validation (`scripts/fit_decision.py`) and shipped as data
(`decision.toml`), in place of thresholds tuned by hand.

The features say how the passage stands to the question, never what it says: the share of the
question's key terms it states, how closely its fact is bound to them, its margin over the next
clause's passage, its retrieval rank, whether it is of the region asked about, whether the concept
asked is named in it, how many facts of the asked kind it holds. An ask whose chosen passage falls
below the fitted threshold is treated as not stated: the answer says so rather than guess.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.answer.passages import Passage, binding
from assistant.lexicon.text import norm
from assistant.models import Document, Hit
from assistant.understand.asks import Ask
from assistant.understand.query import Query
from assistant.understand.terms import coverage

MODEL_FILE = Path(__file__).with_name("decision.toml")

FEATURES: tuple[str, ...] = (
    "relevance",  # share of the key terms' weight the passage (and its headings) state
    "score",  # the passage's ranking score
    "margin",  # its score over the best passage of another clause
    "bound",  # share of the key terms named in the fact's own words
    "inline",  # the fact is said in the sentence itself, not only by its item's fields
    "needs_fact",  # the ask wants a figure, a date, a department (not a rule read out)
    "rank",  # 1 / (1 + the clause's retrieval position)
    "scoped",  # the question names a region
    "own_region",  # the passage's document is of a region the question names
    "concept",  # the question names a concept and the passage speaks of it
    "facts",  # facts of the asked kind in the passage (more of them: more room to pick the wrong one)
    "years",  # the question names a year
    "parts",  # the question asks more than one thing
    "coverage",  # share of the key terms the whole clause states
    "terms",  # how many key terms the question has (capped)
    "follow_up",  # the question was completed from the conversation
)


@dataclass(frozen=True)
class Decision:
    """A fitted logistic model: standardised features, weights, and the threshold below which an
    ask is treated as not stated."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def confidence(self, x: Mapping[str, float]) -> float:
        z = self.bias + sum(w * (x[name] - m) / s for name, w, m, s in zip(FEATURES, self.weights, self.mean,
                                                                          self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, x: Mapping[str, float]) -> bool:
        return self.confidence(x) >= self.threshold

    @classmethod
    def from_toml(cls, text: str) -> Decision:
        data = tomllib.loads(text)
        names = tuple(data["features"])
        if names != FEATURES:
            raise ValueError(f"decision model features {names} differ from the code's {FEATURES}: "
                             "refit with scripts/fit_decision.py")
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]),
                   float(data["threshold"]))


@lru_cache(maxsize=1)
def model() -> Decision | None:
    """The shipped model, loaded once; None when there is none (every chosen passage answers)."""
    if not MODEL_FILE.is_file():
        return None
    return Decision.from_toml(MODEL_FILE.read_text(encoding="utf-8"))


def features(query: Query, ask: Ask, passage: Passage, ranked: Sequence[Passage], hits: Sequence[Hit],
             documents: dict[str, Document], searchable: str) -> dict[str, float]:
    """The features of `passage` as the answer to `ask` (`ranked`: every passage ranked for the
    ask, best first; `searchable`: its clause's text with its headings and document context)."""
    clause = passage.clause
    rival = next((p.score for p in ranked if p.clause.id != clause.id), None)
    stated = [f for f in passage.facts if passage.start <= f.start < passage.end]
    first = passage.facts[0] if passage.facts else None
    position = next((i for i, h in enumerate(hits) if h.clause.id == clause.id), len(hits))
    text = norm(passage.text)
    document = documents[clause.doc_id]
    return {
        "relevance": passage.relevance,
        "score": passage.score,
        "margin": passage.score - rival if rival is not None else 1.0,
        "bound": binding(query, clause, first) if first is not None and first.start >= 0 else 0.0,
        "inline": 1.0 if stated else 0.0,
        "needs_fact": 1.0 if ask.needs_fact else 0.0,
        "rank": 1.0 / (1 + position),
        "scoped": 1.0 if query.scoped else 0.0,
        "own_region": 1.0 if document.region in query.place.names else 0.0,
        "concept": 1.0 if query.subjects and any(c.spoken_of(text, document.topic) for c in query.subjects)
        else 0.0,
        "facts": float(min(3, len(passage.facts))),
        "years": 1.0 if ask.years else 0.0,
        "parts": 1.0 if len(query.asks) > 1 else 0.0,
        "coverage": coverage(searchable, list(query.terms)),
        "terms": float(min(6, len(query.terms))),
        "follow_up": 1.0 if query.follow_up else 0.0,
    }
