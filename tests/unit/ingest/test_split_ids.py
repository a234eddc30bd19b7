"""Which document ids a source's split makes: the rule `remove` and `add` use to tell a source's
own documents from another source whose id merely starts with its id."""

from __future__ import annotations

from assistant.ingest.manifest import Manifest, Region, SourceSpec
from assistant.ingest.split import belongs_to, split_source
from assistant.lexicon.text import read_lines

PLANS = ("西安市关于印发两个行动方案的通知\n各区县：现将方案印发给你们。\n西安市优化营商环境行动方案\n一、目标\n"
         "1. 企业开办0.5个工作日。\n西安市营商环境指标提升行动方案\n一、任务\n1. 制定提升方案。\n"
         "方案一\n“开办企业”指标提升方案\n1. 开办企业1个工作日办结。\n")
DATED = ("（一）西安\n1. 西安市关于优化营商环境的若干措施（2023 年6 月3 日）\n一、总则\n各单位要优化服务。\n"
         "（二）宁夏\n1. 宁夏回族自治区关于优化营商环境的通知（2023年5月1日）\n一、总则\n各单位要加强管理。\n")


def test_every_document_a_split_makes_belongs_to_its_source_and_to_no_other():
    regions = (Region("西安", "", ()), Region("宁夏", "", ()))
    sources = (SourceSpec("xa.txt", "xa", "方案", "西安", split="plan_titles"),
               SourceSpec("nw.txt", "nw", "汇编", "宁夏", split="dated_titles"),
               SourceSpec("xa-p1.txt", "xa-p", "另一个", "西安"))
    manifest = Manifest(sources, regions)
    made = {spec.id: [part.document.id for part in split_source(spec, read_lines(text), manifest)]
            for spec, text in zip(sources, (PLANS, DATED, "西安市措施\n一、总则\n1. 办结。\n"), strict=True)}
    assert made == {"xa": ["xa", "xa-p1", "xa-p2", "xa-p2-01"], "nw": ["nw-1-01", "nw-2-01"], "xa-p": ["xa-p"]}
    for spec in sources:
        for source_id, ids in made.items():
            assert all(belongs_to(spec, i) == (source_id == spec.id) for i in ids), (spec.id, ids)


def test_an_id_that_only_starts_with_a_source_id_is_not_its_document():
    plain = SourceSpec("xa.txt", "xa", "甲", "西安")
    assert belongs_to(plain, "xa") and not belongs_to(plain, "xa-2") and not belongs_to(plain, "xa-p1")
    dated = SourceSpec("nw.txt", "nw", "汇编", "宁夏", split="dated_titles")
    assert belongs_to(dated, "nw-3-12") and not belongs_to(dated, "nw-3") and not belongs_to(dated, "nw-3-1")
    assert not belongs_to(dated, "nw-3-12-p1") and not belongs_to(dated, "nwx-3-12")
    plans = SourceSpec("jh.txt", "jh.2023", "方案", "泾河新城", split="plan_titles")  # a dot is not a wildcard
    assert belongs_to(plans, "jh.2023-p2-01") and not belongs_to(plans, "jhx2023-p2-01")
