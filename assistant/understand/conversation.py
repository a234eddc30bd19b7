"""Follow-up questions: turn a question that leans on the conversation into one that stands alone.

After "泾河新城开办企业要多久？" a user asks
- "那渭滨区呢？"          another region, same question        -> "渭滨区开办企业要多久？"
- "那获得电力呢？"        another indicator, same region/asking -> "泾河新城获得电力要多久？"
- "牵头单位是谁？" / "这个什么时候要完成？"  another fact of the clause just cited: the
  question is answered from that clause ("pinned") when it states such a fact.
A question with its own subject starts afresh. Only the user's questions are read: the
previous answers are recomputed from them, so a client sends plain chat history.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from assistant.lexicon.concepts import Concepts
from assistant.lexicon.tokenize import Glossary, Tokenizer, normalize
from assistant.lexicon.words import either, words
from assistant.understand.asks import asking_cue
from assistant.understand.regions import Places

FollowUp = Literal["", "region", "topic", "clause", "context"]
ROLES = ("system", "user", "assistant")

_LEAD = re.compile(f"^({either(words().lead)})")
_TAIL = re.compile(f"({either(words().conditional)})?({either(words().tail_particles)})?" + r"[\s?？。.!！~～]*$")
_ANAPHORA = re.compile(either(words().anaphora))
_ELLIPTICAL = re.compile(f"({either(words().elliptical)})")
# Words that ask about a clause rather than name a subject.
ASKING_WORDS = frozenset(words().asking_words)


@dataclass(frozen=True)
class Turn:
    """One message of a chat. An assistant turn may carry what its answer returned: `subject`
    (`Answer.subject`) and `clause_id` (the clause it was answered from), so that a follow-up
    needs no replay of the questions before it."""

    role: str
    content: str
    subject: str = ""
    clause_id: str = ""


@dataclass(frozen=True)
class Context:
    """What the conversation is about: the last standalone question with a subject of its own, and
    the clause the previous turn was answered from."""

    question: str
    clause_id: str = ""


@dataclass(frozen=True)
class Resolved:
    question: str  # the standalone question to answer
    follow_up: FollowUp = ""
    pinned: str = ""  # the clause a clause follow-up asks about
    region: str = ""  # the region a region follow-up moves to (its canonical name)


def user_questions(history: Iterable[Turn], limit: int) -> list[str]:
    questions = [t.content for t in history if t.role == "user" and t.content.strip()]
    return questions[-limit:]


class FollowUpResolver:
    def __init__(self, places: Places, topics: Sequence[str], tokenizer: Tokenizer, glossary: Glossary,
                 concepts: Concepts | None = None, known: Callable[[str], bool] | None = None) -> None:
        self.places = places
        self.names = places.names  # longest first, with 市/省/区/县 forms
        self.topics = [t for t in topics if t]
        self.tokenizer = tokenizer
        self.glossary = glossary
        self.concepts = concepts or Concepts(())
        self._place_words = {normalize(n) for n, _ in places.own_names}
        self._known = known or (lambda _word: True)

    # -- reading a question ------------------------------------------------------------------------
    def _regions(self, text: str) -> list[str]:
        """Region names as written in `text`, in order of appearance (the rule of `regions.mentions`)."""
        found = self.places.mentions(text)
        return [m.surface for m in found if m.surface in text]

    def _topics(self, text: str) -> list[str]:
        """The indicators and topic concepts `text` names (那获得电力呢, 那社保呢, 那开公司呢)."""
        expanded = normalize(text) + " " + " ".join(self.glossary.expand(text))
        named = [t for t in self.topics if normalize(t) in expanded]
        return named + [c.name for c in self.concepts.in_text(text) if c.name not in named]

    def _content(self, text: str, regions: list[str]) -> list[str]:
        for surface in regions:
            text = text.replace(surface, " ")
        words = self.tokenizer.query(text)
        return [w for w in words if w not in ASKING_WORDS and w not in self._place_words
                and not any(w in p for p in self._place_words)]

    @staticmethod
    def core(question: str) -> str:
        """The question without "那…呢" and its closing punctuation."""
        text = question.strip()
        text = _TAIL.sub("", text)
        text = _LEAD.sub("", text)
        return text.strip(" ，,。")

    # -- resolving -----------------------------------------------------------------------------------
    def resolve(self, question: str, context: Context | None) -> Resolved:
        if context is None:
            return Resolved(question)
        core = self.core(question)
        regions = self._regions(core)
        content = self._content(core, regions)
        topics = self._topics(core)
        elliptical = question.strip() != core and bool(_LEAD.search(question.strip()) or
                                                          _ELLIPTICAL.search(question))
        previous = context.question
        cue = asking_cue(question)
        if not (elliptical or _ANAPHORA.search(question)) and self._own_subject(core, content, topics, previous):
            return Resolved(question)
        if regions and not content:
            rest = core
            for surface in regions:
                rest = rest.replace(surface, "")
            rest = rest.strip(" 的，,")
            standalone = self._replace_regions(previous, regions)
            if cue and rest:
                standalone = f"{standalone.rstrip('？?。')}，{rest}？"
            named = {region for surface, region in self.names if surface in regions}
            return Resolved(standalone, "region", region=named.pop() if len(named) == 1 else "")
        if not regions and topics and (elliptical or len(core) <= 8):
            old = "".join(self._regions(previous))
            asking = cue or asking_cue(previous)
            standalone = f"{old}{core}" + (f"{asking}？" if asking and asking not in core else "？")
            return Resolved(standalone, "topic")
        if not regions and not content:
            return Resolved(f"{previous.rstrip('？?。')}，{core}？", "clause", context.clause_id)
        if not regions and (_ANAPHORA.search(question) or elliptical or len(core) <= 6 or (len(core) <= 10 and not topics)):
            return Resolved(f"{previous.rstrip('？?。')}，{core}？", "context")
        return Resolved(question)

    def _own_subject(self, core: str, content: list[str], topics: list[str], previous: str) -> bool:
        """A question that names its own subject stands alone: a topic or concept the previous
        question did not name, or a word the documents never use (离婚登记, 犬证: another matter)."""
        before = set(self._topics(previous))
        if any(t not in before for t in topics):
            return True
        return any(len(w) >= 2 and not self._known(w) and normalize(w) not in normalize(previous)
                   and not any(a in w for a in ASKING_WORDS) for w in content)

    def _replace_regions(self, question: str, regions: list[str]) -> str:
        old = self._regions(question)
        new = "、".join(regions)
        if not old:
            return new + question
        out = question.replace(old[0], new, 1)
        for surface in old[1:]:
            out = out.replace(surface, "", 1)
        return out
