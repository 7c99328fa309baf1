"""Validation rules: each kind at its boundary, computed by hand; the defaults; copying; a large input."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from county_innovation.collection.models import ValidationRule
from county_innovation.collection.rules import (
    Finding,
    check_values,
    format_number,
    rules_for,
)
from county_innovation.collection.services.rules import default_rules_ensure, rules_copy
from county_innovation.common.actors import system
from county_innovation.common.protection import deletion_permitted
from county_innovation.indicators.models import DataValue, Framework, FrameworkNode, Indicator
from county_innovation.regions.models import Region

PERIOD = 2025  # the demo covers 2020–2024; checks run on the year being filled now
NANCHANG_COUNTY, JINXIAN = "360121", "360124"
D = Decimal
Kind, Severity = ValidationRule.Kind, ValidationRule.Severity


@pytest.fixture
def county(frameworks) -> Framework:
    """The county framework with no rules, whatever the demo loader gave it."""
    framework = frameworks["county"]
    with deletion_permitted("test setup"):
        ValidationRule.objects.filter(framework=framework).delete()
    return framework


@pytest.fixture
def town(frameworks) -> Framework:
    framework = frameworks["town"]
    with deletion_permitted("test setup"):
        ValidationRule.objects.filter(framework=framework).delete()
    return framework


def rule(framework: Framework, kind: str, indicator: str | None = None, **fields) -> ValidationRule:
    return ValidationRule.objects.create(
        framework=framework,
        kind=kind,
        indicator=Indicator.objects.get(code=indicator) if indicator else None,
        **fields,
    )


def store(region: str, indicator: str, value: str, period: int) -> None:
    DataValue.objects.update_or_create(
        region_id=region,
        period=period,
        indicator=Indicator.objects.get(code=indicator),
        defaults={"value": D(value)},
    )


# --- formats -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (D("12000"), "万元", "12,000 万元"),
        (D("12000.500000"), "万元", "12,000.5 万元"),
        (D("1234567.25"), "", "1,234,567.25"),
        (D("12.5"), "%", "12.5%"),
        (D("0"), "家", "0 家"),
        (3, "个", "3 个"),
    ],
)
def test_numbers_in_messages_have_thousands_separators_and_units(value, unit, text):
    assert format_number(value, unit) == text


# --- required ------------------------------------------------------------------------------------------------


def test_required_is_checked_at_submit_not_at_save(county):
    r = rule(county, Kind.REQUIRED, severity=Severity.ERROR)
    reported = [n.indicator.code for n in county.nodes.filter(indicator__isnull=False)]
    values = {(NANCHANG_COUNTY, code): D(1) for code in reported} | {
        (NANCHANG_COUNTY, "rd_expenditure"): None
    }
    assert check_values(framework=county, period=PERIOD, values=values, stage="save") == []
    findings = check_values(framework=county, period=PERIOD, values=values, stage="submit")
    assert findings == [
        Finding(NANCHANG_COUNTY, "rd_expenditure", "error", "「全社会R&D经费支出」为必填项，尚未填写", r.pk)
    ]


def test_required_counts_a_value_absent_from_the_dict_as_missing(county):
    rule(county, Kind.REQUIRED, "tech_smes")
    findings = check_values(
        framework=county, period=PERIOD, values={}, regions=[NANCHANG_COUNTY], stage="submit"
    )
    assert [(f.region_code, f.indicator_code) for f in findings] == [(NANCHANG_COUNTY, "tech_smes")]


def test_required_takes_zero_as_filled(county):
    rule(county, Kind.REQUIRED, "tech_smes")
    values = {(NANCHANG_COUNTY, "tech_smes"): D(0)}
    assert check_values(framework=county, period=PERIOD, values=values, stage="submit") == []


def test_required_skips_formula_and_registry_indicators(county):
    Indicator.objects.filter(code="tech_smes").update(origin="registry")
    rule(county, Kind.REQUIRED)
    findings = check_values(
        framework=county, period=PERIOD, values={}, regions=[NANCHANG_COUNTY], stage="submit"
    )
    codes = {f.indicator_code for f in findings}
    assert "tech_smes" not in codes and "hightech_enterprises" in codes
    assert len(codes) == 14


def test_required_reports_only_the_indicators_asked_about(county):
    rule(county, Kind.REQUIRED)
    findings = check_values(
        framework=county,
        period=PERIOD,
        values={},
        regions=[NANCHANG_COUNTY],
        stage="submit",
        indicators=["rd_tax_relief"],
    )
    assert [f.indicator_code for f in findings] == ["rd_tax_relief"]


# --- range ---------------------------------------------------------------------------------------------------


def test_range_bounds_themselves_pass(county):
    rule(county, Kind.RANGE, "rd_expenditure", min_value=D(10), max_value=D(50000))
    values = {("360121", "rd_expenditure"): D(10), ("360124", "rd_expenditure"): D(50000)}
    assert check_values(framework=county, period=PERIOD, values=values) == []


def test_range_below_minimum_and_above_maximum(county):
    r = rule(county, Kind.RANGE, "rd_expenditure", min_value=D(10), max_value=D(50000))
    values = {("360121", "rd_expenditure"): D("9.99"), ("360124", "rd_expenditure"): D("50000.01")}
    assert check_values(framework=county, period=PERIOD, values=values) == [
        Finding("360121", "rd_expenditure", "error", "「全社会R&D经费支出」9.99 万元低于下限 10 万元", r.pk),
        Finding(
            "360124",
            "rd_expenditure",
            "error",
            "「全社会R&D经费支出」50,000.01 万元超过上限 50,000 万元",
            r.pk,
        ),
    ]


def test_range_with_only_a_maximum_and_its_own_note_as_warning(county):
    rule(
        county,
        Kind.RANGE,
        "fiscal_st_share",
        max_value=D(20),
        severity=Severity.WARNING,
        message="全市最高约 15%，请核对口径",
    )
    values = {("360121", "fiscal_st_share"): D("20.5"), ("360124", "fiscal_st_share"): D("0")}
    [finding] = check_values(framework=county, period=PERIOD, values=values)
    assert finding.severity == "warning"
    assert finding.message == (
        "「本级财政科学技术支出占当年本级财政一般公共预算支出比重」20.5%超过上限 20%。全市最高约 15%，请核对口径"
    )


# --- cross ---------------------------------------------------------------------------------------------------


def cross(county, factor="1"):
    return rule(
        county,
        Kind.CROSS,
        "rd_tax_relief",
        other=Indicator.objects.get(code="rd_expenditure"),
        factor=D(factor),
    )


def test_cross_equal_to_its_bound_passes(county):
    cross(county, "0.5")
    values = {("360121", "rd_tax_relief"): D(5000), ("360121", "rd_expenditure"): D(10000)}
    assert check_values(framework=county, period=PERIOD, values=values) == []


def test_cross_over_the_other_indicator(county):
    r = cross(county)
    values = {("360121", "rd_tax_relief"): D(12000), ("360121", "rd_expenditure"): D(10000)}
    assert check_values(framework=county, period=PERIOD, values=values) == [
        Finding(
            "360121",
            "rd_tax_relief",
            "error",
            "「企业享受研发费用加计扣除优惠政策获得的税收减免额」12,000 万元超过「全社会R&D经费支出」10,000 万元（应不大于）",
            r.pk,
        )
    ]


def test_cross_with_a_factor_names_the_bound(county):
    cross(county, "0.5")
    values = {("360121", "rd_tax_relief"): D("5000.01"), ("360121", "rd_expenditure"): D(10000)}
    [finding] = check_values(framework=county, period=PERIOD, values=values)
    assert finding.message.endswith(
        "5,000.01 万元超过「全社会R&D经费支出」10,000 万元的 0.5 倍即 5,000 万元（应不大于）"
    )


def test_cross_is_skipped_while_either_value_is_empty(county):
    cross(county)
    values = {("360121", "rd_tax_relief"): D(12000), ("360121", "rd_expenditure"): None}
    assert check_values(framework=county, period=PERIOD, values=values) == []


def test_cross_is_reported_when_only_the_other_indicator_is_being_saved(county):
    cross(county)
    values = {("360121", "rd_tax_relief"): D(12000), ("360121", "rd_expenditure"): D(10000)}
    found = check_values(framework=county, period=PERIOD, values=values, indicators=["rd_expenditure"])
    assert [f.indicator_code for f in found] == ["rd_tax_relief"]
    assert check_values(framework=county, period=PERIOD, values=values, indicators=["tech_smes"]) == []


@pytest.fixture
def with_registry(county) -> Framework:
    """The county framework with the registry's 「名录企业研发费用合计」 added, as a new version could add it."""
    reg = Indicator.objects.get(code="reg_rd_expense")
    leaf = county.nodes.get(code="rd_expenditure")
    FrameworkNode.objects.create(
        framework=county, code=reg.code, name=reg.name, parent=leaf.parent, indicator=reg
    )
    with deletion_permitted("test setup"):
        DataValue.objects.filter(period=PERIOD, indicator=reg).delete()
    DataValue.objects.create(
        region_id="360121", period=PERIOD, indicator=reg, value=D(12000), channel="registry"
    )
    return county


def test_cross_with_a_registry_indicator_reads_its_published_value(with_registry):
    r = rule(with_registry, Kind.CROSS, "reg_rd_expense", other=Indicator.objects.get(code="rd_expenditure"))
    values = {("360121", "rd_expenditure"): D(10000)}
    assert check_values(framework=with_registry, period=PERIOD, values=values) == [
        Finding(
            "360121",
            "rd_expenditure",  # the value someone can correct
            "error",
            "「名录企业研发费用合计（名录）」12,000 万元超过「全社会R&D经费支出」10,000 万元（应不大于）",
            r.pk,
        )
    ]
    assert (
        check_values(framework=with_registry, period=PERIOD, values={("360121", "rd_expenditure"): D(12000)})
        == []
    )
    # no published value: nothing to compare
    assert (
        check_values(framework=with_registry, period=PERIOD, values={("360124", "rd_expenditure"): D(1)})
        == []
    )


def test_registry_indicator_only_in_cross_rules_and_not_on_both_sides(with_registry):
    from county_innovation.collection.rules_config import rule_problems

    reg = Indicator.objects.get(code="reg_rd_expense")
    assert rule_problems(
        framework=with_registry, fields={"kind": "range", "indicator": reg, "max_value": D(1)}
    ) == ["「名录企业研发费用合计（名录）」不是本体系的填报指标，不能作为指标。"]
    both = {"kind": "cross", "indicator": reg, "other": reg, "factor": D(1)}
    assert "指标 A 和对比指标 B 至少要有一个是填报指标，否则没有人能按提示改正。" in rule_problems(
        framework=with_registry, fields=both
    )


# --- change from last year -----------------------------------------------------------------------------------


@pytest.fixture
def last_year(county):
    """Last year's (PERIOD − 1) stored values: 南昌县 100, 进贤县 0, 新建区 none."""
    with deletion_permitted("test setup"):
        DataValue.objects.filter(period=PERIOD - 1, indicator__code="rd_expenditure").delete()
    store("360121", "rd_expenditure", "100", PERIOD - 1)
    store("360124", "rd_expenditure", "0", PERIOD - 1)
    return county


@pytest.mark.parametrize("new", ["150", "50", "100", "120.5"])
def test_change_of_at_most_fifty_percent_passes(last_year, new):
    rule(last_year, Kind.CHANGE, severity=Severity.WARNING, threshold=D(50))
    values = {("360121", "rd_expenditure"): D(new)}
    assert check_values(framework=last_year, period=PERIOD, values=values) == []


def test_change_just_over_fifty_percent_warns(last_year):
    r = rule(last_year, Kind.CHANGE, severity=Severity.WARNING, threshold=D(50))
    values = {("360121", "rd_expenditure"): D("150.01")}
    assert check_values(framework=last_year, period=PERIOD, values=values) == [
        Finding(
            "360121",
            "rd_expenditure",
            "warning",
            "「全社会R&D经费支出」150.01 万元较上年 100 万元增长 50.01%，超过 ±50% 的提示阈值，请核实并填写说明",
            r.pk,
        )
    ]


def test_change_downwards_says_decline(last_year):
    rule(last_year, Kind.CHANGE, threshold=D(50))
    [finding] = check_values(
        framework=last_year, period=PERIOD, values={("360121", "rd_expenditure"): D("49.99")}
    )
    assert "「全社会R&D经费支出」49.99 万元较上年 100 万元下降 50.01%，" in finding.message


def test_change_threshold_is_configurable(last_year):
    rule(last_year, Kind.CHANGE, threshold=D(10))
    values = {("360121", "rd_expenditure"): D("110")}
    assert check_values(framework=last_year, period=PERIOD, values=values) == []
    values = {("360121", "rd_expenditure"): D("110.5")}
    [finding] = check_values(framework=last_year, period=PERIOD, values=values)
    assert "增长 10.5%，超过 ±10% 的提示阈值" in finding.message


def test_change_without_threshold_uses_fifty_percent(last_year):
    rule(last_year, Kind.CHANGE)
    assert (
        check_values(framework=last_year, period=PERIOD, values={("360121", "rd_expenditure"): D(150)}) == []
    )
    assert check_values(framework=last_year, period=PERIOD, values={("360121", "rd_expenditure"): D(151)})


def test_change_is_skipped_when_last_year_is_zero_or_missing(last_year):
    rule(last_year, Kind.CHANGE, threshold=D(50))
    with deletion_permitted("test setup"):
        DataValue.objects.filter(
            region_id="360122", period=PERIOD - 1, indicator__code="rd_expenditure"
        ).delete()
    values = {("360124", "rd_expenditure"): D(1000), ("360122", "rd_expenditure"): D(1000)}
    assert check_values(framework=last_year, period=PERIOD, values=values) == []


def test_change_warns_at_save_and_keeps_its_severity_at_submit(last_year):
    rule(last_year, Kind.CHANGE, severity=Severity.ERROR, threshold=D(50))
    values = {("360121", "rd_expenditure"): D(1000)}
    [saved] = check_values(framework=last_year, period=PERIOD, values=values, stage="save")
    [submitted] = check_values(framework=last_year, period=PERIOD, values=values, stage="submit")
    assert (saved.severity, submitted.severity) == ("warning", "error")


def test_change_rule_of_one_indicator_overrides_the_framework_wide_one(last_year):
    rule(last_year, Kind.CHANGE, threshold=D(50))
    rule(last_year, Kind.CHANGE, "rd_expenditure", threshold=D(200))
    values = {("360121", "rd_expenditure"): D(250)}
    assert check_values(framework=last_year, period=PERIOD, values=values) == []


# --- outliers among peers ------------------------------------------------------------------------------------

TOWN_VALUES = [10, 10, 11, 9, 10, 10, 12, 8, 10, 100]


@pytest.fixture
def towns(town) -> list[str]:
    """Ten towns of 南昌县 with this period's 「科技型中小企业数」 stored; every other town has none."""
    with deletion_permitted("test setup"):
        DataValue.objects.filter(period=PERIOD).delete()
    codes = list(
        Region.objects.filter(level="town", code__startswith=NANCHANG_COUNTY).values_list("code", flat=True)[
            :10
        ]
    )
    for code, value in zip(codes, TOWN_VALUES, strict=True):
        store(code, "town_tech_smes", str(value), PERIOD)
    return codes


def test_outlier_by_median_and_mad(town, towns):
    # median 10; |x − 10| = 0,0,1,1,0,0,2,2,0,90 → MAD 0.5; robust z of 100 = 0.6745 × 90 / 0.5 = 121.4,
    # of 12 = 2.7 (passes); mean 19, sd 27.0 → z of 100 = 3.0 (not over 3 on its own).
    r = rule(town, Kind.OUTLIER, severity=Severity.WARNING, threshold=D(3))
    values = {(code, "town_tech_smes"): D(v) for code, v in zip(towns, TOWN_VALUES, strict=True)}
    [finding] = check_values(framework=town, period=PERIOD, values=values)
    assert (finding.region_code, finding.indicator_code, finding.rule_id) == (
        towns[-1],
        "town_tech_smes",
        r.pk,
    )
    assert finding.message == (
        "「科技型中小企业数」100 家与同级 10 个地区相比明显偏高（中位数 10 家，z 分数 3.0，稳健 z 分数 121.4），请核实"
    )


def test_outlier_peers_come_from_stored_values_of_the_other_regions(town, towns):
    rule(town, Kind.OUTLIER, threshold=D(3))
    [finding] = check_values(framework=town, period=PERIOD, values={(towns[-1], "town_tech_smes"): D(100)})
    assert finding.region_code == towns[-1]
    # Checking an ordinary town does not report the outlier next door.
    assert check_values(framework=town, period=PERIOD, values={(towns[0], "town_tech_smes"): D(10)}) == []


def test_outlier_value_being_replaced_is_judged_by_its_new_value(town, towns):
    rule(town, Kind.OUTLIER, threshold=D(3))
    assert check_values(framework=town, period=PERIOD, values={(towns[-1], "town_tech_smes"): D(11)}) == []


def test_outlier_z_score_limit_is_configurable(town, towns):
    # With the outlier replaced by 30: mean 12, sd 6.07; z of 30 = 2.97; robust 0.6745 × 20 / 0.5 = 27.
    rule(town, Kind.OUTLIER, threshold=D("2.9"))
    values = {(towns[-1], "town_tech_smes"): D(30)}
    [finding] = check_values(framework=town, period=PERIOD, values=values)
    assert "z 分数 3.0" in finding.message and "稳健 z 分数 27.0" in finding.message


def test_outlier_threshold_above_the_robust_limit_raises_it_too(town, towns):
    # robust z of 30 is 27 (see above): flagged under a threshold of 26.9, not under 27.1; z is 2.97.
    values = {(towns[-1], "town_tech_smes"): D(30)}
    r = rule(town, Kind.OUTLIER, threshold=D("26.9"))
    assert len(check_values(framework=town, period=PERIOD, values=values)) == 1
    r.threshold = D("27.1")
    r.save()
    assert check_values(framework=town, period=PERIOD, values=values) == []


def test_outlier_low_value_says_low(town, towns):
    DataValue.objects.filter(period=PERIOD, region_id=towns[-1]).update(value=D(10))
    rule(town, Kind.OUTLIER, threshold=D(3))
    [finding] = check_values(framework=town, period=PERIOD, values={(towns[0], "town_tech_smes"): D(0)})
    assert "明显偏低" in finding.message


def test_outlier_needs_five_values(town, towns):
    with deletion_permitted("test setup"):
        DataValue.objects.filter(period=PERIOD, region_id__in=towns[:7]).delete()
    rule(town, Kind.OUTLIER, threshold=D(3))
    # four values: 8, 10, 100 stored and the town checked
    assert check_values(framework=town, period=PERIOD, values={(towns[0], "town_tech_smes"): D(500)}) == []
    # five with one more town
    values = {(towns[0], "town_tech_smes"): D(500), (towns[1], "town_tech_smes"): D(9)}
    assert [f.region_code for f in check_values(framework=town, period=PERIOD, values=values)] == [towns[0]]


def test_outlier_is_skipped_when_most_peers_are_equal(town, towns):
    DataValue.objects.filter(period=PERIOD, region_id__in=towns).update(value=D(10))
    rule(town, Kind.OUTLIER, threshold=D(3))
    assert check_values(framework=town, period=PERIOD, values={(towns[0], "town_tech_smes"): D(500)}) == []


def test_outliers_on_a_large_input(town):
    """6,000 regions × 8 indicators: the planted outliers and nothing else are found."""
    rng = np.random.default_rng(7)
    codes = [i.code for i in Indicator.objects.filter(nodes__framework=town)]
    assert len(codes) == 8
    regions = [f"9{n:08d}" for n in range(6000)]
    noise = rng.uniform(900, 1100, size=(6000, 8)).round(2)  # no tails: nothing but the planted is unusual
    values = {
        (region, code): D(repr(float(noise[r, c])))
        for r, region in enumerate(regions)
        for c, code in enumerate(codes)
    }
    values[(regions[17], codes[3])] = D(5000)
    values[(regions[4242], codes[0])] = D(-2000)  # negative only to be far away; parse_value is not involved
    rule(town, Kind.OUTLIER, threshold=D(6))
    findings = check_values(framework=town, period=PERIOD, values=values)
    assert {(f.region_code, f.indicator_code) for f in findings} == {
        (regions[17], codes[3]),
        (regions[4242], codes[0]),
    }
    assert all(f.severity == "warning" for f in findings)


# --- rules_for, stage ------------------------------------------------------------------------------------------


def test_inactive_rules_are_not_applied(county):
    r = rule(county, Kind.RANGE, "rd_expenditure", max_value=D(1))
    r.active = False
    r.save()
    assert rules_for(county) == []
    assert check_values(framework=county, period=PERIOD, values={("360121", "rd_expenditure"): D(9)}) == []


def test_unknown_stage_is_a_programming_error(county):
    with pytest.raises(ValueError, match="stage"):
        check_values(framework=county, period=PERIOD, values={}, stage="approve")


# --- defaults and copies -------------------------------------------------------------------------------------


def test_default_rules_of_the_county_framework(county):
    assert default_rules_ensure(county, actor=system("测试")) == 3
    rules = {(r.kind, r.indicator_id, r.severity, r.threshold) for r in rules_for(county)}
    assert rules == {
        ("required", None, "error", None),
        ("change", None, "warning", D(50)),
        ("outlier", None, "warning", D(3)),
    }
    # The default frameworks have no GDP indicator, so no 「R&D ≤ GDP」 rule is made up.
    assert not county.validation_rules.filter(kind="cross").exists()
    assert default_rules_ensure(county, actor=system("测试")) == 0


def test_default_rules_add_rd_not_above_gdp_when_the_framework_has_gdp(county):
    gdp = Indicator.objects.create(
        code="gdp", name="地区生产总值", unit="亿元", level="county", value_kind="amount", owner="statistics"
    )
    leaf = county.nodes.get(code="rd_expenditure")
    FrameworkNode.objects.create(
        framework=county, code="gdp", name=gdp.name, parent=leaf.parent, indicator=gdp
    )
    assert default_rules_ensure(county, actor=system("测试")) == 4
    r = county.validation_rules.get(kind="cross")
    assert (r.indicator.code, r.other.code, r.factor, r.severity) == (
        "rd_expenditure",
        "gdp",
        D(10000),
        "error",
    )
    # 全社会R&D经费支出 12,000 万元 against GDP 1 亿元 = 10,000 万元
    values = {("360121", "rd_expenditure"): D(12000), ("360121", "gdp"): D(1)}
    [finding] = [f for f in check_values(framework=county, period=PERIOD, values=values) if f.rule_id == r.pk]
    assert finding.message == (
        "「全社会R&D经费支出」12,000 万元超过「地区生产总值」1 亿元（合 10,000 万元，应不大于）"
    )


def test_rules_copy_leaves_behind_rules_of_removed_indicators(county, users):
    from county_innovation.indicators.services import framework_new_version

    rule(county, Kind.REQUIRED)
    rule(county, Kind.RANGE, "tech_smes", max_value=D(500), active=False)
    rule(county, Kind.RANGE, "rd_expenditure", max_value=D(500))
    new = framework_new_version(
        framework=county, actor=users["city_admin"], removed_indicators=["rd_expenditure"]
    )
    # the new version got them through indicators' framework_version_created signal
    assert new.validation_rules.count() == 2
    with deletion_permitted("test setup"):
        ValidationRule.objects.filter(framework=new).delete()
    assert rules_copy(county, new, actor=system("测试")) == 2
    copied = {
        (r.kind, r.indicator.code if r.indicator else None, r.active) for r in new.validation_rules.all()
    }
    assert copied == {("required", None, True), ("range", "tech_smes", False)}
    assert county.validation_rules.count() == 3


@pytest.mark.parametrize("values", [{}, {("360121", "rd_expenditure"): None}])
def test_default_rules_on_empty_input(county, values):
    default_rules_ensure(county, actor=system("测试"))
    found = check_values(framework=county, period=PERIOD, values=values, regions=["360121"], stage="submit")
    assert len(found) == 15 and {f.severity for f in found} == {"error"}
    assert check_values(framework=county, period=PERIOD, values=values, stage="save") == []


def test_checks_read_rules_indicators_and_stored_values_in_a_few_queries(
    county, django_assert_max_num_queries
):
    default_rules_ensure(county, actor=system("测试"))
    values = {(code, "rd_expenditure"): D(1000) for code in ("360121", "360124", "360122")}
    with django_assert_max_num_queries(5):
        check_values(framework=county, period=PERIOD, values=values, stage="submit")


@pytest.mark.parametrize(
    "in_list_limit", [500, 1]
)  # 1: read by level and filter, as for thousands of regions
def test_only_the_regions_asked_about_are_reported(last_year, monkeypatch, in_list_limit):
    monkeypatch.setattr("county_innovation.collection.rules._IN_LIST_LIMIT", in_list_limit)
    rule(last_year, Kind.CHANGE, threshold=D(50))
    rule(last_year, Kind.RANGE, "rd_expenditure", max_value=D(500))
    store("360124", "rd_expenditure", "100", PERIOD - 1)
    values = {("360121", "rd_expenditure"): D(1000), ("360124", "rd_expenditure"): D(1000)}
    found = check_values(framework=last_year, period=PERIOD, values=values, regions=["360124", "360122"])
    assert [(f.region_code, f.indicator_code) for f in found] == [("360124", "rd_expenditure")] * 2
    everywhere = check_values(framework=last_year, period=PERIOD, values=values)
    assert [f.region_code for f in everywhere] == ["360121", "360121", "360124", "360124"]


_amounts = st.decimals(min_value=D("0"), max_value=D("1e9"), places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(st.tuples(_amounts, _amounts), min_size=9, max_size=9),
    threshold=st.sampled_from([D(10), D(50), D("33.33"), D(100)]),
)
def test_change_agrees_with_exact_decimal_arithmetic(county, pairs, threshold):
    """Float candidates confirmed in Decimal: the same warnings as computing every change exactly."""
    with deletion_permitted("test setup"):
        ValidationRule.objects.filter(framework=county).delete()
    rule(county, Kind.CHANGE, "rd_expenditure", threshold=threshold)
    counties = list(Region.objects.filter(level="county").order_by("code").values_list("code", flat=True)[:9])
    values = {}
    expected = set()
    for code, (before, now) in zip(counties, pairs, strict=True):
        store(code, "rd_expenditure", str(before), PERIOD - 1)
        values[(code, "rd_expenditure")] = now
        if before != 0 and abs(now - before) / before * 100 > threshold:
            expected.add(code)
    found = check_values(framework=county, period=PERIOD, values=values)
    assert {f.region_code for f in found} == expected
