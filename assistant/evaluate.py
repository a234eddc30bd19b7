"""Scoring against a gold file, as ../shared/eval/README.md describes.

Compare after NFKC with all whitespace removed; a citation hits when its text contains every
tab-separated segment of the evidence (and the item snippet where given); an answer passes when
it contains every answer key; an unanswerable question passes when the assistant abstains.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.models import Answer
from assistant.retrieval.hybrid import MODES
from assistant.service import Assistant
from assistant.text import norm


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    kind: str
    evidence: str
    answer_keys: tuple[str, ...]
    item_snippet: str = ""

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable" and bool(self.evidence)

    def segments(self) -> list[str]:
        segs = [norm(s) for s in self.evidence.split("\t") if norm(s)]
        if self.item_snippet:
            segs.append(norm(self.item_snippet))
        return segs


def load_gold(path: Path) -> list[GoldItem]:
    if not path.is_file():
        raise AssistantError(f"gold file not found: {path}")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            items.append(GoldItem(str(d["id"]), d["question"], d.get("kind") or "", d.get("evidence") or "",
                                  tuple(d.get("answer_keys") or ()), d.get("item_snippet") or ""))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise AssistantError(f"{path}:{n}: not a gold item ({exc})") from exc
    return items


def citation_hits(item: GoldItem, texts: list[str]) -> list[bool]:
    segs = item.segments()
    return [all(s in norm(t) for s in segs) for t in texts]


def keys_contained(item: GoldItem, answer: Answer) -> bool:
    return all(norm(k) in norm(answer.text) for k in item.answer_keys)


def score_answers(items: list[GoldItem], answers: list[Answer]) -> dict[str, Any]:
    h1 = h5 = keys = false_abstain = 0
    rr = 0.0
    unanswerable = abstained_ok = 0
    answerable = [(i, a) for i, a in zip(items, answers, strict=True) if i.answerable]
    for item, answer in zip(items, answers, strict=True):
        if not item.answerable:
            unanswerable += 1
            abstained_ok += answer.abstained
            continue
        hits = citation_hits(item, [c.clause.text for c in answer.citations[:5]])
        h1 += bool(hits and hits[0])
        h5 += any(hits)
        rr += 1 / (hits.index(True) + 1) if any(hits) else 0
        keys += keys_contained(item, answer)
        false_abstain += answer.abstained
    n = max(1, len(answerable))
    return {
        "questions": len(items),
        "answerable": len(answerable),
        "hit@1": round(h1 / n, 3),
        "hit@5": round(h5 / n, 3),
        "mrr": round(rr / n, 3),
        "key_containment": round(keys / n, 3),
        "abstention_on_unanswerable": round(abstained_ok / unanswerable, 3) if unanswerable else None,
        "false_abstention": round(false_abstain / n, 3),
        "median_answer_chars": statistics.median(len(a.text) for a in answers) if answers else 0,
        "p50_latency_ms": round(statistics.median(a.latency_ms for a in answers), 2) if answers else 0,
    }


def evaluate(assistant: Assistant, items: list[GoldItem],
             modes: tuple[str, ...] = MODES) -> tuple[dict[str, Any], dict[str, list[Answer]]]:
    """Scores for each retrieval mode, the fused default first, and the answers they score."""
    report: dict[str, Any] = {}
    answers: dict[str, list[Answer]] = {}
    for mode in modes:
        answers[mode] = [assistant.ask(item.question, mode=mode) for item in items]  # type: ignore[arg-type]
        report[mode] = score_answers(items, answers[mode])
    return report, answers


def failures(items: list[GoldItem], answers: list[Answer]) -> list[dict[str, Any]]:
    """The questions these answers get wrong, for inspection."""
    out = []
    for item, answer in zip(items, answers, strict=True):
        hits = citation_hits(item, [c.clause.text for c in answer.citations])
        ok = (answer.abstained if not item.answerable else
              bool(hits and hits[0]) and keys_contained(item, answer))
        if not ok:
            out.append({"id": item.id, "question": item.question, "answer": answer.text,
                        "cited": [c.clause.id for c in answer.citations], "evidence_rank":
                        hits.index(True) + 1 if any(hits) else None})
    return out
