"""Questions generated over the region tree × the topic concepts × phrasings, and the three
properties their answers must have — no gold needed.

Every region of the region tree × every topic concept × several phrasings and asking words; for
each answer:

(a) scope: an answer that does not abstain cites first a clause of the region named or of a region
    containing it — never of a sub-region, a sibling or an unrelated region;
(b) fact: a question asking for a time limit, deadline, department, amount or count gets a first
    sentence that states a fact of that kind, or abstains;
(c) stability: the same question with its words in another order, or with a synonym of the topic
    (a phrase of the same concept), gets the same first citation (or abstains both times).

The cross product (about 90 regions × 30 concepts × 3 topic words × 2 spellings of the region ×
18 phrasings) is sampled deterministically: one question per (region, concept) cell (per a few
concepts for a region no document covers), each with its phrasing, topic word and region spelling
drawn by a fixed seed, plus word-order and synonym partners of sampled questions about covered
regions. `tests/slow/test_properties.py` asserts the pass rates on each search backend;
`scripts/properties.py` runs the same checks on the default index and reports pass rates and
failing examples.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant.lexicon.text import norm
from assistant.models import Answer
from assistant.understand.asks import read_asks

SEED = 20240917
PAIRS_PER_KIND = 250  # word-order pairs and synonym pairs, each
UNCOVERED_CONCEPTS = 8  # concepts asked about for a region no document covers (all should abstain)
REGION_SUFFIXES = ("自治区", "市", "省", "区", "县", "州")

# (ask, phrasing, the same phrasing with its words in another order)
TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("time_limit", "{region}{topic}要多久？", "{topic}，{region}要多久？"),
    ("time_limit", "在{region}{topic}需要几个工作日？", "{topic}在{region}需要几个工作日？"),
    ("time_limit", "{region}办理{topic}的时限是多少？", "办理{topic}，{region}的时限是多少？"),
    ("time_limit", "{topic}在{region}要多长时间？", "{region}{topic}要多长时间？"),
    ("deadline", "{region}{topic}这项工作什么时候完成？", "{topic}这项工作{region}什么时候完成？"),
    ("department", "{region}{topic}是哪个部门牵头？", "{topic}在{region}是哪个部门牵头？"),
    ("department", "{region}的{topic}归哪个单位管？", "{topic}在{region}归哪个单位管？"),
    ("amount", "{region}{topic}最多能补贴多少钱？", "{topic}，{region}最多能补贴多少钱？"),
    ("count", "{region}{topic}有多少个？", "{topic}在{region}有多少个？"),
)

# Ask → the fact types whose value in the first sentence answers it.
ANSWERING: dict[str, tuple[str, ...]] = {
    "time_limit": ("time_limit",),
    "deadline": ("deadline",),
    "department": ("lead_unit", "responsible_unit", "department"),
    "amount": ("amount", "percent", "count"),
    "count": ("count",),
}
UNIT_TYPES = ("lead_unit", "responsible_unit")

MIN_RATE = {"a": 1.0, "b": 0.98, "c": 1.0}
NAMES = {"a": "scope of the first citation", "b": "asked fact in the first sentence", "c": "stable first citation"}


@dataclass(frozen=True)
class Case:
    question: str
    region: str  # canonical name of the region the question names
    concept: str
    ask: str  # the ask type the phrasing asks for


@dataclass(frozen=True)
class Pair:
    kind: str  # "order" | "synonym"
    first: Case
    second: Case


@dataclass(frozen=True)
class Cases:
    singles: tuple[Case, ...]
    pairs: tuple[Pair, ...]

    def questions(self) -> list[Case]:
        """Every case once: the singles and both sides of each pair."""
        out: dict[str, Case] = {}
        for case in [*self.singles, *(c for p in self.pairs for c in (p.first, p.second))]:
            out.setdefault(case.question, case)
        return list(out.values())


@dataclass(frozen=True)
class Failure:
    prop: str
    question: str
    first_sentence: str
    cited_region: str
    detail: str = ""

    def __str__(self) -> str:
        line = f"{self.question} → {self.first_sentence or '∅'} → {self.cited_region or '∅'}"
        return f"{line} ({self.detail})" if self.detail else line


@dataclass(frozen=True)
class Outcome:
    passed: dict[str, int]
    total: dict[str, int]
    failures: dict[str, list[Failure]]

    def rate(self, prop: str) -> float:
        return self.passed[prop] / self.total[prop] if self.total[prop] else 1.0


# -- generation ------------------------------------------------------------------------------------


def _ws(text: str) -> str:
    return re.sub(r"\s+", "", text)


def region_surfaces(manifest) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each region's name, and the name with its suffix when an alias spells it (西安市, 陕西省)."""
    out: dict[str, list[str]] = {}
    for region in manifest.regions:
        forms = [region.name]
        for alias in region.aliases:
            if alias.startswith(region.name) and alias.endswith(REGION_SUFFIXES) and alias not in forms:
                forms.append(alias)
                break
        out[region.name] = forms
    return out


def topic_words(concepts, manifest) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Each concept's name and up to two of its phrases (in the order the concepts file lists them)
    that name no region and carry no asking word of their own (so the phrasing alone says what
    is asked)."""
    places = [n for n, _r in manifest.own_names()]
    out: dict[str, list[str]] = {}
    for concept in concepts.items:
        words = [concept.name]
        for phrase in concept.phrases:
            if len(words) == 3:
                break
            if phrase == norm(concept.name) or phrase in words or len(phrase) < 2:
                continue
            if any(p in phrase for p in places) or any(a.type != "procedure" for a in read_asks(phrase)):
                continue
            words.append(phrase)
        out[concept.name] = words
    return out


def _fill(template: str, region: str, topic: str) -> str:
    return template.format(region=region, topic=topic).replace("办理办", "办")  # 办理办理破产 → 办理破产


def generate(manifest, concepts, document_regions: Iterable[str]) -> Cases:  # type: ignore[no-untyped-def]
    """One question per (region, concept) — for a region no document covers, per one of a few
    concepts — with a phrasing, a region spelling and a topic word drawn by a fixed seed; then, for
    sampled questions about covered regions, the same question in the other word order, and the
    same question with another word of its topic."""
    rng = random.Random(SEED)
    surfaces = region_surfaces(manifest)
    topics = topic_words(concepts, manifest)
    covering = set(document_regions)
    singles: list[Case] = []
    drawn: list[tuple[Case, tuple[str, str, str], int, str, str]] = []  # covered: case, template, order, spellings
    for region in manifest.regions:
        covered = bool(covering & set(manifest.ancestors(region.name)))
        chosen = concepts.items if covered else rng.sample(concepts.items, UNCOVERED_CONCEPTS)
        for concept in chosen:
            template = rng.choice(TEMPLATES)
            order = rng.randrange(2)
            surface = rng.choice(surfaces[region.name])
            topic = rng.choice(topics[concept.name])
            case = Case(_fill(template[1 + order], surface, topic), region.name, concept.name, template[0])
            singles.append(case)
            if covered:
                drawn.append((case, template, order, surface, topic))
    pairs: list[Pair] = []
    for case, template, order, surface, topic in rng.sample(drawn, min(PAIRS_PER_KIND, len(drawn))):
        other = Case(_fill(template[2 - order], surface, topic), case.region, case.concept, case.ask)
        pairs.append(Pair("order", case, other))
    with_synonyms = [d for d in drawn if len(topics[d[0].concept]) > 1]
    for case, template, order, surface, topic in rng.sample(with_synonyms, min(PAIRS_PER_KIND, len(with_synonyms))):
        synonym = rng.choice([t for t in topics[case.concept] if t != topic])
        other = Case(_fill(template[1 + order], surface, synonym), case.region, case.concept, case.ask)
        pairs.append(Pair("synonym", case, other))
    return Cases(tuple(singles), tuple(pairs))


def generate_for(assistant) -> Cases:  # type: ignore[no-untyped-def]
    engine = assistant.engine()
    index = engine.index
    return generate(index.corpus_manifest, index.concepts, {d.region for d in index.documents.values()})


# -- checking --------------------------------------------------------------------------------------


def first_sentence(answer: Answer) -> str:
    return answer.text.split("。", 1)[0]


def first_region(answer: Answer) -> str:
    return answer.citations[0].document.region if answer.citations else ""


def cited_as(answer: Answer) -> str:
    """The first citation's region as a failure shows it; an abstention's citations are offered
    as reading from elsewhere."""
    if answer.abstained:
        return f"abstains, offers {first_region(answer)}" if answer.citations else "abstains"
    return first_region(answer)


def states_asked_fact(answer: Answer, ask: str) -> bool:
    """The first sentence holds the value of a fact of a kind that answers `ask`."""
    sentence = _ws(first_sentence(answer))
    types = ANSWERING[ask]
    if any(f.type in types and _ws(f.value) and _ws(f.value) in sentence for f, _cid in answer.facts):
        return True
    if ask == "department" and answer.citations:
        units = [f for f in answer.citations[0].clause.facts if f.type in UNIT_TYPES]
        return any(_ws(f.value) and _ws(f.value) in sentence for f in units)
    return False


def first_citation_key(answer: Answer) -> str:
    if answer.abstained:
        return "abstains"
    return answer.citations[0].clause.id if answer.citations else "no citation"


def relation(manifest, named: str, cited: str) -> str:  # type: ignore[no-untyped-def]
    """How the cited region stands to the named one, for the failure detail."""
    if not cited:
        return "no citation"
    if named in manifest.ancestors(cited):
        return "sub-region"
    named_parent = (manifest.region(named).parent if manifest.region(named) else "") or ""
    cited_region = manifest.region(cited)
    if cited_region is not None and cited_region.parent == named_parent:
        return "sibling"
    return "unrelated region"


def check(cases: Cases, ask: Callable[[str], Answer], manifest) -> Outcome:  # type: ignore[no-untyped-def]
    answers = {c.question: ask(c.question) for c in cases.questions()}
    passed = dict.fromkeys("abc", 0)
    total = dict.fromkeys("abc", 0)
    failures: dict[str, list[Failure]] = {p: [] for p in "abc"}

    def record(prop: str, ok: bool, case: Case, answer: Answer, detail: str = "") -> None:
        total[prop] += 1
        if ok:
            passed[prop] += 1
        else:
            failures[prop].append(Failure(prop, case.question, first_sentence(answer), cited_as(answer), detail))

    for case in cases.questions():
        answer = answers[case.question]
        if not answer.abstained:
            cited = first_region(answer)
            record("a", bool(cited) and cited in manifest.ancestors(case.region), case, answer,
                   f"named {case.region}: {relation(manifest, case.region, cited)}")
        record("b", answer.abstained or states_asked_fact(answer, case.ask), case, answer,
               f"asks {case.ask}; facts stated: "
               + ("、".join(sorted({f.type for f, _c in answer.facts})) or "none"))
    for pair in cases.pairs:
        one, other = answers[pair.first.question], answers[pair.second.question]
        same = first_citation_key(one) == first_citation_key(other)
        record("c", same, pair.first, one,
               f"{pair.kind}: vs {pair.second.question} → {first_sentence(other)} → {cited_as(other) or '∅'}")
    return Outcome(passed, total, failures)


def summary(outcome: Outcome, prop: str, shown: int = 8) -> str:
    lines = [f"({prop}) {NAMES[prop]}: {outcome.passed[prop]}/{outcome.total[prop]} = {100 * outcome.rate(prop):.1f} %"]
    lines += [f"  {f}" for f in outcome.failures[prop][:shown]]
    return "\n".join(lines)
