from assistant.ingest.facts import extract_facts
from assistant.ingest.facts.units import unit_facts


def test_fields_give_lead_and_responsible_units() -> None:
    facts = unit_facts((("牵头单位", "市人社局"), ("责任单位", "★市市场监管局、市税务局"), ("完成时限", "2023年底前")))
    assert [(f.type, f.value, f.normalized) for f in facts] == [
        ("lead_unit", "市人社局", "市人社局"),
        ("lead_unit", "市市场监管局", "市市场监管局"),
        ("responsible_unit", "市市场监管局、市税务局", "市市场监管局、市税务局"),
    ]


def test_unit_facts_come_after_the_text_facts() -> None:
    facts = extract_facts("压缩至3个工作日办结。", (("牵头单位", "市政务服务局"),), "2023-05-01")
    assert [f.type for f in facts] == ["time_limit", "lead_unit"]
