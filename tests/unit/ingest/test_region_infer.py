"""A new document's region read from its issuer, its 文号, its title and its text (`ingest/region_infer.py`)."""

from __future__ import annotations

import pytest

from assistant.ingest.manifest import Manifest, Region
from assistant.ingest.region_infer import infer_region, region_of_doc_number


@pytest.mark.parametrize(("prefix", "region"), [
    ("京政办发", "北京"), ("陕政发", "陕西"), ("黔工信运行", "贵州"), ("川疫指发", "四川"), ("京建发", "北京"),
    ("国办发", "全国"), ("国发", "全国"), ("财税", "全国"), ("人社部发", "全国"), ("国卫办医函", "全国"),
    ("市政办发", None), ("厦府规", None), ("京", None),
])
def test_doc_number_prefixes(prefix, region):
    assert region_of_doc_number(prefix) == region


@pytest.mark.parametrize(("text", "title", "issuer", "region"), [
    # the issuer names the place, innermost of an address
    ("各区人民政府：现将措施印发给你们。", "北京市人民政府办公厅关于印发若干措施的通知", None, "北京"),
    ("为做好疫情防控工作，现通知如下。", "", "西安市雁塔区人民政府办公室", "雁塔区"),
    ("一、延期办理。", "通州区人力资源和社会保障局关于养老待遇核准的通知 根据北京市的部署", None, "北京通州区"),
    # a nationwide issuer
    ("各省、自治区、直辖市人民政府：", "国务院办公厅关于支持湖北省复工复产的通知", None, "全国"),
    ("为进一步做好防控工作，现公告如下。", "财政部 税务总局关于支持疫情防控有关税收政策的公告", None, "全国"),
    ("日前，国家邮政局召开全系统会议。", "国家邮政局部署疫情防控工作", None, "全国"),
    # the 文号 when the issuer names no place
    ("关于进一步做好复工复产工作的通知 京政办发〔2020〕7号 各区人民政府：", "", None, "北京"),
    ("关于做好出院患者随访工作的通知 国卫办医函〔2020〕146号 各省卫生健康委：", "", None, "全国"),
    ("关于印发支持措施的通知 陕政发〔2020〕3号 各设区市人民政府：", "", None, "陕西"),
    # 市政办发 says nothing alone: the issuer's city does
    ("市政办发〔2024〕60号 各区县人民政府：", "兰州市人民政府办公室关于印发实施方案的通知", None, "兰州"),
    # the text's opening, a news agency's dateline left out
    ("新华社北京2月1日电 31个省区市和新疆生产建设兵团现有确诊病例……", "疫情防控最新进展", None, "全国"),
    ("重庆日报讯 全市疫情防控工作视频会议召开……", "压实防控责任", None, "重庆"),
    # nothing says where
    ("为减少人群聚集，现就有关问题通知如下。", "关于养老保险待遇核准有关问题的通知", None, None),
])
def test_inferred(text, title, issuer, region):
    assert infer_region(text, title, issuer) == region


def test_a_corpus_table_names_the_region_as_it_does():
    tree = Manifest((), (Region("甘孜州", "四川", ("甘孜藏族自治州", "甘孜")), Region("四川", "", ()))).tree
    assert infer_region("各县人民政府：", "甘孜藏族自治州人民政府关于印发措施的通知", tree=tree) == "甘孜州"
    assert infer_region("各县人民政府：", "康定市人民政府关于印发措施的通知", tree=tree) == "康定市"
    assert tree.ancestors("康定市") == ["康定市", "甘孜州", "四川", "全国"]


def test_a_local_governments_notice_is_not_nationwide_for_a_ministry_it_names():
    text = "某市人民政府办公室关于优化营商环境的通知\n某政办发〔2022〕3号\n1. 事项办结。\n牵头单位：某发展改革委\n"
    assert infer_region(text, text.splitlines()[0]) is None
