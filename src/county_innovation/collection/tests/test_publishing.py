"""Registry indicators: the enterprise registry publishes its counts per town and county through the one
publishing interface; nobody types them; a published year is locked."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from county_innovation.collection.publishing import registries
from county_innovation.collection.services.publishing import registries_refresh, registry_publish
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.enterprises.models import Enterprise, Qualification
from county_innovation.enterprises.publishing import enterprise_figures
from county_innovation.enterprises.services import enterprise_create, qualification_add
from county_innovation.indicators.models import DataValue
from county_innovation.regions.models import Region

pytestmark = pytest.mark.django_db
PERIOD = 2025


@pytest.fixture
def empty_town():
    """A town with no demo enterprise, so its figures below are counted by hand."""
    used = set(Enterprise.objects.values_list("town_id", flat=True))
    return (
        Region.objects.filter(level="town", code__startswith="3601")
        .exclude(code__in=used)
        .order_by("code")[0]
    )


def firm(town: Region, code: str, name: str) -> Enterprise:
    return enterprise_create(
        actor=system("测试"), credit_code=code, name=name, town=town, founded=dt.date(2012, 5, 1)
    )


def value(region: str, code: str, period: int = PERIOD) -> Decimal | None:
    dv = DataValue.objects.filter(region_id=region, indicator__code=code, period=period).first()
    return dv.value if dv else None


def test_enterprises_are_registered_as_a_registry():
    assert "enterprises" in registries()


def test_counts_are_of_qualifications_valid_on_31_december(empty_town):
    county = empty_town.code[:6]
    before = enterprise_figures(PERIOD).get((county, "reg_hightech"), 0)
    a = firm(empty_town, "914403001922038216", "甲科技")
    b = firm(empty_town, "91110108551385082Q", "乙科技")
    # valid through 31 December: counted; ended on 30 December: not counted; starts next year: not counted
    qualification_add(
        actor=system("测试"),
        enterprise=a,
        kind="hightech",
        number="GR202336000001",
        valid_from=dt.date(2023, 11, 1),
    )
    Qualification.objects.filter(enterprise=a).update(valid_to=dt.date(2025, 12, 31))
    qualification_add(
        actor=system("测试"),
        enterprise=b,
        kind="hightech",
        number="GR202236000002",
        valid_from=dt.date(2022, 12, 31),
        valid_to=dt.date(2025, 12, 30),
    )
    qualification_add(
        actor=system("测试"),
        enterprise=b,
        kind="tech_sme",
        number="2026360100A0001",
        valid_from=dt.date(2026, 1, 5),
        valid_to=dt.date(2026, 12, 31),
    )
    figures = enterprise_figures(PERIOD)
    town = empty_town.code
    assert figures[(town, "town_reg_hightech")] == 1
    assert figures[(town, "town_reg_tech_sme")] == 0
    assert figures[(town, "town_reg_rd_expense")] == 0
    assert figures[(county, "reg_hightech")] == before + 1
    # a county's figure is the sum of its towns'
    for key in ("hightech", "tech_sme", "gazelle", "unicorn", "rd_expense"):
        towns = sum(v for (r, k), v in figures.items() if k == f"town_reg_{key}" and r.startswith(county))
        assert figures[(county, f"reg_{key}")] == towns


def test_publishing_writes_values_nobody_typed_and_keeps_them_in_history(empty_town, users):
    a = firm(empty_town, "914403001922038216", "甲科技")
    qualification_add(
        actor=system("测试"),
        enterprise=a,
        kind="tech_sme",
        number="2025360100A0009",
        valid_from=dt.date(2025, 3, 1),
    )
    reports = registries_refresh(period=PERIOD, actor=users["city_admin"])
    assert reports[0].created > 0
    dv = DataValue.objects.get(region=empty_town, indicator__code="town_reg_tech_sme", period=PERIOD)
    assert dv.value == 1 and dv.channel == "registry" and dv.status == "approved"
    assert value(empty_town.code[:6], "reg_tech_sme") >= 1
    # a second publication with nothing changed changes nothing
    again = registries_refresh(period=PERIOD, actor=users["city_admin"])[0]
    assert again.created == again.updated == again.removed == 0
    assert dv.history.count() == 1 and dv.history.first().history_change_reason == "名录发布：enterprises"


def test_a_value_the_registry_no_longer_publishes_is_removed(empty_town):
    registry_publish(
        registry="enterprises",
        period=PERIOD,
        values={(empty_town.code, "town_reg_unicorn"): Decimal(2)},
        actor=system("测试"),
    )
    report = registry_publish(registry="enterprises", period=PERIOD, values={}, actor=system("测试"))
    assert report.removed == 1
    assert value(empty_town.code, "town_reg_unicorn") is None
    assert DataValue.history.filter(region=empty_town, indicator__code="town_reg_unicorn").count() == 2


def test_bad_publications_are_refused_whole(empty_town):
    with pytest.raises(DomainError) as refused:
        registry_publish(
            registry="enterprises",
            period=PERIOD,
            values={
                (empty_town.code, "town_reg_hightech"): Decimal(1),
                (empty_town.code, "reg_hightech"): Decimal(1),  # a county indicator for a town
                ("999999999", "town_reg_hightech"): Decimal(1),
                (empty_town.code, "town_tech_smes"): Decimal(1),  # a reported indicator
            },
            actor=system("测试"),
        )
    problems = refused.value.problems
    assert any("不是县（区）级区划" in p for p in problems)
    assert any("区划代码「999999999」不存在" in p for p in problems)
    assert any("town_tech_smes" in p and "不是名录" in p for p in problems)
    assert value(empty_town.code, "town_reg_hightech") is None


def test_a_locked_year_is_not_republished(empty_town):
    registry_publish(
        registry="enterprises",
        period=PERIOD,
        values={(empty_town.code, "town_reg_hightech"): Decimal(1)},
        actor=system("测试"),
    )
    DataValue.objects.filter(region=empty_town, period=PERIOD).update(status="locked")
    with pytest.raises(DomainError) as refused:
        registry_publish(
            registry="enterprises",
            period=PERIOD,
            values={(empty_town.code, "town_reg_hightech"): Decimal(3)},
            actor=system("测试"),
        )
    assert "已随填报任务发布锁定" in refused.value.problems[0]
    assert value(empty_town.code, "town_reg_hightech") == 1


def test_the_command_publishes_and_reports_refusals(empty_town, capsys):
    a = firm(empty_town, "914403001922038216", "甲科技")
    call_command("registry", "publish", "--period", str(PERIOD))
    assert "enterprises 2025年" in capsys.readouterr().out
    assert value(empty_town.code, "town_reg_hightech") == 0
    DataValue.objects.filter(indicator__registry="enterprises", period=PERIOD).update(status="locked")
    qualification_add(
        actor=system("测试"),
        enterprise=a,
        kind="hightech",
        number="GR202536000003",
        valid_from=dt.date(2025, 1, 1),
    )
    with pytest.raises(CommandError, match="名录指标未发布"):
        call_command("registry", "publish", "--period", str(PERIOD))
    assert value(empty_town.code, "town_reg_hightech") == 0


def test_a_framework_version_uses_the_registry_counts_without_anyone_typing_them(users):
    from county_innovation.evaluation.selectors import evaluation_input
    from county_innovation.indicators.selectors import framework_latest
    from county_innovation.indicators.services import framework_new_version

    town_fw = framework_latest("town")
    actors = town_fw.nodes.get(code="actors")
    new = framework_new_version(
        framework=town_fw,
        actor=users["city_admin"],
        removed_indicators=["town_hightech_enterprises"],
        added_indicators={"town_reg_hightech": actors.code},
        note="高企数改由名录统计",
    )
    registries_refresh(period=PERIOD, actor=system("测试"))
    published = dict(
        DataValue.objects.filter(indicator__code="town_reg_hightech", period=PERIOD).values_list(
            "region_id", "value"
        )
    )
    frame = evaluation_input(framework=new, scope=Region.objects.get(code="360100"), period=PERIOD)
    assert "town_reg_hightech" in frame.columns and "town_hightech_enterprises" not in frame.columns
    for region, count in published.items():
        assert frame.at[region, "town_reg_hightech"] == float(count)
    assert sum(published.values()) > 0  # the demo registry has valid 高企 at the end of 2025
