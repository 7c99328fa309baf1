"""Reads for data entry: which frameworks, regions and indicators a user fills in, the entry grid, completion.

What a user may touch is decided in ``accounts.permissions``; these functions only ask it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from county_innovation.accounts import permissions
from county_innovation.accounts.models import Department, Role, User
from county_innovation.collection.models import CollectionRound, ImportBatch, Submission, SubmissionEvent
from county_innovation.common.errors import DomainError
from county_innovation.common.models import DemoDataset
from county_innovation.indicators.models import DataValue, Framework, Indicator, Origin
from county_innovation.indicators.selectors import (
    data_values_for,
    framework_dimensions,
    framework_indicators,
    framework_latest,
)
from county_innovation.regions.models import Region

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
    warning: str = ""  # a rule warning on the stored value, to be explained (说明) before submitting
    comment: str = ""
    editable: bool = False
    mine: bool = False  # the user fills this indicator (it may still be locked by its submission's status)
    owner_label: str = ""  # who fills it, named on cells the user may only read
    computed: Decimal | None = None  # a formula's value, or a registry's published one (read-only rows)
    submission: Submission | None = None

    @property
    def last_year_text(self) -> str:
        return decimal_text(self.last_year)

    @property
    def computed_text(self) -> str:
        return decimal_text(self.computed)


@dataclass
class GridSection:
    name: str
    rows: list[GridRow] = field(default_factory=list)


def grid_submissions(*, region: Region, period: int, framework: Framework) -> dict[str, Submission]:
    """Owner → the region's submission in the round of ``framework`` and ``period`` (empty without a round)."""
    return {
        s.owner: s
        for s in Submission.objects.filter(
            round__framework__code=framework.code, round__period=period, region=region
        ).select_related("round", "region", "updated_by", "decided_by")
    }


def entry_grid(
    *,
    user: User,
    region: Region,
    period: int,
    framework: Framework,
    typed: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    typed_comments: dict[str, str] | None = None,
    submissions: dict[str, Submission] | None = None,
) -> list[GridSection]:
    """The indicators the user fills in for ``region`` by dimension, with this and last year's values.

    ``typed`` and ``problems`` (by indicator code) come from a refused save, so the page shows what was typed
    and the reason beside each bad cell. Rule warnings on the stored values are shown beside their cells;
    formula and registry indicators are listed read-only with their computed or published value.
    """
    from county_innovation.collection.rules import check_values

    typed = typed or {}
    typed_comments = typed_comments or {}
    problems = problems or {}
    all_indicators = framework_indicators(framework)
    # Everyone who may read the region's data sees every indicator; only the owner's cells are inputs
    # (others' are read-only with the owner named).
    if permissions.can_view_data(user, region):
        visible = {i.pk for i in all_indicators}
    else:
        visible = {i.pk for i in entry_indicators(user, framework, region)}
        visible |= {i.pk for i in all_indicators if not i.is_reported}
    values = DataValue.objects.filter(
        region=region, period__in=[period, period - 1], indicator_id__in=visible
    )
    current = {}
    previous = {}
    for dv in values.select_related("updated_by"):
        (current if dv.period == period else previous)[dv.indicator_id] = dv
    not_reported = [i for i in all_indicators if not i.is_reported]
    formulas = [i for i in not_reported if i.origin == Origin.FORMULA]
    derived = (
        data_values_for(regions=[region], period=period, indicators=not_reported) if not_reported else {}
    )
    derived_last = (
        data_values_for(regions=[region], period=period - 1, indicators=formulas) if formulas else {}
    )
    if submissions is None:
        submissions = grid_submissions(region=region, period=period, framework=framework)
    warnings: dict[str, str] = {}
    if submissions:
        codes = {i.pk: i.code for i in all_indicators}
        stored_now = {(region.code, codes[pk]): dv.value for pk, dv in current.items() if pk in codes}
        for finding in check_values(
            framework=framework, period=period, values=stored_now, regions=[region.code], stage="save"
        ):
            warnings.setdefault(finding.indicator_code, finding.message)
    sections = []
    for dimension, leaves in framework_dimensions(framework):
        section = GridSection(name=dimension.name)
        for leaf in leaves:
            indicator = leaf.indicator
            if indicator.pk not in visible:
                continue
            stored = current.get(indicator.pk)
            last = previous.get(indicator.pk)
            submission = submissions.get(indicator.owner) if indicator.is_reported else None
            entered = (
                typed[indicator.code] if indicator.code in typed else decimal_text(stored and stored.value)
            )
            if not indicator.is_reported:
                last_value = derived_last.get((region.code, indicator.code)) if last is None else last.value
                section.rows.append(
                    GridRow(
                        indicator=indicator,
                        stored=stored,
                        last_year=last_value,
                        computed=derived.get((region.code, indicator.code)),
                    )
                )
                continue
            mine = permissions.can_edit_data(user, region, indicator)
            section.rows.append(
                GridRow(
                    indicator=indicator,
                    stored=stored,
                    last_year=last.value if last else None,
                    entered=entered,
                    problem=problems.get(indicator.code, ""),
                    warning=warnings.get(indicator.code, ""),
                    comment=typed_comments.get(indicator.code, stored.comment if stored else ""),
                    editable=mine and submission is not None and submission.editable,
                    mine=mine,
                    owner_label=permissions.indicator_owner_label(indicator, region),
                    submission=submission,
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
    comments: dict[tuple[str, str], str] = field(default_factory=dict)  # the stored 说明 of each value
    statuses: dict[str, str] = field(
        default_factory=dict
    )  # region code → its submissions' states, in Chinese
    locked: set[str] = field(
        default_factory=set
    )  # regions whose submissions of these indicators are all closed


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
        "region_id", "indicator__code", "value", "comment"
    )
    owners = {i.owner for i in indicators}
    statuses: dict[str, list[Submission]] = {}
    for s in Submission.objects.filter(
        round__framework__code=framework.code, round__period=period, region__in=regions, owner__in=owners
    ).order_by("owner"):
        statuses.setdefault(s.region_id, []).append(s)
    return TemplateData(
        framework=framework,
        period=period,
        regions=regions,
        indicators=indicators,
        values={(r, i): v for r, i, v, _ in rows},
        comments={(r, i): c for r, i, _, c in rows if c},
        user=user,
        demo=DemoDataset.objects.exists(),
        statuses={
            code: "、".join(dict.fromkeys(s.get_status_display() for s in subs))
            for code, subs in statuses.items()
        },
        locked={code for code, subs in statuses.items() if not any(s.editable for s in subs)},
    )


def import_batches(*, user: User, framework: Framework, period: int, limit: int = 10) -> list[ImportBatch]:
    """The user's latest accepted imports for a framework and period."""
    return list(
        ImportBatch.objects.filter(imported_by=user, framework__code=framework.code, period=period)
        .select_related("framework")
        .order_by("-imported_at")[:limit]
    )


# --- rounds, submissions, reporting rate ------------------------------------------------------------------


def rounds_visible(user: User) -> QuerySet[CollectionRound]:
    if not permissions.can_view_round(user):
        return CollectionRound.objects.none()
    return CollectionRound.objects.select_related("framework").order_by("-period", "framework__code")


def submissions_visible(user: User, round_: CollectionRound) -> QuerySet[Submission]:
    """The round's submissions inside the user's region subtree (a department: its own and none other)."""
    qs = round_.submissions.select_related("region", "submitted_by", "decided_by")
    root = permissions.scope_root(user)
    if root is None:
        return qs.none()
    qs = qs.filter(region__code__startswith=root.prefix)
    if user.role == Role.DEPARTMENT:
        qs = qs.filter(owner=user.department)
    return qs.order_by("region_id", "owner")


def submissions_to_review(user: User, round_: CollectionRound) -> list[Submission]:
    return [
        s
        for s in submissions_visible(user, round_).filter(status=Submission.Status.SUBMITTED)
        if permissions.can_approve(user, s)
    ]


@dataclass
class RateRow:
    """Reporting rate of one group of submissions (a county with its towns, or a department)."""

    label: str
    total: int = 0
    submitted: int = 0  # submitted, approved or locked: the data has been handed in
    approved: int = 0
    on_time: int = 0
    late: list[Submission] = field(default_factory=list)
    own: Submission | None = None  # a county's own submission (its own indicators), shown with its state

    @property
    def complete_pct(self) -> float:
        return round(100 * self.submitted / self.total, 1) if self.total else 0.0

    @property
    def on_time_pct(self) -> float:
        return round(100 * self.on_time / self.total, 1) if self.total else 0.0


HANDED_IN = {Submission.Status.SUBMITTED, Submission.Status.APPROVED, Submission.Status.LOCKED}


def _first_submitted(round_: CollectionRound) -> dict[int, object]:
    """Submission id → when it was first submitted (a returned and resubmitted one counts from its first)."""
    rows = (
        SubmissionEvent.objects.filter(submission__round=round_, action=SubmissionEvent.Action.SUBMIT)
        .values("submission_id")
        .annotate(first=Min("at"))
    )
    return {r["submission_id"]: r["first"] for r in rows}


def round_progress(round_: CollectionRound, submissions: list[Submission] | None = None) -> dict:
    """Reporting rate per county (its own and its towns' submissions) and per department, the overall rate,
    and the submissions that are late (not handed in by the deadline, or handed in after it)."""
    subs = submissions if submissions is not None else list(round_.submissions.select_related("region"))
    first = _first_submitted(round_)
    deadline_end = timezone.make_aware(
        dt.datetime.combine(round_.deadline + dt.timedelta(days=1), dt.time.min)
    )
    overdue = timezone.now() >= deadline_end
    counties = {
        r.code[:6]: r.name
        for r in Region.objects.filter(level=Region.Level.COUNTY, code__in={s.region_id[:6] for s in subs})
    }
    by_county: dict[str, RateRow] = {}
    by_department: dict[str, RateRow] = {}
    overall = RateRow(label="全部")
    late: list[Submission] = []
    for s in subs:
        if s.owner:
            row = by_department.setdefault(s.owner, RateRow(label=Department(s.owner).label))
        else:
            key = s.region_id[:6]
            row = by_county.setdefault(key, RateRow(label=counties.get(key, key)))
            if s.region_id == key:
                row.own = s
        handed_in = s.status in HANDED_IN
        when = first.get(s.pk)
        on_time = when is not None and when < deadline_end
        is_late = (when is not None and not on_time) or (when is None and overdue)
        for target in (row, overall):
            target.total += 1
            target.submitted += handed_in
            target.approved += s.status in {Submission.Status.APPROVED, Submission.Status.LOCKED}
            target.on_time += on_time
        if is_late:
            row.late.append(s)
            late.append(s)
    return {
        "overall": overall,
        "counties": [by_county[k] for k in sorted(by_county)],
        "county_own": any(row.own for row in by_county.values()),
        "departments": [by_department[k] for k in sorted(by_department)],
        "late": late,
        "overdue": overdue,
    }


def round_reporting_rate(framework: Framework, period: int) -> dict | None:
    """The reporting rate of the round of ``framework`` and ``period`` (for bulletins): complete and on-time %."""
    from county_innovation.collection.workflow import round_for

    round_ = round_for(framework, period)
    if round_ is None:
        return None
    overall = round_progress(round_)["overall"]
    return {
        "round": round_.title,
        "total": overall.total,
        "complete_pct": overall.complete_pct,
        "on_time_pct": overall.on_time_pct,
    }


@dataclass
class ReviewRow:
    """One value on the reviewer's submission page, beside last year's and the warning still unexplained."""

    indicator: Indicator
    stored: DataValue | None
    last_year: Decimal | None
    warning: str = ""  # a rule warning on the value with no 说明 written yet

    @property
    def last_year_text(self) -> str:
        return decimal_text(self.last_year)

    @property
    def value_text(self) -> str:
        return decimal_text(self.stored.value if self.stored else None)


def submission_review_rows(submission: Submission) -> list[ReviewRow]:
    """The submission's values with last year's value and each unexplained rule warning (the reviewer's page);
    a warning whose value carries an explanation (说明) is not shown again."""
    from county_innovation.collection.rules import check_values
    from county_innovation.collection.workflow import owner_indicators

    round_ = submission.round
    framework, period, region = round_.framework, round_.period, submission.region
    indicators = owner_indicators(framework, submission.owner)
    current, previous = {}, {}
    for dv in DataValue.objects.filter(
        region=region, period__in=[period, period - 1], indicator__in=indicators
    ).select_related("updated_by"):
        (current if dv.period == period else previous)[dv.indicator_id] = dv
    codes = {i.pk: i.code for i in framework_indicators(framework)}
    stored = {
        (region.code, codes[dv.indicator_id]): dv.value
        for dv in DataValue.objects.filter(region=region, period=period, indicator_id__in=list(codes))
    }
    warnings: dict[str, str] = {}
    for finding in check_values(
        framework=framework, period=period, values=stored, regions=[region.code], stage="save"
    ):
        if finding.severity != "error":
            warnings.setdefault(finding.indicator_code, finding.message)
    rows = []
    for i in indicators:
        dv = current.get(i.pk)
        explained = bool(dv and dv.comment.strip())
        rows.append(
            ReviewRow(
                indicator=i,
                stored=dv,
                last_year=previous[i.pk].value if i.pk in previous else None,
                warning="" if explained else warnings.get(i.code, ""),
            )
        )
    return rows


def submission_events(submission: Submission) -> QuerySet[SubmissionEvent]:
    return submission.events.select_related("actor").order_by("at", "pk")


def value_history(*, region: Region, period: int, indicator: Indicator) -> list:
    """Every recorded state of one value, newest first: who, when, through which channel, why."""
    return list(
        DataValue.history.filter(region=region, period=period, indicator=indicator)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
