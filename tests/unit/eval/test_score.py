"""The eval scoring functions on tiny hand-made answers: no index, no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.eval.score import (
    GoldItem,
    breakdown,
    citation_hits,
    failures,
    load_gold,
    load_golds,
    region_correct,
    region_scores,
    score_answers,
    trust,
    verdict,
)
from assistant.ingest.manifest import Manifest, Region
from assistant.models import Answer, Citation, Clause, Document

MANIFEST = Manifest((), (
    Region("陕西", "", ("陕西省",)),
    Region("西安", "陕西", ("西安市", "大西安")),
    Region("西咸新区", "西安", ()),
    Region("泾河新城", "西咸新区", ()),
    Region("渭南", "陕西", ("渭南市",)),
))


def doc(region: str) -> Document:
    return Document(f"doc-{region}", f"{region}的方案", "政府", "", "2023-01-01", region, f"{region}.txt", 1, 99)


def cite(text: str, region: str = "西安", n: int = 1) -> Citation:
    clause = Clause(f"c{n}-{region}", f"doc-{region}", "一、", (), text, None, f"{region}.txt", n, n)
    return Citation(n, clause, doc(region), 1.0)


def answer(text: str, *citations: Citation, abstained: bool = False, latency: float = 10.0) -> Answer:
    return Answer("问", text, abstained, tuple(citations), (), latency)


def abstain() -> Answer:
    return answer("未找到依据。", abstained=True)


def gold(id: str, kind: str = "time_limit", evidence: str = "5个工作日内办结", keys: tuple[str, ...] = ("5个工作日",),
         persona: str = "citizen", file: str = "dev.jsonl", snippet: str = "") -> GoldItem:
    return GoldItem(id, f"问题{id}", kind, evidence if kind != "unanswerable" else "", keys, snippet, persona, file)


# --- region_correct -----------------------------------------------------------------------------

def test_a_sub_regions_citation_is_not_region_correct_a_containing_regions_is():
    assert MANIFEST.ancestors("泾河新城") == ["泾河新城", "西咸新区", "西安", "陕西", "全国"]
    assert region_correct(("西安",), answer("x", cite("x", "泾河新城")), MANIFEST) is False
    assert region_correct(("西安",), answer("x", cite("x", "陕西")), MANIFEST) is True
    assert region_correct(("西安",), answer("x", cite("x", "西安")), MANIFEST) is True


def test_region_correct_reads_only_the_first_citation():
    assert region_correct(("西安",), answer("x", cite("x", "渭南", 1), cite("x", "西安", 2)), MANIFEST) is False
    assert region_correct(("西安",), answer("x", cite("x", "西安", 1), cite("x", "渭南", 2)), MANIFEST) is True


def test_region_correct_any_named_region_will_do():
    assert region_correct(("渭南", "泾河新城"), answer("x", cite("x", "西咸新区")), MANIFEST) is True
    assert region_correct(("渭南", "西安"), answer("x", cite("x", "泾河新城")), MANIFEST) is False


def test_region_correct_does_not_apply_without_a_region_or_to_an_abstention():
    assert region_correct((), answer("x", cite("x", "渭南")), MANIFEST) is None
    assert region_correct(("西安",), abstain(), MANIFEST) is None
    assert region_correct(("西安",), answer("无出处的回答"), MANIFEST) is False


def test_region_scores_count_and_abstention_split():
    items = [gold("a"), gold("b"), gold("c"), gold("u1", "unanswerable"), gold("u2", "unanswerable"),
             gold("u3", "unanswerable")]
    answers = [answer("5个工作日", cite("5个工作日内办结", "西安")),
               answer("5个工作日", cite("5个工作日内办结", "泾河新城")),
               answer("5个工作日", cite("5个工作日内办结", "渭南")),  # names no region: not judged
               abstain(),                                            # names 西安, silent: abstains
               answer("乱答", cite("别的", "陕西")),                  # names 渭南, answered: judged, correct
               abstain()]                                            # off-topic: abstains
    named = [("西安",), ("西安",), (), ("西安",), ("渭南",), ()]
    scores = region_scores(items, answers, named, MANIFEST)
    assert scores["region_correct"] == round(2 / 3, 3)
    assert scores["region_correct_count"] == "2/3"
    assert scores["abstention_region_silent"] == 0.5
    assert scores["abstention_off_topic"] == 1.0


def test_region_scores_are_none_without_regions_or_items():
    assert region_scores([gold("a")], [abstain()], None, None)["region_correct"] is None
    scores = region_scores([gold("a")], [answer("5个工作日", cite("5个工作日内办结"))], [()], MANIFEST)
    assert scores["region_correct"] is None and scores["region_correct_count"] == "0/0"
    assert scores["abstention_region_silent"] is None and scores["abstention_off_topic"] is None


# --- the README's figures -------------------------------------------------------------------------

def test_citation_hits_compare_normalised_and_need_every_segment_and_the_snippet():
    item = GoldItem("t", "q", "deadline", "市人社局\t2023年6月底前", (), "（三）优化就业服务")
    texts = ["（三）优化就业服务 牵头单位：市人社局；完成时限：２０２３年６月底前",
             "牵头单位：市人社局；完成时限：2023年6月底前"]
    assert citation_hits(item, texts) == [True, False]


def test_score_answers_hits_mrr_keys_and_abstention():
    items = [gold("a"), gold("b", keys=("5个工作日", "市政务局")), gold("c"), gold("d"),
             gold("u", "unanswerable", keys=())]
    right, wrong = cite("材料齐全的5个工作日内办结。", n=1), cite("另一条", n=2)
    answers = [answer("5个工作日内办结。", right, latency=10),                     # hit@1, keys
               answer("5 个 工作日", wrong, right, latency=20),                    # rank 2, one key missing
               answer("说不清", wrong, latency=30),                                 # miss
               answer("未找到依据。", abstained=True, latency=40),                  # false abstention
               answer("未找到依据。", abstained=True, latency=50)]                  # right abstention
    s = score_answers(items, answers)
    assert s["questions"] == 5 and s["answerable"] == 4
    assert s["hit@1"] == 0.25 and s["hit@5"] == 0.5 and s["mrr"] == round((1 + 0.5) / 4, 3)
    assert s["key_containment"] == 0.25
    assert s["abstention_on_unanswerable"] == 1.0 and s["false_abstention"] == 0.25
    assert s["median_answer_chars"] == len("未找到依据。")
    assert s["p50_latency_ms"] == 30
    assert s["region_correct"] is None  # no regions given: not measured


def test_score_answers_with_regions():
    items = [gold("a"), gold("u", "unanswerable", keys=())]
    answers = [answer("5个工作日", cite("5个工作日内办结", "陕西")), answer("乱答", cite("x", "泾河新城"))]
    s = score_answers(items, answers, [("西安",), ("西安",)], MANIFEST)
    assert s["region_correct"] == 0.5 and s["region_correct_count"] == "1/2"
    assert s["abstention_region_silent"] == 0.0 and s["abstention_off_topic"] is None


def test_breakdown_per_kind_and_persona():
    items = [gold("a", persona="hotline"), gold("b", persona="citizen"), gold("c", "deadline", persona="citizen"),
             gold("u", "unanswerable", keys=(), persona="hotline")]
    answers = [answer("5个工作日", cite("5个工作日内办结")), answer("不知道", cite("别的")), abstain(), abstain()]
    by_kind = breakdown(items, answers, "kind")
    assert list(by_kind) == ["deadline", "time_limit", "unanswerable"]
    assert by_kind["time_limit"] == {"n": 2, "hit@1": 0.5, "key_containment": 0.5,
                                     "abstention_on_unanswerable": None, "false_abstention": 0.0}
    assert by_kind["deadline"]["false_abstention"] == 1.0
    assert by_kind["unanswerable"] == {"n": 1, "hit@1": None, "key_containment": None,
                                       "abstention_on_unanswerable": 1.0, "false_abstention": None}
    by_persona = breakdown(items, answers, "persona")
    assert by_persona["hotline"]["n"] == 2 and by_persona["hotline"]["hit@1"] == 1.0
    assert by_persona["hotline"]["abstention_on_unanswerable"] == 1.0
    assert by_persona["citizen"]["hit@1"] == 0.0 and by_persona["citizen"]["false_abstention"] == 0.5


# --- failures -------------------------------------------------------------------------------------

def test_failures_say_file_kind_and_why():
    items = [gold("a", file="dev.jsonl"), gold("a", file="dev2.jsonl"), gold("b", kind="deadline"),
             gold("c"), gold("u", "unanswerable", keys=()), gold("ok")]
    answers = [answer("说不清", cite("别的"), cite("5个工作日内办结", n=2)),   # retrieval + keys
               answer("5个工作日", cite("5个工作日内办结", "泾河新城")),        # region only
               abstain(),                                                     # wrong abstention
               answer("5个工作日", cite("5个工作日内办结", "陕西")),            # fine
               answer("乱答", cite("别的")),                                  # answered an unanswerable
               answer("5个工作日", cite("5个工作日内办结"))]
    named = [(), ("西安",), (), ("西安",), (), ("西安",)]
    rows = failures(items, answers, named, MANIFEST)
    by_key = {(r["file"], r["id"]): r for r in rows}
    assert set(by_key) == {("dev.jsonl", "a"), ("dev2.jsonl", "a"), ("dev.jsonl", "b"), ("dev.jsonl", "u")}
    assert by_key["dev.jsonl", "a"]["failure"] == ["retrieval", "keys"]
    assert by_key["dev.jsonl", "a"]["evidence_rank"] == 2 and by_key["dev.jsonl", "a"]["missing_keys"] == ["5个工作日"]
    assert by_key["dev2.jsonl", "a"]["failure"] == ["region"]
    assert by_key["dev.jsonl", "b"]["failure"] == ["abstention", "retrieval", "keys"]
    assert by_key["dev.jsonl", "b"]["kind"] == "deadline"
    assert by_key["dev.jsonl", "u"]["failure"] == ["abstention"]
    # Without regions the region check is skipped, as before.
    assert {(r["file"], r["id"]) for r in failures(items, answers)} == set(by_key) - {("dev2.jsonl", "a")}


# --- loading --------------------------------------------------------------------------------------

def write_gold(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_load_golds_keeps_each_items_file_and_persona(tmp_path: Path):
    row = {"id": "a01", "question": "几天办结？", "persona": "hotline", "kind": "time_limit",
           "evidence": "5个工作日内办结", "answer_keys": ["5个工作日"]}
    one = write_gold(tmp_path / "dev.jsonl", [row])
    two = write_gold(tmp_path / "dev2.jsonl", [row, {**row, "id": "a02", "item_snippet": "（一）"}])
    items = load_golds([one, two])
    assert [(i.file, i.id) for i in items] == [("dev.jsonl", "a01"), ("dev2.jsonl", "a01"), ("dev2.jsonl", "a02")]
    assert len({i.key for i in items}) == 3
    assert items[0].persona == "hotline" and items[2].item_snippet == "（一）"
    with pytest.raises(AssistantError, match="given twice"):
        load_golds([one, one])
    with pytest.raises(AssistantError, match="not found"):
        load_gold(tmp_path / "missing.jsonl")
    (tmp_path / "bad.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    with pytest.raises(AssistantError, match="bad.jsonl:1"):
        load_gold(tmp_path / "bad.jsonl")


# --- right / wrong / declined ---------------------------------------------------------------------


def test_every_answer_is_right_wrong_or_declined_and_the_wrong_ones_say_why():
    items = [gold("r"), gold("w1"), gold("w2"), gold("t", kind="unanswerable", keys=()), gold("d"), gold("ok", kind="unanswerable", keys=())]
    answers = [
        answer("5个工作日内办结[1]", cite("5个工作日内办结")),
        answer("10个工作日[1]", cite("5个工作日内办结")),  # the gold clause first, the fact not stated
        answer("3天[1]", cite("另一条款3天")),  # another clause
        answer("3天[1]", cite("另一条款3天")),  # a trap answered
        abstain(),
        abstain(),
    ]
    assert [verdict(i, a) for i, a in zip(items, answers, strict=True)] == [
        ("right", ""), ("wrong", "fact not stated"), ("wrong", "another clause"), ("wrong", "trap answered"),
        ("declined", ""), ("declined", "")]
    figures = trust(items, answers)
    assert figures["right"] == round(1 / 4, 3)  # share of the answerable
    assert figures["wrong"] == 0.5 and figures["declined"] == round(2 / 6, 3)  # shares of all
    assert figures["wrong_by_reason"] == {"another clause": 1, "fact not stated": 1, "trap answered": 1}
    partial = Answer("问", "10个工作日[1]", False, (cite("5个工作日内办结"),), (), 1.0, missing=("负责部门",))
    assert verdict(gold("p"), partial) == ("wrong", "fact missing, said so")
