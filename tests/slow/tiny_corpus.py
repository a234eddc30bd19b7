"""A corpus of a few short .txt documents written on the spot, for tests of corpus changes that
need builds of seconds, not of minutes: three sources whose ids share a prefix ("xa", "xa-2", and
"xa-3", split into plans and sub-plans "xa-3-p2-01"), a region tree 陕西 > 西安 / 咸阳, and a pool of further texts to add."""

from __future__ import annotations

from pathlib import Path

from assistant.index.build import build_index
from assistant.index.load import read_manifest
from assistant.index.store import IndexStore
from assistant.settings import Settings

MANIFEST = """# a tiny corpus for tests
[[source]]
file = "xa.txt"
id = "xa"
title = "西安市企业开办便利化措施"
region = "西安"

[[source]]
file = "xa-2.txt"
id = "xa-2"
title = "西安市不动产登记便利化措施"
region = "西安"

[[source]]
file = "xa-3.txt"
id = "xa-3"
title = "西安市关于印发两个行动方案的通知"
region = "西安"
split = "plan_titles"

[regions."陕西"]
parent = ""
aliases = ["陕西省"]

[regions."西安"]
parent = "陕西"
aliases = ["西安市"]

[regions."咸阳"]
parent = "陕西"
aliases = ["咸阳市"]
"""

TEXTS = {
    "xa": "西安市企业开办便利化措施\n一、总则\n1. 企业开办全流程0.5个工作日办结。\n牵头单位：市市场监管局\n"
          "2. 企业迁移登记1个工作日办结。\n",
    "xa-2": "西安市不动产登记便利化措施\n一、登记\n1. 不动产转移登记3个工作日办结。\n牵头单位：市资源规划局\n"
            "2. 抵押登记2个工作日办结。\n",
    # split into xa-3 (the letter), xa-3-p1, xa-3-p2 and its sub-plans xa-3-p2-01, xa-3-p2-02
    "xa-3": "西安市关于印发两个行动方案的通知\n各区县人民政府：现将两个行动方案印发给你们，请认真贯彻落实。\n"
            "西安市优化营商环境行动方案\n一、目标\n1. 企业开办时间压缩至0.5个工作日。\n"
            "西安市营商环境指标提升行动方案\n一、任务\n1. 各指标牵头单位制定提升方案。\n"
            "方案一\n“开办企业”指标提升方案\n1. 开办企业1个工作日办结。\n"
            "方案二\n“获得电力”指标提升方案\n1. 低压小微企业用电报装3个工作日办结。\n",
}

# Texts to add: (file name, region, text). Each is a different document (the library refuses
# the same bytes twice).
POOL = (
    ("咸阳纳税.txt", "咸阳", "咸阳市纳税服务措施\n一、办税\n1. 增值税留抵退税5个工作日办结。\n牵头单位：市税务局\n"),
    ("西安用水.txt", "西安", "西安市用水报装措施\n一、报装\n1. 用水报装4个工作日办结。\n2. 无外线工程的免费接入。\n"),
    ("咸阳用电.txt", "咸阳", "咸阳市用电报装措施\n一、报装\n1. 低压用电报装2个工作日办结。\n牵头单位：国网咸阳供电公司\n"),
    ("陕西招标.txt", "陕西", "陕西省招标投标措施\n一、招标\n1. 招标文件公示不少于5日。\n2. 保证金退还不超过5日。\n"),
    ("西安纠纷.txt", "西安", "西安市商事纠纷调解措施\n一、调解\n1. 商事调解30日内结案。\n牵头单位：市司法局\n"),
)


def tiny_corpus(root: Path, **update: object) -> Settings:
    """The corpus under `root/corpus`, its index under `root/index`, built (the embedder trained
    on it: a second or two)."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "documents.toml").write_text(MANIFEST, encoding="utf-8")
    for doc_id, text in TEXTS.items():
        (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index", data_dir=root / "data").model_copy(update=update)
    build_index(settings, full=True)
    return settings


def fixed_model(settings: Settings) -> Settings:
    """`settings` with the trained embedder used as an ordinary model folder: a full build does not
    refit it, so an incremental and a full build of the same corpus give the same vectors."""
    model = IndexStore(settings.index_dir).models / read_manifest(settings.index_dir)["embedder_folder"]
    return settings.model_copy(update={"embedding_model": str(model)})
