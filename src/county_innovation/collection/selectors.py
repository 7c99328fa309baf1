"""Reads for data entry: which frameworks, regions and indicators a user fills in, the entry grid, completion.

What a user may touch is decided in ``accounts.permissions``; these functions only ask it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from county_innovation.accounts import permissions
from county_innovation.accounts.models import User
from county_innovation.collection.models import ImportBatch
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework, Indicator
from county_innovation.indicators.selectors import (
    framework_dimensions,
    framework_indicators,
    framework_latest,
)
from county_innovation.regions.models import Region
from county_innovation.web.models import DemoDataset

# The platform collects figures from the 2015 statistical year on (the 十三五 baseline).
PERIOD_FIRST = 2015
ENTRY_LEVELS = (Region.Level.COUNTY, Region.Level.TOWN)


def period_last() -> int:
    """The newest year that can be entered: the current calendar year."""
    return timezone.localdate().year


def entry_periods() -> list[int]:
    return list(range(period_last(), PERIOD_FIRST - 1, -1))


def default_period() -> int:
    """Statistics are reported for the previous year, so that is the year the pages open on."""
    return period_last() - 1


def period_is_valid(period: int) -> bool:
    return PERIOD_FIRST <= period <= period_last()


def entry_framework(level: str) -> Framework | None:
    """The framework whose indicators are collected for regions of ``level``.

    The default frameworks are coded by the level they evaluate ("county", "town"); the newest
    non-draft version decides the indicator list.
    """
    return framework_latest(level)


def entry_indicators(user: User, framework: Framework, region: Region | None = None) -> list[Indicator]:
    """The framework's indicators the user fills in (for ``region``, default: their scope's root).

    A city department sees only the indicators it owns; everyone else with scope sees all of them.
    """
    region = region or permissions.scope_root(user)
    if region is None:
        return []
    return [i for i in framework_indicators(framework) if permissions.can_edit_data(user, region, i)]


def entry_regions(user: User, framework: Framework) -> QuerySet[Region]:
    """Regions at the framework's level inside the user's scope, in code order."""
    return permissions.scoped_regions(user, Region.objects.filter(level=framework.level)).order_by("code")


def decimal_text(value: Decimal | None) -> str:
    """A stored Decimal as a person would type it: 300.000000 → "300", 2.500000 → "2.5"."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


# --- the overview page ------------------------------------------------------------------------------------


@dataclass
class RegionProgress:
    region: Region
    filled: int
    submitted: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.filled / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.submitted == self.total


@dataclass
class OverviewSection:
    framework: Framework
    indicators: list[Indicator]
    regions: list[RegionProgress]


def entry_overview(*, user: User, period: int) -> list[OverviewSection]:
    """One section per framework the user enters data for, listing each region with its completion."""
    sections = []
    for level in ENTRY_LEVELS:
        framework = entry_framework(level)
        if framework is None:
            continue
        indicators = entry_indicators(user, framework)
        regions = list(entry_regions(user, framework))
        if not indicators or not regions:
            continue
        counts = {
            row["region_id"]: row
            for row in DataValue.objects.filter(region__in=regions, period=period, indicator__in=indicators)
            .values("region_id")
            .annotate(filled=Count("id"), submitted=Count("id", filter=Q(status=DataValue.Status.SUBMITTED)))
        }
        progress = [
            RegionProgress(
                region=r,
                filled=counts.get(r.code, {}).get("filled", 0),
                submitted=counts.get(r.code, {}).get("submitted", 0),
                total=len(indicators),
            )
            for r in regions
        ]
        sections.append(OverviewSection(framework=framework, indicators=indicators, regions=progress))
    return sections


# --- the entry grid ---------------------------------------------------------------------------------------


@dataclass
class GridRow:
    indicator: Indicator
    stored: DataValue | None
    last_year: Decimal | None
    entered: str = ""  # the text in the input: the stored value, or what was typed when a save was refused
    problem: str = ""

    @property
    def last_year_text(self) -> str:
        return decimal_text(self.last_year)


@dataclass
class GridSection:
    name: str
    rows: list[GridRow] = field(default_factory=list)


def entry_grid(
    *,
    user: User,
    region: Region,
    period: int,
    framework: Framework,
    typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
) -> list[GridSection]:
    """The indicators the user fills in for ``region`` by dimension, with this and last year's values.

    ``typed`` and ``problems`` (by indicator code) come from a refused save, so the page shows what was typed
    and the reason beside each bad cell.
    """
    typed = typed or {}
    problems = problems or {}
    visible = {i.pk for i in entry_indicators(user, framework, region)}
    values = DataValue.objects.filter(
        region=region, period__in=[period, period - 1], indicator_id__in=visible
    )
    current = {}
    previous = {}
    for dv in values.select_related("updated_by"):
        (current if dv.period == period else previous)[dv.indicator_id] = dv
    sections = []
    for dimension, leaves in framework_dimensions(framework):
        section = GridSection(name=dimension.name)
        for leaf in leaves:
            indicator = leaf.indicator
            if indicator.pk not in visible:
                continue
            stored = current.get(indicator.pk)
            last = previous.get(indicator.pk)
            entered = (
                typed[indicator.code] if indicator.code in typed else decimal_text(stored and stored.value)
            )
            section.rows.append(
                GridRow(
                    indicator=indicator,
                    stored=stored,
                    last_year=last.value if last else None,
                    entered=entered,
                    problem=problems.get(indicator.code, ""),
                )
            )
        if section.rows:
            sections.append(section)
    return sections


# --- the Excel template -----------------------------------------------------------------------------------


@dataclass
class TemplateData:
    """Everything the Excel template shows: one row per region, one column per indicator, stored values."""

    framework: Framework
    period: int
    regions: list[Region]
    indicators: list[Indicator]
    values: dict[tuple[str, str], Decimal]  # (region code, indicator code) → value stored for the period
    user: User
    demo: bool


def template_data(*, user: User, framework: Framework, period: int) -> TemplateData:
    regions = list(entry_regions(user, framework))
    if not regions:
        raise DomainError(
            f"您的管辖范围内没有{framework.get_level_display()}级区划，无需下载「{framework.name}」的模板。"
        )
    indicators = entry_indicators(user, framework)
    if not indicators:
        raise DomainError(f"「{framework.name}」中没有由您负责填报的指标。")
    rows = DataValue.objects.filter(region__in=regions, period=period, indicator__in=indicators).values_list(
        "region_id", "indicator__code", "value"
    )
    return TemplateData(
        framework=framework,
        period=period,
        regions=regions,
        indicators=indicators,
        values={(r, i): v for r, i, v in rows},
        user=user,
        demo=DemoDataset.objects.exists(),
    )


def import_batches(*, user: User, framework: Framework, period: int, limit: int = 10) -> list[ImportBatch]:
    """The user's latest accepted imports for a framework and period."""
    return list(
        ImportBatch.objects.filter(imported_by=user, framework__code=framework.code, period=period)
        .select_related("framework")
        .order_by("-imported_at")[:limit]
    )
