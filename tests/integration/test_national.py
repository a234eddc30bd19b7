"""全国: a nationwide document answers a question about any region, labelled national; a county the
corpus's table lacks is scoped to its city and province. A corpus of three short documents, built here."""

from __future__ import annotations

import pytest

from assistant.index.build import build_index
from assistant.service.assistant import Assistant
from assistant.settings import Settings

MANIFEST = """
[[source]]
file = "gw.txt"
id = "gw"
title = "国务院办公厅关于进一步优化企业开办服务的通知"
region = "全国"

[[source]]
file = "xa.txt"
id = "xa"
title = "西安市不动产登记便利化措施"
region = "西安"

[[source]]
file = "sx.txt"
id = "sx"
title = "陕西省招标投标措施"
region = "陕西"

[regions."陕西"]
parent = ""
aliases = ["陕西省"]

[regions."西安"]
parent = "陕西"
aliases = ["西安市"]
"""
TEXTS = {
    "gw": "国务院办公厅关于进一步优化企业开办服务的通知\n一、压缩时间\n1. 企业开办全程网上办理，时间压缩至4个工作日以内。\n",
    "xa": "西安市不动产登记便利化措施\n一、登记\n1. 不动产转移登记3个工作日办结。\n",
    "sx": "陕西省招标投标措施\n一、招标\n1. 招标文件公示不少于5日。\n",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("national")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "documents.toml").write_text(MANIFEST, encoding="utf-8")
    for doc_id, text in TEXTS.items():
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", data_dir=root / "data")
    build_index(settings, full=True)
    return Assistant(settings)


@pytest.mark.parametrize("place", ["三原县", "雁塔区", "伊宁市", "民勤县", "西安", "陕西", "北京市朝阳区"])
def test_a_nationwide_document_answers_for_any_region_labelled_national(assistant: Assistant, place: str):
    answer = assistant.ask(f"{place}企业开办要几个工作日？")
    assert not answer.abstained, answer.text
    top = answer.citations[0]
    assert top.document.id == "gw" and top.document.region == "全国"
    assert "4个工作日" in answer.text and "全国" in answer.text  # said as the national rule


def test_a_county_question_is_not_answered_by_another_citys_rule(assistant: Assistant):
    answer = assistant.ask("三原县不动产转移登记要几个工作日？")  # only 西安 states it; 三原县 is in 咸阳
    assert answer.abstained and "不适用于三原县" in answer.text  # 西安's rule only offered, labelled
    inside = assistant.ask("雁塔区不动产转移登记要几个工作日？")  # 雁塔区 is in 西安: its rule applies
    assert not inside.abstained and inside.citations[0].document.id == "xa"


def test_a_region_filter_may_name_any_county(assistant: Assistant):
    answer = assistant.ask("招标文件公示几天？", region="三原县")
    assert not answer.abstained and answer.citations[0].document.id == "sx"  # the province's rule applies
