import pytest

from assistant.ingest.facts import extract_facts, extract_fields


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
    assert ("percent", "不超过1%", "不超过 1%") in got


def test_departments_from_lines_and_asides():
    assert dict(extract_fields("牵头单位：市监分局\n责任单位：税务局、政务中心")) == {
        "牵头单位": "市监分局", "责任单位": "税务局、政务中心"}
    assert dict(extract_fields("延续实施免征政策。（市税务局牵头，市级相关部门按职责分工负责）"))["牵头单位"] == "市税务局"
    got = facts("x", fields=[("牵头单位", "税务局、发展运行部")])
    assert ("lead_unit", "税务局、发展运行部", "税务局、发展运行部") in got


def of_type(text: str, kind: str, date="2023-04-25"):
    return [(v, n) for t, v, n in facts(text, date=date) if t == kind]


def test_spans_index_the_original_text():
    text = "（一）企业可通过“陕企通”平台申报，补贴最高５０万元，电话：０２９－８６７８７８９０。"
    for f in extract_facts(text, (), "2023-04-25"):
        assert text[f.start : f.end] == f.value


# time_limit


def test_new_time_limit_units():
    got = of_type("全程7个自然日办结，材料齐全的一周内反馈，一个月内完成验收，6个月内未使用的予以注销。", "time_limit")
    assert ("7个自然日办结", "7 days") in got
    assert ("一周内", "<= 1 weeks") in got
    assert ("一个月内完成", "<= 1 months") in got
    assert ("6个月内", "<= 6 months") in got


def test_same_day_and_years_within():
    got = of_type("简易事项当日办结，即来即办；证照立等可取，并在3年之内完成迁移。", "time_limit")
    assert ("当日办结", "0 days") in got
    assert ("即来即办", "0 days") in got
    assert ("立等可取", "0 days") in got
    assert ("3年之内完成", "<= 3 years") in got


def test_years_and_bare_days_are_not_time_limits():
    assert of_type("2023年全市新增市场主体3万户，5日召开推进会，近三年内未发生安全事故。", "time_limit") == []


# deadline


def test_half_years_quarters_and_year_within():
    got = of_type("上半年完成试点，2024年三季度前全面推开，第一季度启动摸底，年内实现全覆盖。", "deadline")
    assert ("上半年", "2023-06-30") in got
    assert ("2024年三季度前", "2024-09-30") in got
    assert ("第一季度", "2023-03-31") in got
    assert ("年内", "2023-12-31") in got


def test_a_year_alone_keeps_its_precision():
    got = of_type("到2025年，基本建成智慧城市；2027年前全面完成改造；2026年底前完成验收；今年底前出台细则。", "deadline")
    assert ("到2025年", "2025") in got
    assert ("2027年前", "2027") in got
    assert ("2026年底前", "2026-12-31") in got
    assert ("今年底前", "2023-12-31") in got


def test_years_in_passing_are_not_deadlines():
    text = "2022年以来，全市累计减税降费12亿元；每年年底前报送年度报告，每年一季度前制定计划；梳理2012年至2022年间文件。"
    assert of_type(text, "deadline") == []


# amount


def test_amounts_are_money_only():
    got = of_type("居民生活用电执行0.39元/千瓦时，单个项目补助不超过200万元，贷款规模1.5亿元以上。", "amount")
    assert ("0.39元/千瓦时", "0.39元/千瓦时") in got
    assert ("不超过200万元", "不超过 200万元") in got
    assert ("1.5亿元以上", "1.5亿元 以上") in got


def test_shares_are_not_amounts():
    assert of_type("企业开办成本降低50%，费率不超过1%，增速提高3个百分点，新增15家企业。", "amount") == []


# percent


def test_percentages_with_qualifiers():
    got = of_type("网上可办率达到96%以上，担保费率不超过1%，企业综合融资成本降低50%，房产税减免30%，增速提高3个百分点。",
                  "percent")
    assert ("达到96%以上", "达到 96% 以上") in got
    assert ("不超过1%", "不超过 1%") in got
    assert ("降低50%", "降低 50%") in got
    assert ("减免30%", "减免 30%") in got
    assert ("提高3个百分点", "提高 3个百分点") in got


def test_ratios_multiples_and_tenths():
    got = of_type("财政奖补资金增长1.5倍，五成以上事项实现全程网办，百分之三十的企业享受政策。", "percent")
    assert ("增长1.5倍", "增长 1.5倍") in got
    assert ("五成以上", "50% 以上") in got
    assert ("百分之三十", "30%") in got


def test_words_with_cheng_are_not_percents():
    assert of_type("统一成立工作专班，形成长效机制，建成一批示范项目，政策一成不变。", "percent") == []


# count


def test_counts_with_classifiers():
    got = of_type("全市设立32个服务站点，培育15家示范企业，推出18项改革举措，惠及500户商户，每年开展3次检查。", "count")
    assert [n for _v, n in got] == ["32 个", "15 家", "18 项", "500 户", "3 次"]


def test_counts_with_qualifiers_and_chinese_numerals():
    got = of_type("举办招聘会50场次以上，遴选2家以上试点单位，出台十八项措施，打造两个中心，累计服务8700家企业，覆盖不少于8个行业，帮扶100余家企业。",
                  "count")
    assert ("50场次以上", ">= 50 场次") in got
    assert ("2家以上", ">= 2 家") in got
    assert ("十八项", "18 项") in got
    assert ("两个", "2 个") in got
    assert ("8700家", "8700 家") in got
    assert ("不少于8个", ">= 8 个") in got
    assert ("100余家", "> 100 家") in got


def test_not_counts():
    text = ("建设一批项目，实现一次办结，按照第3条执行，第一项措施，压缩至3个工作日，10个月内完成，提高3个百分点，"
            "执行GB 50016-2014标准，2023年5月10日印发，牢记“三个务必”，落实市委十四届三次全会精神，规范二次供水。")
    assert of_type(text, "count") == []


# phone


def test_landlines_mobiles_and_hotlines():
    got = of_type("咨询电话：029-86787890，举报电话（0931）8928000，联系电话：63918800、63918801，联系人手机13912345678。",
                  "phone")
    assert [n for _v, n in got] == ["029-86787890", "0931-8928000", "63918800", "63918801", "13912345678"]
    assert ("（0931）8928000", "0931-8928000") in got


def test_short_hotlines_only_as_hotlines():
    got = of_type("群众可拨打12345反映诉求，纳税人可通过12366纳税服务热线咨询，也可致电12368热线。", "phone")
    assert [n for _v, n in got] == ["12345", "12366", "12368"]
    assert of_type("共受理诉求12345件", "phone") == []


def test_years_amounts_and_document_numbers_are_not_phones():
    text = "2023年投资12345678元，依据陕政办发〔2023〕12366号文件，统一社会信用代码91610000123456789X，共63918800人次。"
    assert of_type(text, "phone") == []


# name


def test_quoted_platform_names():
    got = of_type("企业可通过“陕企通”APP办理，登录“秦务员”即可申报，下载“西安政策通”，依托“一网通办”平台，在“秦务员”小程序查询。",
                  "name")
    assert ("“陕企通”APP", "陕企通") in got
    assert ("“秦务员”", "秦务员") in got
    assert ("“西安政策通”", "西安政策通") in got
    assert ("“一网通办”平台", "一网通办") in got
    assert ("“秦务员”小程序", "秦务员") in got


def test_quotations_and_slogans_are_not_names():
    text = "坚持“放管服”改革，牢固树立“企业有所呼、政府有所应，努力打造一流营商环境”的理念，推行“引导式”网上立案。"
    assert of_type(text, "name") == []


# material


def test_materials_to_submit():
    got = of_type("申请人只需提交一份申请表，无需提供申请材料，免于提交住所证明材料，凭身份证即可办理。", "material")
    assert ("只需提交一份申请表", "只需提交一份申请表") in got
    assert ("无需提供申请材料", "无需提供申请材料") in got
    assert ("免于提交住所证明材料", "免于提交住所证明材料") in got
    assert ("凭身份证即可办理", "凭身份证即可办理") in got


def test_materials_need_a_submitting_verb():
    assert of_type("加快新材料产业发展，提供优质高效服务，满足企业多元需求，公布办事所需的材料清单。", "material") == []


# condition


def test_durations_recent_years_and_thresholds():
    got = of_type("劳动合同期满两年的，连续三年被评为A级纳税人，近两年未申报纳税的企业，160千瓦及以下的用户，"
                  "建筑面积500平方米以上的项目，可申请。", "condition")
    values = [v for v, _n in got]
    assert "满两年" in values
    assert "连续三年" in values
    assert "近两年未申报纳税的企业" in values
    assert "160千瓦及以下" in values
    assert "500平方米以上" in values


def test_condition_clauses():
    got = of_type("对符合条件的市场主体，给予一次性补贴；凡在本市注册的小微企业，均可申请；"
                  "属于同一区级登记机关管辖的，可合并办理。符合条件的，予以办理。", "condition")
    values = [v for v, _n in got]
    assert "对符合条件的市场主体" in values
    assert "凡在本市注册的小微企业" in values
    assert "属于同一区级登记机关管辖的" in values
    assert values.count("符合条件的") == 1  # the one inside "对符合条件的市场主体" is left to that clause


def test_not_conditions():
    assert of_type("针对企业的诉求，加强协调服务；培育15家示范企业；3个工作日内办结；贷款期限不超过3年。", "condition") == []


def test_phone_named_after_the_number():
    got = facts("畅通“8887777”投诉举报电话，及时回应企业诉求。")
    assert ("phone", "8887777", "8887777") in got
    assert not [f for f in facts("“8887777”个市场主体") if f[0] == "phone"]


def test_a_starred_unit_in_a_list_column_is_the_lead():
    got = facts("x", fields=[("责任单位 (★为牵头单位)", "★市行政审批局、市住建局")])
    assert ("lead_unit", "市行政审批局", "市行政审批局") in got
    assert ("responsible_unit", "市行政审批局、市住建局", "市行政审批局、市住建局") in got


def _of(kind: str, text: str) -> list:
    return [f for f in extract_facts(text, (), "2024-01-01") if f.type == kind]


def test_departments_and_frequencies_in_running_text_are_found_at_parse_time():
    assert [f.value for f in _of("department", "延续实施免征政策（市税务局牵头，市级相关部门按职责分工负责）")] == ["市税务局"]
    assert [f.value for f in _of("department", "（运用促进处，张三，63910000）")] == ["运用促进处"]
    assert not _of("department", "推进省内通办和跨省通办")
    assert [f.value for f in _of("frequency", "建立工单日预警、周分析、月通报机制，每季度召开专题会")] == [
        "日预警", "周分析", "月通报", "每季度"]


def test_each_table_row_names_the_unit_of_its_own_item():
    text = ("“一件事”名称：公积金贷款购房；具体事项：合同网签备案；责任单位：市住建局\n"
            "具体事项：贷款审批；责任单位：★公积金中心 人行营管部\n具体事项：抵押登记；责任单位：市资源规划局")
    facts = extract_facts(text, extract_fields(text), "2024-01-01")
    placed = [(f.type, f.value, text[f.start : f.end]) for f in facts if f.start >= 0 and f.type != "department"]
    assert ("lead_unit", "公积金中心", "公积金中心") in placed
    assert ("responsible_unit", "公积金中心 人行营管部", "公积金中心 人行营管部") in placed
    assert ("responsible_unit", "市资源规划局", "市资源规划局") in placed
    # the first row's units are the clause's fields, not placed twice
    assert [f.value for f in facts if f.start < 0 and f.type == "responsible_unit"] == ["市住建局"]
    assert not any(v == "市住建局" for _t, v, _s in placed)


@pytest.mark.parametrize(("text", "value", "normalized"), [
    ("各单位工作落实情况请于每月23日前报市政府办公厅", "每月23日前", "every month: 23"),
    ("每季度末报送工作进展", "每季度末", "every quarter: end"),
    ("每年12月底前提交书面申请", "每年12月底前", "every year: 12-end"),
    ("于3月10日、6月10日、9月10日、12月10日前将工作进展报区营商办", "3月10日、6月10日、9月10日、12月10日前",
     "each of: 03-10, 06-10, 09-10, 12-10"),
    ("落实情况于3 月、6 月、12 月书面报市职转办", "3 月、6 月、12 月", "each of: 03, 06, 12"),
])
def test_recurring_deadlines(text, value, normalized):
    assert [(f.value, f.normalized) for f in extract_facts(text, (), "2023-01-01") if f.type == "deadline"] == [
        (value, normalized)]


def test_a_month_list_alone_is_no_deadline_and_bounded_durations_are_time_limits():
    assert not [f for f in extract_facts("3月、6月开展检查", (), "2023-01-01") if f.type == "deadline"]
    limits = [(f.value, f.normalized) for f in extract_facts("租赁期限不低于5 年、不超过20 年", (), "2023-01-01")
              if f.type == "time_limit"]
    assert limits == [("不低于5 年", ">= 5 years"), ("不超过20 年", "<= 20 years")]
    assert not [f for f in extract_facts("不超过2023年", (), "2023-01-01") if f.type == "time_limit"]
    phones = [f.normalized for f in extract_facts("（电话/传真：0919－3158035）", (), "2023-01-01") if f.type == "phone"]
    assert phones == ["0919-3158035"]


def test_the_number_closing_a_contact_aside_is_a_phone():
    got = facts("推动数据共享应用。（省政务服务中心办公室，王五，88776655）")
    assert ("phone", "88776655", "88776655") in got
    assert not [f for f in facts("新增市场主体（其中企业，共计88776655）") if f[0] == "phone"]


def test_a_quoted_short_number_named_as_a_service_line_is_a_phone():
    got = facts("推广“12348”公共法律服务热线，优化接线人员。")
    assert ("phone", "12348", "12348") in got
    assert not [f for f in facts("12000户市场主体入驻平台。") if f[0] == "phone"]


def test_a_multiple_said_in_words_is_a_share():
    def multiples(text: str) -> list[tuple[str, str]]:
        return [(f.value, f.normalized) for f in extract_facts(text, (), "2022-01-01") if f.type == "percent"]

    assert multiples("2022年企业信用贷款较2021年翻倍。") == [("翻倍", "2倍")]
    assert multiples("力争到2025年外贸进出口额翻两番。") == [("翻两番", "4倍")]
    assert multiples("融资规模增长两倍。") == [("两倍", "2倍")]
    assert multiples("提高到2倍以上。")[0][1].endswith("以上")  # digits are read as before
    assert multiples("翻阅材料，番号不变。") == []
