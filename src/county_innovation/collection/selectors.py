"""Reads of data collection: which frameworks, regions and indicators a user fills in, the entry grid, the
rounds and their submissions, completion and reporting rates, what stops a submission, value histories.

What a user may see or touch is decided in ``collection.policies``; these functions only ask it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from county_innovation.accounts.models import Department, User
from county_innovation.accounts.permissions import indicator_owner_label, scope_root, scoped_regions
from county_innovation.collection import policies
from county_innovation.collection.models import CollectionRound, ImportBatch, Submission, SubmissionEvent
from county_innovation.collection.rules import check_values
from county_innovation.common.actors import is_system
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

Action = SubmissionEvent.Action

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


def period_check(period: int) -> None:
    """Refuse a year outside the collected range with a sentence saying the range."""
    if not period_is_valid(period):
        raise DomainError(f"年度 {period} 不在可填报范围内（{PERIOD_FIRST}–{period_last()} 年）。")


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
    region = region or scope_root(user)
    if region is None:
        return []
    return [i for i in framework_indicators(framework) if policies.data.can_edit(user, region, i)]


def entry_regions(user: User, framework: Framework) -> QuerySet[Region]:
    """Regions at the framework's level inside the user's scope, in code order."""
    return scoped_regions(user, Region.objects.filter(level=framework.level)).order_by("code")


def decimal_text(value: Decimal | None) -> str:
    """A stored Decimal as a person would type it: 300.000000 → "300", 2.500000 → "2.5"."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


# --- rounds, their indicators and owners -------------------------------------------------------------------


def round_for(framework: Framework, period: int) -> CollectionRound | None:
    """The round collecting ``framework``'s indicators (any version of its code) for ``period``."""
    return (
        CollectionRound.objects.filter(framework__code=framework.code, period=period)
        .select_related("framework")
        .first()
    )


def reported_indicators(framework: Framework) -> list[Indicator]:
    """The indicators people type in; formula and registry indicators are never collected."""
    return [i for i in framework_indicators(framework) if i.is_reported]


def owners_of(framework: Framework) -> list[str]:
    """The owners a region's indicators are split into: the region itself ("") and each department."""
    return sorted({i.owner for i in reported_indicators(framework)})


def owner_indicators(framework: Framework, owner: str) -> list[Indicator]:
    return [i for i in reported_indicators(framework) if i.owner == owner]


def round_submissions(round_: CollectionRound) -> QuerySet[Submission]:
    return round_.submissions.select_related("region", "round__framework", "submitted_by", "decided_by")


def submission_values(submission: Submission) -> QuerySet[DataValue]:
    return DataValue.objects.filter(
        region=submission.region,
        period=submission.round.period,
        indicator__in=owner_indicators(submission.round.framework, submission.owner),
    )


def submission_missing_problems(submission: Submission) -> list[str]:
    """What stops a submission from being submitted: rule errors, and warnings without an explanation."""
    framework = submission.round.framework
    indicators = owner_indicators(framework, submission.owner)
    stored = {dv.indicator_id: dv for dv in submission_values(submission)}
    values = {
        (submission.region.code, i.code): (stored[i.pk].value if i.pk in stored else None) for i in indicators
    }
    comments = {i.code: (stored[i.pk].comment if i.pk in stored else "") for i in indicators}
    problems = []
    for finding in check_values(
        framework=framework, period=submission.round.period, values=values, stage="submit"
    ):
        if finding.indicator_code not in comments:
            continue  # a rule about another owner's indicator is that owner's to answer
        if finding.severity == "error":
            problems.append(finding.message)
        elif not comments[finding.indicator_code].strip():
            hint = "" if "说明" in finding.message else "；请在该指标的「说明」中写明原因后再提交"
            problems.append(finding.message + hint)
    return problems


def approval_conflict(user, submission: Submission) -> str | None:
    """Why ``user`` may not approve ``submission`` under separation of duties, or None.

    The approver is never the person who submitted it nor one who entered or imported its values since it
    was last sent back (returned or reopened): four eyes on every approved figure. A deployment with one
    officer per county may switch the rule off (``settings.SEPARATE_APPROVAL``).
    """
    if not settings.SEPARATE_APPROVAL or is_system(user):
        return None
    if submission.submitted_by_id == user.pk:
        did = "提交"
    else:
        events = list(submission.events.order_by("-at", "-pk").values_list("action", "actor_id"))
        cycle = []
        for action, actor in events:
            if action in (Action.RETURN, Action.REOPEN):
                break
            cycle.append((action, actor))
        if not any(a in (Action.SAVE, Action.IMPORT) and actor == user.pk for a, actor in cycle):
            return None
        did = "填报（录入或导入）"
    return (
        f"「{submission.region.name}」（{submission.owner_label}）的这份数据由您本人{did}，"
        "按审核与填报分离（不相容岗位分离）的规定，不能由您本人审核通过：请由本单位另一名有审核权限的人员审核；"
        "如确需更正，可退回后由填报人修改重新提交。"
    )


def open_round(framework: Framework, period: int) -> CollectionRound:
    """The round values of ``framework`` and ``period`` may be written into, or a DomainError saying why not."""
    period_check(period)
    round_ = round_for(framework, period)
    if round_ is None:
        raise DomainError(
            f"{period}年度「{framework.name}」尚未发布填报任务，暂不能填报或导入数据；"
            "请等待市科技局发布填报任务。"
        )
    if round_.status != CollectionRound.Status.OPEN:
        raise DomainError(
            f"填报任务「{round_.title}」{round_.get_status_display()}，不能再填报或修改数据；"
            "如确需更正，请联系市科技局。"
        )
    if timezone.localdate() < round_.opens_on:
        raise DomainError(f"填报任务「{round_.title}」将于 {round_.opens_on:%Y-%m-%d} 开始，目前还不能填报。")
    return round_


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
    typed = typed or {}
    typed_comments = typed_comments or {}
    problems = problems or {}
    all_indicators = framework_indicators(framework)
    # Everyone who may read the region's data sees every indicator; only the owner's cells are inputs
    # (others' are read-only with the owner named).
    if policies.data.can_view(user, region):
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
            mine = policies.data.can_edit(user, region, indicator)
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
                    owner_label=indicator_owner_label(indicator, region),
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


def template_data_for(
    *, user: User, framework: Framework, period: int, region: Region | None = None
) -> TemplateData:
    """The template's content for the user's scope, or for ``region``'s part of it (a county's towns); when
    the round of ``framework`` and ``period`` exists, only the regions taking part in it.

    The caller has checked that ``region`` is in the user's scope; a region without any row of the
    framework's level (a town asked for the county template) is refused with a sentence saying so.
    """
    data = template_data(user=user, framework=framework, period=period)
    round_ = round_for(framework, period)
    if round_ is not None:  # only the regions the round asks for: others' rows would be refused on import
        taking_part = set(round_.regions.values_list("code", flat=True))
        data.regions = [r for r in data.regions if r.code in taking_part]
    rows = data.regions if region is None else [r for r in data.regions if r.code.startswith(region.prefix)]
    if not rows and region is not None:
        raise DomainError(
            f"「{region.name}」没有{framework.get_level_display()}级区划需要填报「{framework.name}」，"
            "请选择其所属的县（区）或下级乡镇。"
        )
    if not rows:
        raise DomainError(
            f"{period}年度的填报任务中没有您管辖范围内的{framework.get_level_display()}级区划。"
        )
    codes = {r.code for r in rows}
    data.regions = rows
    data.values = {key: value for key, value in data.values.items() if key[0] in codes}
    data.comments = {key: text for key, text in data.comments.items() if key[0] in codes}
    return data


def import_batches(*, user: User, framework: Framework, period: int, limit: int = 10) -> list[ImportBatch]:
    """The user's latest accepted imports for a framework and period."""
    return list(
        ImportBatch.objects.filter(imported_by=user, framework__code=framework.code, period=period)
        .select_related("framework")
        .order_by("-imported_at")[:limit]
    )


# --- rounds, submissions, reporting rate ------------------------------------------------------------------


def rounds_visible(user: User) -> QuerySet[CollectionRound]:
    rounds = CollectionRound.objects.select_related("framework").order_by("-period", "framework__code")
    return policies.rounds.restrict(user, "view", rounds)


def submissions_visible(user: User, round_: CollectionRound) -> QuerySet[Submission]:
    """The round's submissions inside the user's region subtree (a department: its own and none other)."""
    qs = round_.submissions.select_related("region", "submitted_by", "decided_by")
    return policies.submissions.restrict(user, "track", qs).order_by("region_id", "owner")


def submissions_to_review(user: User, round_: CollectionRound) -> list[Submission]:
    return list(
        policies.submissions.restrict(
            user, "approve", submissions_visible(user, round_).filter(status=Submission.Status.SUBMITTED)
        )
    )


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
