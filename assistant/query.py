"""One reading of the question: a frozen `Query` made once per question (for a follow-up, from the
conversation), which retrieval, ranking, answer composition and abstention all use.

It holds the regions named (resolved in the region tree: aliases, 市/省/区/县 suffixes, 大西安),
the scope they allow (the named regions and every region containing them: a 陕西 rule applies in
西安, a 泾河新城 rule does not answer for 西安), the topic concepts, the asks, and the weighted key
terms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from assistant.asks import Ask, asking_words, read_asks
from assistant.concepts import Concept, Concepts
from assistant.conversation import Context, FollowUpResolver, region_tail
from assistant.parsing.manifest import Manifest
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.terms import KeyTerm, key_terms
from assistant.text import norm

_SUFFIXES = ("市", "省", "区", "县", "州", "自治区")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked
    standalone: str  # the question as answered: a follow-up made standalone, else `text`
    regions: tuple[str, ...] = ()  # canonical names of the regions named (question, conversation or filter)
    scope: frozenset[str] = frozenset()  # regions whose documents may answer; empty: any
    concepts: tuple[Concept, ...] = ()
    asks: tuple[Ask, ...] = ()
    terms: tuple[KeyTerm, ...] = ()
    follow_up: str = ""  # "" | region | topic | clause | context
    pinned: str = ""  # the clause a clause follow-up asks about
    region_words: tuple[str, ...] = ()  # every name of the regions named (西安, 西安市 …), normalised
    subjects: tuple[Concept, ...] = ()  # concepts named by one of their phrases: an answer must speak of one
    search: str = ""  # what the indexes are asked (the subject, concepts in their documents' words)

    @property
    def scoped(self) -> bool:
        return bool(self.regions)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.concepts if c.indicator)

    @property
    def search_text(self) -> str:
        """What the lexical and dense indexes are asked."""
        return self.search or self.standalone

    def in_scope(self, region: str) -> bool:
        return not self.scope or region in self.scope

    @property
    def region_label(self) -> str:
        return "、".join(self.regions)


def region_names(manifest: Manifest) -> list[tuple[str, str]]:
    """(surface form, region) pairs, longest first: names, aliases, and each with its 市/省/区/县
    suffix, so 渭滨区, 西安市 and 宁夏回族自治区 all resolve."""
    pairs = dict(manifest.names())
    for surface, region in list(pairs.items()):
        for suffix in _SUFFIXES:
            if not surface.endswith(suffix):
                pairs.setdefault(surface + suffix, region)
    return sorted(pairs.items(), key=lambda p: -len(p[0]))


def find_regions(text: str, names: list[tuple[str, str]], boundaries: frozenset[int] | None = None,
                 starts_word: Callable[[str, int], bool] | None = None) -> list[str]:
    """Regions named in `text`, longest surface form first, in order of appearance. With the
    text's word `boundaries` (and a test of whether a word starts at a position), a name that ends
    inside a word (哈密 in 哈密瓜) is not a place; one followed by a word (成都|房产) is."""
    pattern, lookup = _region_pattern(tuple(names))
    normalized = norm(text)
    out: list[str] = []
    def ends_a_word(end: int) -> bool:
        return (boundaries is None or end in boundaries or region_tail(normalized, end)
                or (starts_word is not None and starts_word(normalized, end)))

    for m in pattern.finditer(normalized):
        # The longest name that ends where a word ends: 天水 in 天水市场监管, not 天水市.
        surface = next((s for s in lookup if m.group(0).startswith(s) and ends_a_word(m.start() + len(s))
                        and len(s) <= len(m.group(0))), None) if not ends_a_word(m.end()) else m.group(0)
        if surface is None:
            continue
        region = lookup[surface]
        if region not in out:
            out.append(region)
    return out


@lru_cache(maxsize=8)
def _region_pattern(names: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    found: dict[str, str] = {}
    for surface, region in names:
        found.setdefault(norm(surface), region)
    ordered = sorted(found, key=len, reverse=True)  # the longest name at a place wins
    lookup = {s: found[s] for s in ordered}
    return re.compile("|".join(re.escape(s) for s in ordered) or "(?!)"), lookup


def _listed(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is an item of an enumeration (、 before it or 、/和/及 after it)."""
    return text[start - 1 : start] == "、" or text[end : end + 1] in ("、", "和", "及")


def innermost(regions: tuple[str, ...], manifest: Manifest) -> tuple[str, ...]:
    """An address names its region from the outside in (陕西省西安市, 宝鸡渭滨区): a region that
    contains another named region only locates it."""
    return tuple(r for r in regions if not any(r != o and r in manifest.ancestors(o) for o in regions))


def scope_of(regions: tuple[str, ...], manifest: Manifest) -> frozenset[str]:
    """The regions whose documents may answer for `regions`: each and every region containing it."""
    return frozenset(r for name in regions for r in manifest.ancestors(name))


class QueryReader:
    """Reads questions against one loaded index: its region tree, concepts and vocabulary."""

    def __init__(self, manifest: Manifest, concepts: Concepts, lexical: LexicalIndex,
                 follow_ups: FollowUpResolver, document_regions: frozenset[str]) -> None:
        self.manifest = manifest
        self.concepts = concepts
        self.lexical = lexical
        self.follow_ups = follow_ups
        self.names = region_names(manifest)
        self.document_regions = document_regions  # regions some document belongs to
        self.places = frozenset(norm(s) for s, _ in self.names)
        self._words: dict[str, str] = {}
        self._terms: dict[str, KeyTerm] = {}

    def regions_in(self, text: str) -> list[str]:
        tokenizer = self.lexical.tokenizer
        return find_regions(text, self.names, tokenizer.boundaries(norm(text)), tokenizer.starts_word)

    def read(self, question: str, context: Context | None = None, *, region_filter: str | None = None) -> Query:
        resolved = self.follow_ups.resolve(question, context)
        standalone = resolved.question
        # The region the question (or, for a follow-up, the conversation) names; else the filter's.
        named = self.regions_in(question)
        if not named and standalone != question:
            named = self.regions_in(standalone)
        regions: tuple[str, ...] = tuple(named)
        if region_filter and not regions:
            known = self.manifest.region(region_filter)
            regions = (known.name if known else region_filter,)
        elif region_filter:
            log.info("the question names %s: answered for it, not for the filter %s", "、".join(regions), region_filter)
        regions = innermost(regions, self.manifest)
        scope = scope_of(regions, self.manifest)
        concepts = self.concepts.in_text(standalone)
        asks = read_asks(question)
        if all(a.type in ("procedure", "conditions") for a in asks) and standalone != question:
            asks = read_asks(standalone)  # "那渭滨区呢？" asks what the conversation asked
        # The subject: the question without its asking words ("能不能", "几个") and places; a
        # concept named by one of its phrases counts as the concept, whichever phrase it was.
        # A concept listed among others (营业执照、刻章、社保和公积金登记) is one item of a list,
        # not what the question is about.
        normalized = norm(standalone)
        mentions = [m for m in self.concepts.mentions(standalone) if m.synonym and not _listed(normalized, m.start, m.end)]
        subject = norm(standalone)
        for m in sorted(mentions, key=lambda m: -m.start):
            subject = subject[: m.start] + " " + subject[m.end :]
        for cue in asking_words(standalone):
            subject = subject.replace(norm(cue), " ")
        subjects = tuple(dict.fromkeys(m.concept for m in mentions))
        related = tuple((*c.phrases, *c.related) for c in concepts if c not in subjects)
        terms = tuple(key_terms(subject, self.lexical, self.places, related)) + tuple(
            self.concept_term(c) for c in subjects)
        search = norm(standalone)
        for m in sorted(mentions, key=lambda m: -m.start):
            search = search[: m.start] + " " + search[m.end :]
        search += " " + " ".join(self.concept_words(c) for c in subjects)
        words = tuple(norm(s) for s, r in self.names if r in regions)
        return Query(question, standalone, regions, scope, concepts, asks, terms, resolved.follow_up,
                     resolved.pinned, words, subjects, " ".join(search.split()))

    def concept_words(self, concept: Concept) -> str:
        """What the indexes are asked for a concept, whichever phrase the question used: its
        phrases the documents use."""
        if concept.name not in self._words:
            used = [p for p in concept.phrases if self.lexical.df(p) or p == norm(concept.name)]
            self._words[concept.name] = " ".join(used)
        return self._words[concept.name]

    def concept_term(self, concept: Concept) -> KeyTerm:
        """A concept as one key term, said by any of its phrases, weighing the same whichever
        phrase asked for it (the rarest of its phrases the documents use)."""
        if concept.name not in self._terms:
            weights = [self.lexical.idf(w) for p in concept.phrases for w in self.lexical.tokenizer.words(p)
                       if w in self.lexical.vocab]
            weight = max(weights) if weights else self.lexical.max_idf
            self._terms[concept.name] = KeyTerm(norm(concept.name), weight, concept.phrases)
        return self._terms[concept.name]
