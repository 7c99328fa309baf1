"""The enterprise registry's figures per town and county and year, published as registry indicators.

Counts are of qualifications valid on 31 December of the year (a 高企 certificate or a 科小 registration whose
validity covers that day; 瞪羚 and 独角兽 recognitions likewise); the R&D total sums the year's reported R&D
expense of the registered enterprises. A county's figure is the sum of its towns'. An enterprise deregistered
(注销) on or before 31 December of the year no longer counts for that year (``models.active_in``); the figures
of earlier years still count it.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from county_innovation.enterprises.models import (
    Enterprise,
    EnterpriseYear,
    Qualification,
    QualificationKind,
    active_in,
)
from county_innovation.regions.models import Region

COUNTED = {
    QualificationKind.HIGHTECH: "hightech",
    QualificationKind.TECH_SME: "tech_sme",
    QualificationKind.GAZELLE: "gazelle",
    QualificationKind.UNICORN: "unicorn",
}


def enterprise_figures(period: int) -> dict[tuple[str, str], Decimal]:
    """{(region code, indicator code): value} for every town and county that has registered enterprises' towns
    in its subtree — zero where a region has enterprises but none counted, so a count never goes missing."""
    year_end = dt.date(period, 12, 31)
    towns: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {k: Decimal(0) for k in [*COUNTED.values(), "rd_expense"]}
    )
    rows = (
        Qualification.objects.filter(
            active_in(period, "enterprise__"),
            kind__in=COUNTED,
            valid_from__lte=year_end,
            valid_to__gte=year_end,
        )
        .values("enterprise__town_id", "kind")
        .annotate(n=Count("enterprise", distinct=True))
    )
    for row in rows:
        towns[row["enterprise__town_id"]][COUNTED[row["kind"]]] += row["n"]
    for row in (
        EnterpriseYear.objects.filter(active_in(period, "enterprise__"), year=period)
        .values("enterprise__town_id")
        .annotate(total=Sum("rd_expense"))
    ):
        towns[row["enterprise__town_id"]]["rd_expense"] += row["total"] or Decimal(0)
    for town in Enterprise.objects.values_list("town_id", flat=True).distinct():
        towns[town]
    values: dict[tuple[str, str], Decimal] = {}
    counties: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    town_levels = dict(Region.objects.filter(code__in=list(towns)).values_list("code", "level"))
    for town, figures in towns.items():
        if town_levels.get(town) != Region.Level.TOWN:
            continue
        county = town[:6]  # a town's code starts with its county's
        for key, value in figures.items():
            values[(town, f"town_reg_{key}")] = value
            counties[county][key] += value
    existing = set(
        Region.objects.filter(code__in=list(counties), level=Region.Level.COUNTY).values_list(
            "code", flat=True
        )
    )
    for county, figures in counties.items():
        if county in existing:
            for key, value in figures.items():
                values[(county, f"reg_{key}")] = value
    return values
