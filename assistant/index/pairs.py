"""Training pairs for the corpus-trained embedder: (anchor, positive) texts the corpus provides."""

from __future__ import annotations

import random

from assistant.ingest.corpus import Corpus
from assistant.lexicon.tokenize import Glossary


def training_pairs(corpus: Corpus, glossary: Glossary, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    for clause in corpus.clauses:
        doc = corpus.documents[clause.doc_id]
        body = clause.text
        first, _, rest = body.partition("。")
        if rest.strip() and 4 <= len(first) <= 60:
            pairs.append((first, rest))  # item title ↔ item body
        if clause.headings:
            pairs.append((f"{doc.region} {clause.headings[-1]}", body))  # heading ↔ body
        pairs.append((f"{doc.topic or doc.title} {doc.region}", body))  # document ↔ clause
        for name, value in clause.fields:
            if "牵头" in name or "责任" in name:
                pairs.append((f"{value} 负责", body))
    texts = [c.text for c in corpus.clauses]
    for key, terms in glossary.terms.items():
        matching = [t for t in texts if any(term in t for term in terms)]
        for text in rng.sample(matching, min(8, len(matching))):
            pairs.append((key, text))  # how people ask ↔ how policies say it
    rng.shuffle(pairs)
    return pairs
