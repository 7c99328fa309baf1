"""Reads of designations, funding and targets for the pages, the API and other apps (county profiles).

``county_designations`` and ``county_task_progress`` are called by the county profile; keep their signatures.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from county_innovation.accounts.models import Role, User
from county_innovation.accounts.permissions import is_city_admin, scope_root
from county_innovation.designation.models import (
    HELD_STATUSES,
    PENDING_STATUSES,
    Designation,
    ExpertReview,
    Funding,
    Level,
)
from county_innovation.regions.models import Region


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
    from county_innovation.supervision.selectors import item_progress_rows

    return [
        {"task": r.label, "deadline": r.deadline, "percent": r.percent, "overdue": r.overdue}
        for r in item_progress_rows(region=county)
    ]


# --- Scope ---------------------------------------------------------------------------------------------------


def designations_visible_to(user: User) -> QuerySet[Designation]:
    """The city admin sees every application; a county officer its county's; a town officer its own town's;
    an expert only the applications assigned to them. Everyone signed in sees decided designations."""
    qs = Designation.objects.select_related("region", "county")
    if not user.is_authenticated:
        return qs.none()
    if is_city_admin(user):
        return qs
    public = Q(status__in=[*HELD_STATUSES, Designation.Status.FAILED, Designation.Status.REVOKED])
    if user.role == Role.EXPERT:
        return qs.filter(public | Q(reviews__expert=user)).distinct()
    root = scope_root(user)
    if root is not None and user.role in {Role.COUNTY, Role.TOWN}:
        return qs.filter(public | Q(region__code__startswith=root.prefix))
    return qs.filter(public)


def review_of(designation: Designation, user: User) -> ExpertReview | None:
    return designation.reviews.filter(expert=user).first()


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
    from django.utils import timezone

    return timezone.localdate()
