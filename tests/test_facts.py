from assistant.parsing.facts import extract_facts, extract_fields


def facts(text: str, fields=(), date="2023-04-25"):
    return [(f.type, f.value, f.normalized) for f in extract_facts(text, tuple(fields), date)]


def test_time_limit_with_before_and_after():
    got = facts("将养老保险转移办理时限由原来的45 个工作日压缩至25 个工作日。")
    assert ("time_limit", "由原来的45 个工作日压缩至25 个工作日", "45 working_days -> 25 working_days") in got


def test_plain_time_limits():
    got = facts("实现全流程“一表填报”、0.5个工作日办结；全流程 2 小时内办结。")
    normalized = [n for t, _v, n in got if t == "time_limit"]
    assert normalized == ["0.5 working_days", "<= 2 hours"]


def test_deadlines_become_iso_dates():
    got = facts("完成时限：2023 年 9 月底前；10月底前完成90%以上；2025 年底前全员持证。")
    assert ("deadline", "2023 年 9 月底前", "2023-09-30") in got
    assert ("deadline", "10月底前", "2023-10-31") in got
    assert ("deadline", "2025 年底前", "2025-12-31") in got


def test_dates_are_not_time_limits():
    assert not [f for f in facts("2023 年5 月10 日印发") if f[0] == "time_limit"]


def test_amounts_keep_their_qualifier():
    got = facts("单户企业贴息补助上限50 万元，融资担保费率不超过1%。")
    assert ("amount", "上限50 万元", "上限 50万元") in got
    assert ("amount", "不超过1%", "不超过 1%") in got


def test_departments_from_lines_and_asides():
    assert dict(extract_fields("牵头单位：市监分局\n责任单位：税务局、政务中心")) == {
        "牵头单位": "市监分局", "责任单位": "税务局、政务中心"}
    assert dict(extract_fields("延续实施免征政策。（市税务局牵头，市级相关部门按职责分工负责）"))["牵头单位"] == "市税务局"
    got = facts("x", fields=[("牵头单位", "税务局、发展运行部")])
    assert ("lead_unit", "税务局、发展运行部", "税务局、发展运行部") in got
