"""What a question names: regions (西安, 渭滨区 …) and indicators (开办企业, 获得电力 …)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.parsing.manifest import Manifest
from assistant.retrieval.tokenize import Glossary, normalize


@dataclass(frozen=True)
class Hints:
    regions: tuple[str, ...]
    topics: tuple[str, ...]


def detect(question: str, manifest: Manifest, topics: list[str], glossary: Glossary) -> Hints:
    text = normalize(question)
    found: list[str] = []
    taken = [False] * len(text)
    for surface, region in manifest.names():  # longest surface form first
        start = text.find(normalize(surface))
        while start >= 0:
            end = start + len(surface)
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                if region not in found:
                    found.append(region)
            start = text.find(normalize(surface), end)
    expanded = text + " " + " ".join(glossary.expand(question))
    topic_hits = [t for t in topics if t and normalize(t) in expanded]
    return Hints(tuple(found), tuple(topic_hits))
