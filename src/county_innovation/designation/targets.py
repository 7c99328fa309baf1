"""Progress against the policy targets (reads): the current count of designated units, a projection to the
deadline from the applications in the pipeline and the historical pace, and a status.

Status rules (one place): 已达成 when the designated units already reach the requirement; otherwise
按期推进 when the projection reaches it by the deadline year, else 存在风险. A target whose deadline has
passed is judged by the count at its deadline (reached later is still 存在风险, with a note).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from county_innovation.designation.models import (
    HELD_STATUSES,
    LEVEL_ORDER,
    PENDING_STATUSES,
    Designation,
    Level,
    Target,
    levels_at_least,
)
from county_innovation.regions.models import Region

ACHIEVED, ON_TRACK, AT_RISK = "已达成", "按期推进", "存在风险"
# The pace is the mean number of new designations a year over this many most recent years.
PACE_YEARS = 3
# Share of the pending applications expected to be designated (the pipeline is not yet a decision).
PIPELINE_SUCCESS = Decimal("0.8")


def _prefix(target: Target) -> str:
    return target.scope_code[:4] if target.scope_kind == Target.ScopeKind.CITY else target.scope_code[:2]


@dataclass
class TargetProgress:
    target: Target
    population: int
    population_note: str
    required: int
    current: int
    pending: int
    pace: float
    projected: float
    status: str
    history: dict[int, int] = field(default_factory=dict)  # year → designated units at year end
    note: str = ""

    @property
    def share(self) -> float | None:
        return 100.0 * self.current / self.population if self.population else None

    @property
    def projected_share(self) -> float | None:
        return 100.0 * self.projected / self.population if self.population else None

    @property
    def requirement_label(self) -> str:
        t = self.target
        if t.share is not None:
            share = format(t.share, "f")
            share = share.rstrip("0").rstrip(".") if "." in share else share
            return f"≥{share}%（{self.required}个）"
        return f"≥{t.count}个"


def _held(target: Target, prefix: str):
    return Designation.objects.filter(
        status__in=HELD_STATUSES,
        region__level=target.unit,
        region__code__startswith=prefix,
        decided_level__in=levels_at_least(target.min_level),
    )


def target_progress(target: Target, *, year: int | None = None) -> TargetProgress:
    year = year or timezone.localdate().year
    prefix = _prefix(target)
    in_system = Region.objects.filter(level=target.unit, code__startswith=prefix).count()
    if target.population:
        population, note = target.population, "按目标设定的对象总数计算"
    elif target.scope_kind == Target.ScopeKind.PROVINCE:
        population, note = in_system, "系统中只载入了本市区划，按本市对象数计算（即本市的贡献）"
    else:
        population, note = in_system, "按系统中的区划数计算"
    if target.share is not None:
        required = math.ceil(Decimal(population) * target.share / 100)
    else:
        required = target.count or 0
    first_year: dict[str, int] = {}
    for code, decided in _held(target, prefix).values_list("region_id", "decided_year"):
        if decided is not None:
            first_year[code] = min(decided, first_year.get(code, decided))
    current = sum(1 for y in first_year.values() if y <= year)
    start = min(first_year.values(), default=year)
    history = {y: sum(1 for v in first_year.values() if v <= y) for y in range(min(start, year), year + 1)}
    pending_regions = set(
        Designation.objects.filter(
            status__in=PENDING_STATUSES,
            region__level=target.unit,
            region__code__startswith=prefix,
            level__in=levels_at_least(target.min_level),
        ).values_list("region_id", flat=True)
    ) - set(first_year)
    pending = len(pending_regions)
    recent = [y for y in first_year.values() if year - PACE_YEARS < y <= year]
    pace = len(recent) / PACE_YEARS
    if target.deadline_year < year:
        at_deadline = sum(1 for y in first_year.values() if y <= target.deadline_year)
        projected = float(at_deadline)
    else:
        projected = current + float(PIPELINE_SUCCESS) * pending + pace * (target.deadline_year - year)
        projected = min(projected, float(population)) if population else projected
    note = ""
    if target.deadline_year < year:  # judged at its deadline
        status = ACHIEVED if projected >= required else AT_RISK
        if status == AT_RISK:
            note = f"{target.deadline_year}年底仅认定 {int(projected)} 个，未按期达成" + (
                f"；现已认定 {current} 个" if current >= required else ""
            )
    elif current >= required:
        status = ACHIEVED
    elif projected >= required:
        status = ON_TRACK
    else:
        status = AT_RISK
    return TargetProgress(
        target=target,
        population=population,
        population_note=note,
        required=required,
        current=current,
        pending=pending,
        pace=pace,
        projected=projected,
        status=status,
        history=history,
        note=note,
    )


def all_target_progress(*, year: int | None = None) -> list[TargetProgress]:
    return [target_progress(t, year=year) for t in Target.objects.all()]


def progress_chart(rows: list[TargetProgress], *, unit: str, year: int | None = None) -> dict | None:
    """Designated units by year against the targets of one unit (county or town) of the city scope, for the
    shared ``trend`` chart: the actual count to this year, the projection to the last deadline, the targets."""
    rows = [r for r in rows if r.target.unit == unit and r.target.scope_kind == Target.ScopeKind.CITY]
    if not rows:
        return None
    year = year or timezone.localdate().year
    first = min([min(r.history, default=year) for r in rows] + [2019])
    last = max(r.target.deadline_year for r in rows)
    years = list(range(first, max(last, year) + 1))
    base = rows[0]
    actual = [base.history.get(y) if y <= year else None for y in years]
    future = [r for r in rows if r.target.deadline_year >= year]
    projection: list[float | None] = [None] * len(years)
    if future:
        slope_end = max(future, key=lambda r: r.target.deadline_year)
        span = max(1, slope_end.target.deadline_year - year)
        for i, y in enumerate(years):
            if year <= y <= slope_end.target.deadline_year:
                projection[i] = round(
                    base.current + (slope_end.projected - base.current) * (y - year) / span, 2
                )
    series = [
        {"name": "已认定（个）", "data": actual},
        {"name": "预测（个）", "data": projection, "dashed": True},
    ]
    for r in rows:
        series.append(
            {
                "name": f"{r.target.deadline_year}年目标（{r.required}个）",
                "data": [r.required if y == r.target.deadline_year else None for y in years],
            }
        )
    label = "县（区）" if unit == Target.Unit.COUNTY else "乡（镇）"
    return {
        "title": f"市级及以上创新型{label}数量与目标",
        "periods": [str(y) for y in years],
        "series": series,
        "x_name": "年份",
        "y_name": f"创新型{label}（个）",
    }


def county_town_designations(city: Region) -> list[dict]:
    """Per county: its own highest held level, its towns, and which of them are designated (and at what level)."""
    held = (
        Designation.objects.filter(status__in=HELD_STATUSES, county__code__startswith=city.prefix)
        .select_related("region")
        .order_by("region_id")
    )
    best: dict[str, str] = {}
    for d in held:
        level = d.held_level
        if d.region_id not in best or LEVEL_ORDER[level] > LEVEL_ORDER[best[d.region_id]]:
            best[d.region_id] = level
    rows = []
    counties = Region.objects.filter(level=Region.Level.COUNTY, code__startswith=city.prefix).order_by("code")
    towns = Region.objects.filter(level=Region.Level.TOWN, code__startswith=city.prefix).order_by("code")
    by_county: dict[str, list[Region]] = {}
    for town in towns:
        by_county.setdefault(town.code[:6], []).append(town)
    for county in counties:
        own = by_county.get(county.code, [])
        designated = [(t, Level(best[t.code]).label) for t in own if t.code in best]
        rows.append(
            {
                "county": county,
                "level": Level(best[county.code]).label if county.code in best else "",
                "towns": len(own),
                "designated": designated,
                "share": 100.0 * len(designated) / len(own) if own else None,
            }
        )
    return rows
