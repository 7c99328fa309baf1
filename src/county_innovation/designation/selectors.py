"""Reads of designations, funding and targets for the pages, the API and other apps (county profiles).

``county_designations`` and ``county_task_progress`` are called by the county profile; keep their signatures.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from county_innovation.accounts.models import Role, User
from county_innovation.accounts.permissions import in_scope
from county_innovation.designation import policies
from county_innovation.designation.models import (
    BUILD_YEARS,
    HELD_STATUSES,
    PENDING_STATUSES,
    Designation,
    ExpertProfile,
    ExpertReview,
    Funding,
    Level,
)
from county_innovation.evaluation.rankings import region_page
from county_innovation.indicators.models import DataValue, FrameworkNode, Indicator
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import city_region
from county_innovation.supervision.selectors import item_progress_rows


def county_designations(county: Region) -> list[dict]:
    """The county's own and its towns' designations and applications, newest first.

    Each item: ``name`` (region), ``level_label`` (市级/省级/国家级), ``year`` (decision year, else
    application year), ``status_label``.
    """
    rows = (
        Designation.objects.filter(county__code=county.code[:6])
        .select_related("region")
        .order_by("-year", "region_id", "pk")
    )
    return [
        {
            "name": d.region.name,
            "level_label": Level(d.held_level).label,
            "year": d.decided_year or d.year,
            "status_label": d.get_status_display(),
        }
        for d in rows
    ]


def county_task_progress(county: Region) -> list[dict]:
    """Task items assigned to the county (lead or supporting): ``task``, ``deadline``, ``percent``, ``overdue``."""
    return [
        {"task": r.label, "deadline": r.deadline, "percent": r.percent, "overdue": r.overdue}
        for r in item_progress_rows(region=county)
    ]


# --- Scope ---------------------------------------------------------------------------------------------------


def designations_visible_to(user: User) -> QuerySet[Designation]:
    """The designations ``user`` may see (the rule is ``policies.designations``' "view")."""
    return policies.designations.restrict(
        user, "view", Designation.objects.select_related("region", "county")
    )


def review_of(designation: Designation, user: User) -> ExpertReview | None:
    """The user's own review of ``designation`` (only an expert has one)."""
    return policies.reviews.restrict(user, "score", designation.reviews.all()).first()


def reviews_of(user: User) -> QuerySet[ExpertReview]:
    """Every review assigned to the user (an expert), for the designation list."""
    return policies.reviews.restrict(
        user, "score", ExpertReview.objects.select_related("designation__region")
    )


def reviews_waiting_for(user: User) -> QuerySet[ExpertReview]:
    """待评审: the expert's reviews not yet scored on applications still under review, oldest first
    (for the expert's 工作台 and the designation list)."""
    return (
        policies.reviews.restrict(user, "score", ExpertReview.objects.all())
        .filter(total__isnull=True, designation__status=Designation.Status.REVIEWING)
        .select_related("designation__region", "designation__county")
        .order_by("assigned_at", "pk")
    )


def apply_regions(user: User) -> list[Region]:
    """The counties and towns of the city ``user`` may apply for."""
    qs = Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.TOWN])
    city = city_region()
    if city is not None:
        qs = qs.filter(code__startswith=city.prefix)
    return list(policies.applications.restrict(user, "apply", qs).order_by("code"))


# --- Expert pool (专家库) --------------------------------------------------------------------------------------


def expert_pool() -> QuerySet[ExpertProfile]:
    return ExpertProfile.objects.select_related("user", "home_region").order_by(
        "-user__is_active", "home_region_id", "user__display_name", "pk"
    )


def expert_county_code(profile: ExpertProfile | None) -> str | None:
    return profile.home_county_code if profile is not None else None


def experts_for(designation: Designation) -> tuple[list[User], list[tuple[User, str]]]:
    """The pool's active experts who may review ``designation``, and those excluded with the reason
    (回避: same county as the applicant; already assigned)."""
    assigned = set(designation.reviews.values_list("expert_id", flat=True))
    eligible, excluded = [], []
    for profile in expert_pool().filter(user__is_active=True, user__role=Role.EXPERT):
        expert = profile.user
        if expert.pk in assigned:
            excluded.append((expert, "已分配"))
        elif expert_county_code(profile) == designation.county_id:
            excluded.append((expert, f"来自{designation.county.name}，须回避"))
        else:
            eligible.append(expert)
    return eligible, excluded


# --- Building targets ------------------------------------------------------------------------------------------


def target_indicators(region: Region):
    """Indicators a building target may name: those of the evaluation frameworks (any version) for the
    region's level (county or town)."""
    level = "town" if region.level == Region.Level.TOWN else "county"
    used = FrameworkNode.objects.filter(framework__level=level).exclude(indicator=None)
    return Indicator.objects.filter(pk__in=used.values("indicator_id")).order_by("code")


def _on_path(target, year: int):
    """The value the target's straight path from baseline to target reaches in ``year``."""
    span = target.target_year - target.baseline_year
    share = Decimal(min(max(year - target.baseline_year, 0), span)) / Decimal(span)
    return target.baseline_value + (target.target_value - target.baseline_value) * share


def target_rows(designation: Designation, user: User) -> list[dict]:
    """The building targets with, where the user may read the region's raw values, the collected values year by
    year after the baseline, each against the straight path from baseline to target (``on_track``), and the
    latest one against the target itself (``reached``). The indicator's direction is respected (逆向: lower is
    better)."""
    targets = list(designation.targets.select_related("indicator"))
    by_indicator: dict[int, list[DataValue]] = {}
    if targets and user.is_authenticated and in_scope(user, designation.region):
        values = (
            DataValue.objects.filter(
                region=designation.region, indicator__in=[t.indicator_id for t in targets]
            )
            .exclude(status=DataValue.Status.DRAFT)
            .order_by("indicator_id", "period")
        )
        for value in values:
            by_indicator.setdefault(value.indicator_id, []).append(value)
    rows = []
    for t in targets:
        better = (lambda a, b: a <= b) if t.indicator.direction < 0 else (lambda a, b: a >= b)
        values = by_indicator.get(t.indicator_id, [])
        latest = values[-1] if values else None
        years = [
            {
                "year": v.period,
                "value": v.value,
                "expected": _on_path(t, v.period).quantize(Decimal("0.01")),
                "on_track": better(v.value, _on_path(t, v.period)),
            }
            for v in values
            if t.baseline_year < v.period <= t.target_year
        ]
        reached = better(latest.value, t.target_value) if latest is not None else None
        rows.append({"target": t, "latest": latest, "reached": reached, "years": years})
    return rows


# --- Funding -------------------------------------------------------------------------------------------------


def funding_totals(designations: QuerySet[Designation] | None = None) -> dict:
    """Totals of granted funding: by county × year, by level, and overall (Decimal 万元)."""
    qs = Funding.objects.all()
    if designations is not None:
        qs = qs.filter(designation__in=designations)
    by_county: dict[str, dict] = {}
    years: set[int] = set()
    for row in qs.values("designation__county__code", "designation__county__name", "year").annotate(
        total=Sum("amount")
    ):
        county = by_county.setdefault(
            row["designation__county__code"],
            {"code": row["designation__county__code"], "name": row["designation__county__name"], "years": {}},
        )
        county["years"][row["year"]] = row["total"]
        years.add(row["year"])
    for county in by_county.values():
        county["total"] = sum(county["years"].values(), Decimal("0"))
    by_level = {
        row["designation__decided_level"]: row["total"]
        for row in qs.values("designation__decided_level").annotate(total=Sum("amount"))
    }
    return {
        "years": sorted(years),
        "counties": sorted(by_county.values(), key=lambda c: c["code"]),
        "by_level": by_level,
        "total": qs.aggregate(total=Sum("amount"))["total"] or Decimal("0"),
    }


def held_designations(*, at_year: int | None = None) -> QuerySet[Designation]:
    qs = Designation.objects.filter(status__in=HELD_STATUSES)
    if at_year is not None:
        qs = qs.filter(decided_year__lte=at_year)
    return qs


def pending_designations() -> QuerySet[Designation]:
    return Designation.objects.filter(status__in=PENDING_STATUSES)


def today() -> datetime.date:
    return timezone.localdate()


# --- The application's page -------------------------------------------------------------------------------


def data_evaluation_of(region: Region) -> dict:
    """The region's result in the latest published evaluation of its level (county or town framework):
    index, rank among how many, dimension profile against the peers' average, and the index trend."""
    page = region_page(region=region, period=None, show_raw=False)
    if page is None:
        return {"available": False, "note": f"尚无包含「{region.name}」的已发布评价结果，数据评价待补。"}
    run = page.ranking.run
    trend_series = page.trend["series"][0]["data"] if page.trend["series"] else []
    return {
        "available": True,
        "run_id": run.pk,
        "framework": run.framework.name,
        "period": run.period,
        "index": page.row.result.index,
        "rank": page.row.result.rank,
        "units": len(page.ranking.rows),
        "dimensions": [
            {"name": d.name, "score": d.score, "average": d.average, "rank": d.rank} for d in page.dimensions
        ],
        "radar_max": page.radar_max,
        "trend": {"periods": page.trend["periods"], "index": trend_series},
        "includes_demo_data": run.includes_demo_data,
    }


def missing_report_years(designation: Designation) -> list[int]:
    """Years of the building period (one report per building year) without an annual report."""
    if designation.build_start is None:
        return []
    due = range(designation.build_start.year, designation.build_start.year + BUILD_YEARS)
    have = set(designation.build_reports.values_list("year", flat=True))
    return [y for y in due if y not in have]
