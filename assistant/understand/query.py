"""One reading of the question: a frozen `Query` made once per question (for a follow-up, from the
conversation), which retrieval, ranking, answer composition and abstention all use.

It holds the regions named (resolved in the region tree: aliases, 市/省/区/县 suffixes, 大西安),
the scope they allow (the named regions and every region containing them: a 陕西 rule applies in
西安, a 泾河新城 rule does not answer for 西安), the topic concepts, the asks, and the weighted key
terms.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.index.lexical import LexicalIndex
from assistant.ingest.manifest import Manifest
from assistant.lexicon.concepts import Concept, Concepts
from assistant.lexicon.text import norm
from assistant.lexicon.words import one_of, words
from assistant.understand.asks import Ask, asking_words, read_asks
from assistant.understand.conversation import Context, FollowUpResolver
from assistant.understand.regions import Place, Places
from assistant.understand.said import Homophones, Listener
from assistant.understand.terms import KeyTerm, key_terms

if TYPE_CHECKING:
    from assistant.index.load import LoadedIndex

log = logging.getLogger(__name__)

# One-character function words of a question (在, 的, 了, 吗 …): the bag of words the dense
# model averages should not move with them ("X在Y" and "Y的X" ask the same).
_PARTICLES = re.compile(one_of(tuple(w for w in words().query_fillers if len(w) == 1)))


COMMON_DF = 3  # a word in this many clauses is one a typo may stand for
FREQUENT_CHAR_SHARE = 0.01  # a character said alone in this share of the clauses is a word of its own (是, 区)


def without_particles(text: str) -> str:
    return _PARTICLES.sub("", text) or text


@dataclass(frozen=True)
class Query:
    text: str  # the question as asked
    standalone: str  # the question as answered: a follow-up made standalone, else `text`
    place: Place = Place()  # the regions named (question, conversation or filter) and the scope they allow
    concepts: tuple[Concept, ...] = ()
    asks: tuple[Ask, ...] = ()
    terms: tuple[KeyTerm, ...] = ()
    follow_up: str = ""  # "" | region | topic | clause | context
    pinned: str = ""  # the clause a clause follow-up asks about
    subjects: tuple[Concept, ...] = ()  # concepts named by one of their phrases: an answer must speak of one
    search: str = ""  # what the indexes are asked (the subject, concepts in their documents' words)
    about: str = ""  # what the conversation is about from here on (a clause or context follow-up keeps the subject before it)
    small_talk: str = ""  # thanks | greeting | farewell | chat: nothing to search (understand/said.py)
    corrected: tuple[tuple[str, str], ...] = ()  # homophones read as the word meant: (as written, as read)

    @property
    def scoped(self) -> bool:
        """Whether the question (or its filter) names a region."""
        return bool(self.place.names)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.concepts if c.indicator)

    @property
    def search_text(self) -> str:
        """What the lexical index is asked."""
        return self.search or self.standalone

    @property
    def dense_text(self) -> str:
        """What the dense index is asked: the same words without the question's particles."""
        return without_particles(self.search_text)



_LISTED_BEFORE = frozenset(words().listed_before)
_LISTED_AFTER = frozenset(words().listed_after)


def _listed(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is an item of an enumeration (、 before it or 、/和/及 after it)."""
    return text[start - 1 : start] in _LISTED_BEFORE or text[end : end + 1] in _LISTED_AFTER


class QueryReader:
    """Reads questions against one loaded index: its region tree, concepts and vocabulary."""

    def __init__(self, manifest: Manifest, concepts: Concepts, lexical: LexicalIndex,
                 follow_ups: FollowUpResolver, listener: Listener | None = None) -> None:
        self.manifest = manifest
        self.listener = listener or Listener()
        self.concepts = concepts
        self.lexical = lexical
        self.follow_ups = follow_ups
        self.places = Places(manifest, lexical.tokenizer.boundaries, lexical.tokenizer.starts_word)
        self._place_words = frozenset(norm(s) for s, _ in self.places.own_names)
        self._words: dict[str, str] = {}
        self._terms: dict[str, KeyTerm] = {}

    @classmethod
    def for_index(cls, index: LoadedIndex) -> QueryReader:
        """The reader of one loaded index, with its follow-up resolver."""
        topics = sorted({d.topic for d in index.documents.values() if d.topic})
        tokenizer = index.lexical.tokenizer
        places = Places(index.corpus_manifest, tokenizer.boundaries, tokenizer.starts_word)
        def in_corpus(word: str) -> bool:
            return index.lexical.df(word) > 0

        follow_ups = FollowUpResolver(places, topics, tokenizer, index.lexical.glossary, index.concepts,
                                      known=in_corpus)
        # places, topics, concepts, and the longer words the documents use often: what a homophone may stand for
        common = [w for w in index.lexical.vocab if len(w) >= 2 and index.lexical.df(w) >= COMMON_DF]
        terms = topics + [p for c in index.concepts.items for p in c.phrases] + common
        frequent_df = FREQUENT_CHAR_SHARE * index.lexical.n_clauses

        def frequent(char: str) -> bool:
            return index.lexical.df(char) >= frequent_df

        homophones = Homophones(terms, tokenizer.is_word, tokenizer.cut, places=[s for s, _r in places.own_names],
                                in_corpus=in_corpus, toned=[w for w in common if len(w) == 2], frequent=frequent)
        return cls(index.corpus_manifest, index.concepts, index.lexical, follow_ups, Listener(homophones))

    def regions_in(self, text: str) -> list[str]:
        return self.places.regions(text)

    def read(self, question: str, context: Context | None = None, *, region_filter: str | None = None,
             home_region: str = "") -> Query:
        said = self.listener.hear(question)
        if said.small_talk:  # nothing to search; the conversation stays on what it was about
            return Query(question, said.text, small_talk=said.small_talk,
                         about=context.question if context is not None else "")
        asked = said.text
        resolved = self.follow_ups.resolve(asked, context)
        standalone = resolved.question
        # The region the question (or, for a follow-up, the conversation) names; else the filter's.
        named = self.regions_in(asked)
        if not named and standalone != asked:
            named = self.regions_in(standalone)
        regions: tuple[str, ...] = tuple(named)
        from_filter = bool(region_filter and not regions)
        if region_filter and not regions:
            known = self.manifest.region(region_filter)
            regions = (known.name if known else region_filter,)
        elif region_filter:
            log.info("the question names %s: answered for it, not for the filter %s", "、".join(regions), region_filter)
        place = self.places.place(regions, from_filter)
        if not regions and home_region:  # a deployment for one city: the question is about it
            place = dataclasses.replace(self.places.place((home_region,)), assumed=True)
        concepts = self.concepts.in_text(standalone)
        asks = read_asks(asked)
        if all(a.type in ("procedure", "conditions") for a in asks) and standalone != asked:
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
        # the corpus's own place names, and any other place the question names (雁塔区)
        places = self._place_words | {m.surface for m in self.places.mentions(standalone)}
        terms = tuple(key_terms(subject, self.lexical, frozenset(places), related)) + tuple(
            self.concept_term(c) for c in subjects)
        search = norm(standalone)
        for m in sorted(mentions, key=lambda m: -m.start):
            search = search[: m.start] + " " + search[m.end :]
        search += " " + " ".join(self.concept_words(c) for c in subjects)
        keeps_subject = context is not None and resolved.follow_up in ("clause", "context")
        about = context.question if context is not None and keeps_subject else standalone
        return Query(question, standalone, place, concepts, asks, terms, resolved.follow_up, resolved.pinned,
                     subjects, " ".join(search.split()), about, corrected=said.corrected)

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
