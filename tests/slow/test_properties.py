"""Properties over generated questions, no gold needed.

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
regions. The generator and the checks are `assistant/eval/generated.py`; `scripts/properties.py`
runs the same checks on the default index and reports pass rates and failing examples.
"""

from __future__ import annotations

import pytest

from assistant.eval.generated import ANSWERING, MIN_RATE, Cases, Outcome, check, generate_for, summary

pytestmark = pytest.mark.integration


# -- tests -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(assistant) -> Cases:  # type: ignore[no-untyped-def]
    return generate_for(assistant)


@pytest.fixture(scope="module", params=["inprocess", "milvus"])
def outcome(request, generated: Cases) -> Outcome:  # type: ignore[no-untyped-def]
    """The properties hold on each search backend: in process and through Milvus Lite."""
    assistant = request.getfixturevalue("assistant" if request.param == "inprocess" else "milvus_assistant")
    return check(generated, assistant.ask, assistant.engine().index.corpus_manifest)


def test_generation_covers_every_region_and_concept(assistant, generated: Cases):
    index = assistant.engine().index
    assert {c.region for c in generated.singles} == {r.name for r in index.corpus_manifest.regions}
    assert {c.concept for c in generated.singles} == {c.name for c in index.concepts.items}
    assert {c.ask for c in generated.singles} == set(ANSWERING)
    assert {p.kind for p in generated.pairs} == {"order", "synonym"}
    assert 2000 <= len(generated.questions()) <= 4000


def test_a_first_citation_is_of_the_named_region_or_one_containing_it(outcome: Outcome):
    assert outcome.total["a"] > 0
    rate = outcome.rate("a")
    assert rate >= MIN_RATE["a"], summary(outcome, "a")


def test_b_first_sentence_states_the_asked_fact_or_abstains(outcome: Outcome):
    rate = outcome.rate("b")
    assert rate >= MIN_RATE["b"], summary(outcome, "b")


def test_c_word_order_and_synonyms_keep_the_first_citation(outcome: Outcome):
    assert outcome.total["c"] > 0
    rate = outcome.rate("c")
    assert rate >= MIN_RATE["c"], summary(outcome, "c")
