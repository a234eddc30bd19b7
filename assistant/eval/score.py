"""Scoring against gold files, as ../shared/eval/README.md describes.

Compare after NFKC with all whitespace removed; a citation hits when its text contains every
tab-separated segment of the evidence (and the item snippet where given); an answer passes when
it contains every answer key; an unanswerable question passes when the assistant abstains.

Beyond the README's figures: `region_correct` (an answer to a question naming a region cites
first a document of that region or of a region containing it, never of a region inside it),
abstention split into questions naming a region whose documents are silent and off-topic ones,
and the figures per kind and per persona.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.ingest.manifest import Manifest
from assistant.lexicon.text import norm
from assistant.models import Answer
from assistant.retrieval.base import MODES

if TYPE_CHECKING:
    from assistant.service.assistant import Assistant

ALL_MODES: tuple[str, ...] = MODES
# Regions a gold question names, one tuple per item; empty when it names none.
Named = Sequence[tuple[str, ...]]


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    kind: str
    evidence: str
    answer_keys: tuple[str, ...]
    item_snippet: str = ""
    persona: str = ""
    file: str = ""  # the gold file's name: ids are unique within a file, not across files

    @property
    def key(self) -> str:
        return f"{self.file}:{self.id}" if self.file else self.id

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
                                  tuple(d.get("answer_keys") or ()), d.get("item_snippet") or "",
                                  d.get("persona") or "", path.name))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise AssistantError(f"{path}:{n}: not a gold item ({exc})") from exc
    return items


def load_golds(paths: Sequence[Path]) -> list[GoldItem]:
    """The items of several gold files, in order; each keeps the name of its file."""
    items: list[GoldItem] = []
    for path in paths:
        items += load_gold(path)
    keys = [i.key for i in items]
    if len(set(keys)) != len(keys):
        raise AssistantError("the same gold file given twice, or an id repeated within a file: "
                             + ", ".join(sorted({k for k in keys if keys.count(k) > 1})))
    return items


def citation_hits(item: GoldItem, texts: list[str]) -> list[bool]:
    segs = item.segments()
    return [all(s in norm(t) for s in segs) for t in texts]


def keys_contained(item: GoldItem, answer: Answer) -> bool:
    return all(norm(k) in norm(answer.text) for k in item.answer_keys)


def missing_keys(item: GoldItem, answer: Answer) -> list[str]:
    return [k for k in item.answer_keys if norm(k) not in norm(answer.text)]


def verdict(item: GoldItem, answer: Answer) -> tuple[str, str]:
    """What a caller would have been told: ("declined", "") when the assistant said not found;
    ("right", "") when it answered an answerable question with every answer key; else ("wrong",
    why): "trap answered" (an unanswerable question answered), "fact missing, said so" (a partial
    answer that names what it did not find), "another clause" (the gold clause not cited first) or
    "fact not stated" (the gold clause cited first, a key missing from the answer)."""
    if answer.abstained:
        return "declined", ""
    if not item.answerable:
        return "wrong", "trap answered"
    if keys_contained(item, answer):
        return "right", ""
    if answer.missing:
        return "wrong", "fact missing, said so"
    hits = citation_hits(item, [c.clause.text for c in answer.citations[:1]])
    return "wrong", "fact not stated" if hits and hits[0] else "another clause"


def trust(items: Sequence[GoldItem], answers: Sequence[Answer]) -> dict[str, Any]:
    """right (share of answerable), wrong and declined (shares of all), with the wrong ones counted
    by reason."""
    verdicts = [verdict(i, a) for i, a in zip(items, answers, strict=True)]
    answerable = sum(i.answerable for i in items)
    reasons: dict[str, int] = {}
    for kind, why in verdicts:
        if kind == "wrong":
            reasons[why] = reasons.get(why, 0) + 1
    return {"right": _ratio(sum(k == "right" for k, _ in verdicts), answerable),
            "wrong": _ratio(sum(k == "wrong" for k, _ in verdicts), len(items)),
            "declined": _ratio(sum(k == "declined" for k, _ in verdicts), len(items)),
            "wrong_by_reason": dict(sorted(reasons.items()))}


def region_correct(named: tuple[str, ...], answer: Answer, manifest: Manifest) -> bool | None:
    """Whether the first citation's document belongs to a named region or a region containing it;
    None where it does not apply (no region named, or the assistant abstained)."""
    if not named or answer.abstained:
        return None
    if not answer.citations:
        return False
    cited = answer.citations[0].document.region
    return any(cited in manifest.ancestors(region) for region in named)


def _ratio(num: int | float, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _counts(items: Sequence[GoldItem], answers: Sequence[Answer]) -> dict[str, Any]:
    """hit@1/5, reciprocal rank, keys and abstentions, counted."""
    c: dict[str, Any] = {"n": len(items), "answerable": 0, "unanswerable": 0, "h1": 0, "h5": 0, "rr": 0.0,
                         "keys": 0, "false_abstain": 0, "abstained_ok": 0}
    for item, answer in zip(items, answers, strict=True):
        if not item.answerable:
            c["unanswerable"] += 1
            c["abstained_ok"] += answer.abstained
            continue
        c["answerable"] += 1
        hits = citation_hits(item, [x.clause.text for x in answer.citations[:5]])
        c["h1"] += bool(hits and hits[0])
        c["h5"] += any(hits)
        c["rr"] += 1 / (hits.index(True) + 1) if any(hits) else 0
        c["keys"] += keys_contained(item, answer)
        c["false_abstain"] += answer.abstained
    return c


def score_answers(items: list[GoldItem], answers: list[Answer], named: Named | None = None,
                  manifest: Manifest | None = None) -> dict[str, Any]:
    """The figures for one mode. Region figures need the regions each question names and the
    corpus manifest; they are None without them."""
    c = _counts(items, answers)
    n = max(1, c["answerable"])
    report: dict[str, Any] = {
        "questions": len(items),
        "answerable": c["answerable"],
        "hit@1": round(c["h1"] / n, 3),
        "hit@5": round(c["h5"] / n, 3),
        "mrr": round(c["rr"] / n, 3),
        "key_containment": round(c["keys"] / n, 3),
        "abstention_on_unanswerable": _ratio(c["abstained_ok"], c["unanswerable"]),
        "false_abstention": round(c["false_abstain"] / n, 3),
    }
    report.update(trust(items, answers))
    report.update(region_scores(items, answers, named, manifest))
    report["median_answer_chars"] = statistics.median(len(a.text) for a in answers) if answers else 0
    report["p50_latency_ms"] = round(statistics.median(a.latency_ms for a in answers), 2) if answers else 0
    return report


def region_scores(items: Sequence[GoldItem], answers: Sequence[Answer], named: Named | None,
                  manifest: Manifest | None) -> dict[str, Any]:
    """region_correct (with its count), abstention_region_silent and abstention_off_topic."""
    if named is None or manifest is None:
        return {"region_correct": None, "region_correct_count": None,
                "abstention_region_silent": None, "abstention_off_topic": None}
    correct = judged = 0
    silent = silent_ok = off_topic = off_topic_ok = 0
    for item, answer, regions in zip(items, answers, named, strict=True):
        verdict = region_correct(regions, answer, manifest)
        if verdict is not None:
            judged += 1
            correct += verdict
        if not item.answerable:
            if regions:
                silent += 1
                silent_ok += answer.abstained
            else:
                off_topic += 1
                off_topic_ok += answer.abstained
    return {"region_correct": _ratio(correct, judged), "region_correct_count": f"{correct}/{judged}",
            "abstention_region_silent": _ratio(silent_ok, silent),
            "abstention_off_topic": _ratio(off_topic_ok, off_topic)}


def breakdown(items: Sequence[GoldItem], answers: Sequence[Answer], field: str) -> dict[str, dict[str, Any]]:
    """n, hit@1, key containment and abstention per value of `field` ("kind" or "persona"); a
    figure that does not apply to a group (hit@1 of unanswerables) is None."""
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(getattr(item, field) or "-", []).append(i)
    out: dict[str, dict[str, Any]] = {}
    for value, idx in sorted(groups.items()):
        c = _counts([items[i] for i in idx], [answers[i] for i in idx])
        out[value] = {"n": c["n"], "hit@1": _ratio(c["h1"], c["answerable"]),
                      "key_containment": _ratio(c["keys"], c["answerable"]),
                      "abstention_on_unanswerable": _ratio(c["abstained_ok"], c["unanswerable"]),
                      "false_abstention": _ratio(c["false_abstain"], c["answerable"])}
    return out


def named_regions(assistant: Assistant, items: Sequence[GoldItem]) -> tuple[list[tuple[str, ...]], Manifest]:
    """The regions each question names, as the assistant reads it, and the corpus manifest."""
    engine = assistant.engine()
    return [tuple(engine.reader.read(item.question).place.names) for item in items], engine.index.corpus_manifest


def evaluate(assistant: Assistant, items: list[GoldItem],
             modes: Sequence[str] = ALL_MODES) -> tuple[dict[str, Any], dict[str, list[Answer]]]:
    """Scores for each retrieval mode, in the order given (fused first by default), each with its
    breakdowns `by_kind` and `by_persona`, and the answers they score."""
    unknown = [m for m in modes if m not in ALL_MODES]
    if unknown or not modes:
        raise AssistantError(f"mode must be one of {', '.join(ALL_MODES)}, got {', '.join(unknown) or 'none'}")
    named, manifest = named_regions(assistant, items)
    report: dict[str, Any] = {}
    answers: dict[str, list[Answer]] = {}
    for mode in dict.fromkeys(modes):
        answers[mode] = [assistant.ask(item.question, mode=mode) for item in items]  # type: ignore[arg-type]
        report[mode] = score_answers(items, answers[mode], named, manifest)
        report[mode]["by_kind"] = breakdown(items, answers[mode], "kind")
        report[mode]["by_persona"] = breakdown(items, answers[mode], "persona")
    return report, answers


def failures(items: list[GoldItem], answers: list[Answer], named: Named | None = None,
             manifest: Manifest | None = None) -> list[dict[str, Any]]:
    """The questions these answers get wrong, each with why: "retrieval" (the gold clause is not
    cited first), "keys" (an answer key is missing), "abstention" (abstained on an answerable
    question, or answered an unanswerable one) and "region" (first citation from another region)."""
    out = []
    regions_of: Named = named if named is not None else [()] * len(items)
    for item, answer, regions in zip(items, answers, regions_of, strict=True):
        hits = citation_hits(item, [c.clause.text for c in answer.citations])
        reasons = []
        if item.answerable:
            if answer.abstained:
                reasons.append("abstention")
            if not (hits and hits[0]):
                reasons.append("retrieval")
            if not keys_contained(item, answer):
                reasons.append("keys")
        elif not answer.abstained:
            reasons.append("abstention")
        if manifest is not None and region_correct(regions, answer, manifest) is False:
            reasons.append("region")
        if reasons:
            out.append({"file": item.file, "verdict": " / ".join(x for x in verdict(item, answer) if x), "id": item.id, "kind": item.kind, "persona": item.persona,
                        "failure": reasons, "question": item.question, "regions": list(regions),
                        "answer": answer.text, "missing_keys": missing_keys(item, answer) if item.answerable else [],
                        "cited": [c.clause.id for c in answer.citations],
                        "cited_regions": [c.document.region for c in answer.citations[:3]],
                        "evidence_rank": hits.index(True) + 1 if any(hits) else None})
    return out
