"""Reads of the enterprise registry: lists within a user's scope, expiry reminders, and the eligibility payload.

The eligibility rules live in ``engine.eligibility`` and are never repeated here: ``enterprise_payload`` turns
the registry's yearly figures into the rules' JSON contract (docs/eligibility.md), and ``enterprise_check`` /
``county_batch_check`` hand it to ``evaluate_enterprise``.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.accounts.permissions import scope_root
from county_innovation.common.errors import DomainError
from county_innovation.engine.eligibility import EligibilityInputError, evaluate_enterprise
from county_innovation.enterprises import policies
from county_innovation.enterprises.models import (
    DEREGISTRATION_FIELDS,
    REGISTRY_FIELDS,
    TIER_ORDER,
    CultivationRound,
    CultivationTier,
    Enterprise,
    EnterpriseStatus,
    EnterpriseYear,
    HightechField,
    ListingStatus,
    PoolEntry,
    Qualification,
    QualificationKind,
)
from county_innovation.regions.models import Region, code_prefix

# Qualifications ending within this many days are flagged on the enterprise page and the county's list.
EXPIRY_REMINDER_DAYS = 90
# The rules read the last three fiscal years (国科发火〔2016〕32号 第十一条（五）; 成长性 over three years).
YEARS_READ = 3
DIRECT_KEYS = ("hightech_certificate", "national_award_top3", "provincial_rd_institution", "led_standard")


def enterprises_visible(user: User) -> QuerySet[Enterprise]:
    """The list a user sees: a regional officer their subtree; experts and enterprises the public directory."""
    queryset = Enterprise.objects.select_related("town", "town__parent").prefetch_related(
        Prefetch("qualifications", queryset=Qualification.objects.order_by("kind", "-valid_to"))
    )
    return policies.enterprises.restrict(user, "view", queryset)


def enterprises_filter(
    queryset: QuerySet[Enterprise],
    *,
    town: str = "",
    kind: str = "",
    text: str = "",
    status: str = "",
    on: date | None = None,
) -> QuerySet[Enterprise]:
    """Narrow a list by town (or county) code, a qualification valid on ``on``, a name or code fragment, and the
    registration state (在营/注销)."""
    if status in EnterpriseStatus.values:
        queryset = queryset.filter(status=status)
    if town:
        queryset = queryset.filter(town__code__startswith=town)
    if kind:
        on = on or timezone.localdate()
        queryset = queryset.filter(
            qualifications__kind=kind, qualifications__valid_from__lte=on, qualifications__valid_to__gte=on
        ).distinct()
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(credit_code__icontains=text))
    return queryset


def enterprises_of_member(user: User) -> QuerySet[Enterprise]:
    if not policies.enterprises.allows(user, "list_own"):
        return Enterprise.objects.none()
    return user.enterprises.select_related("town")


def enterprise_visible(user: User, pk: int) -> Enterprise:
    """One enterprise of the directory the user sees; ``Enterprise.DoesNotExist`` when there is none."""
    return enterprises_visible(user).get(pk=pk)


def towns_for_filter(user: User) -> QuerySet[Region]:
    towns = Region.objects.filter(level=Region.Level.TOWN, enterprises__isnull=False).distinct()
    root = scope_root(user)  # None for every role without a region subtree
    if root is not None:
        towns = towns.filter(code__startswith=root.prefix)
    return towns.order_by("code")


def figures_visible(user: User, enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises of ``enterprises`` whose yearly figures ``user`` may see."""
    return policies.enterprises.restrict(user, "view_figures", enterprises)


def qualifications_expiring(
    enterprises: QuerySet[Enterprise] | None = None,
    *,
    within_days: int = EXPIRY_REMINDER_DAYS,
    today: date | None = None,
) -> QuerySet[Qualification]:
    """Qualifications still valid today whose validity ends within ``within_days`` days, soonest first.

    A deregistered (注销) enterprise renews nothing: its qualifications are not reminded of."""
    today = today or timezone.localdate()
    queryset = Qualification.objects.filter(
        valid_to__gte=today, valid_to__lte=today + timedelta(days=within_days)
    ).exclude(enterprise__status=EnterpriseStatus.DEREGISTERED)
    if enterprises is not None:
        queryset = queryset.filter(enterprise__in=enterprises.values("pk"))
    return queryset.select_related("enterprise", "enterprise__town").order_by("valid_to", "enterprise__name")


def qualification_status(qualification: Qualification, today: date | None = None) -> str:
    """ "valid", "expiring" (within the reminder window), "expired" or "future"."""
    today = today or timezone.localdate()
    if qualification.valid_from > today:
        return "future"
    if qualification.valid_to < today:
        return "expired"
    if qualification.valid_to <= today + timedelta(days=EXPIRY_REMINDER_DAYS):
        return "expiring"
    return "valid"


def qualification_valid(enterprise: Enterprise, kind: str, on: date) -> Qualification | None:
    return (
        enterprise.qualifications.filter(kind=kind, valid_from__lte=on, valid_to__gte=on)
        .order_by("-valid_to")
        .first()
    )


def enterprise_years(enterprise: Enterprise) -> list[EnterpriseYear]:
    return list(enterprise.years.order_by("-year"))


def fiscal_years(as_of: date) -> list[int]:
    """The last three complete fiscal years before ``as_of``, oldest first."""
    return [as_of.year - YEARS_READ + i for i in range(YEARS_READ)]


_ZERO = Decimal("0")


def enterprise_payload(
    enterprise: Enterprise,
    as_of: date,
    *,
    declared: dict | None = None,
    years: dict[int, EnterpriseYear] | None = None,
    hightech_certificate: bool | None = None,
) -> dict:
    """The eligibility rules' input (docs/eligibility.md) from the registry's figures of the last three years.

    Amounts are Decimal 万元; lists are the three fiscal years before ``as_of``, oldest first; single numbers
    are the last year's. A year before the enterprise existed (or its founding year, when not entered) counts
    as zero, as the rules do for a firm younger than three years; any other missing year is refused.
    ``declared`` holds what the registry does not record: ``serious_violation`` and the direct
    qualifications of 第八条 other than the 高企 certificate, which comes from the registered qualifications.
    ``years`` and ``hightech_certificate`` may be given to avoid queries per enterprise in a batch.
    """
    declared = declared or {}
    wanted = fiscal_years(as_of)
    if years is None:
        years = {y.year: y for y in enterprise.years.filter(year__in=wanted)}
    missing = [y for y in wanted if y not in years and y > enterprise.founded.year]
    if missing:
        raise DomainError(
            f"「{enterprise.name}」缺少 {'、'.join(str(y) for y in missing)} 年的数据，"
            f"无法按近三年（{wanted[0]}–{wanted[-1]}年）测评；请先填报。"
        )
    if wanted[-1] not in years:
        raise DomainError(
            f"「{enterprise.name}」没有 {wanted[-1]} 年的数据（成立于 {enterprise.founded:%Y-%m-%d}），无法测评。"
        )
    rows = [years.get(y) for y in wanted]
    last = rows[-1]

    def series(name: str) -> list[Decimal]:
        return [getattr(row, name) if row is not None else _ZERO for row in rows]

    certificate = hightech_certificate
    if certificate is None:
        certificate = qualification_valid(enterprise, QualificationKind.HIGHTECH, as_of) is not None
    return {
        "founded": enterprise.founded.isoformat(),
        "as_of": as_of.isoformat(),
        "employees": last.employees,
        "tech_staff": last.tech_staff,
        "sales_revenue": series("sales_revenue"),
        "total_revenue": last.total_revenue,
        "hightech_revenue": last.hightech_revenue,
        "rd_expense": series("rd_expense"),
        "rd_expense_domestic": series("rd_expense_domestic"),
        "total_cost": last.total_cost,
        "total_assets": last.total_assets,
        "net_assets": series("net_assets"),
        "ip_class1": last.ip_class1,
        "ip_class2": last.ip_class2,
        "in_hightech_field": bool(enterprise.hightech_field),
        "serious_violation": bool(declared.get("serious_violation", False)),
        "direct": {
            "hightech_certificate": certificate,
            **{key: bool(declared.get(key, False)) for key in DIRECT_KEYS[1:]},
        },
    }


def _evaluate(payload: dict) -> dict:
    try:
        return evaluate_enterprise(payload)
    except EligibilityInputError as error:
        raise DomainError(f"登记的数据无法测评：{error}", list(error.errors.values())) from error


def percent(ratio: float | None) -> str:
    """A ratio of the rules' output (0.039) as the page shows it (3.90%)."""
    # Cut, not rounded, as the rules' reasons do: 3.999% must not read as the 4% it falls short of.
    return "—" if ratio is None else f"{(Decimal(str(ratio)) * 100).quantize(Decimal('0.01'), ROUND_DOWN)}%"


@dataclass
class CheckRow:
    enterprise: Enterprise
    result: dict | None = None
    problem: str = ""
    gaps: list[str] = field(default_factory=list)

    @property
    def main_gaps(self) -> list[str]:
        """The first failed condition of each qualification the enterprise misses, 科小 then 高企."""
        return [self.problem] if self.problem else self.gaps


def enterprise_check(enterprise: Enterprise, as_of: date, *, declared: dict | None = None) -> dict:
    """{"payload": …, "result": the rules' output}; raises DomainError when figures are missing."""
    payload = enterprise_payload(enterprise, as_of, declared=declared)
    result = _evaluate(payload)
    return {
        "payload": payload,
        "result": result,
        "rd_ratio": percent(result["high_tech"]["rd_ratio"]),
        "rd_ratio_required": percent(result["high_tech"]["rd_ratio_required"]),
    }


def result_gaps(result: dict) -> list[str]:
    """For each qualification missed, the first failed condition named with it: 科小 first, then 高企.

    Only failures are listed (the rules' ``failures``), never a condition that holds.
    """
    gaps: list[str] = []
    sme, high = result["tech_sme"], result["high_tech"]
    if not sme["eligible"] and sme["failures"]:
        gaps.append(f"科技型中小企业：{sme['failures'][0]}")
    if not high["conditions_met"] and high["failures"]:
        more = len(high["failed"]) - 1
        gaps.append(
            f"高新技术企业：{high['failures'][0]}" + (f"（另有 {more} 项条件未满足）" if more > 0 else "")
        )
    return gaps


def county_batch_check(county: Region, as_of: date) -> list[CheckRow]:
    """Every enterprise of the county checked by the rules, with the main gap; one query for all figures.

    Enterprises deregistered by ``as_of`` are left out: there is nothing left to qualify.
    """
    wanted = fiscal_years(as_of)
    enterprises = (
        Enterprise.objects.filter(town__code__startswith=county.prefix)
        .exclude(deregistered_on__lte=as_of)
        .select_related("town")
        .prefetch_related(
            Prefetch("years", queryset=EnterpriseYear.objects.filter(year__in=wanted), to_attr="years_read"),
            Prefetch(
                "qualifications",
                queryset=Qualification.objects.filter(
                    kind=QualificationKind.HIGHTECH, valid_from__lte=as_of, valid_to__gte=as_of
                ),
                to_attr="hightech_valid",
            ),
        )
        .order_by("town__code", "name")
    )
    rows = []
    for enterprise in enterprises:
        row = CheckRow(enterprise=enterprise)
        try:
            payload = enterprise_payload(
                enterprise,
                as_of,
                years={y.year: y for y in enterprise.years_read},
                hightech_certificate=bool(enterprise.hightech_valid),
            )
            row.result = _evaluate(payload)
        except DomainError as error:
            row.problem = error.message
        else:
            row.gaps = result_gaps(row.result)
        rows.append(row)
    return rows


# --- Registry pages: the towns a user may register enterprises in, and the audit trail of an entry ----------


def city_prefix(user: User) -> str:
    """The code prefix of the city the user works in: their scope root when it is a city (the city admin of a
    deployment), else the deployment's city (``COUNTY_INNOVATION_CITY``)."""
    root = scope_root(user)
    if root is not None and root.level == Region.Level.CITY:
        return root.prefix
    return code_prefix(settings.COUNTY_INNOVATION_CITY, Region.Level.CITY)


def towns_manageable(user: User) -> list[Region]:
    """The towns (乡镇、街道) where ``user`` may register or move an enterprise, by county then town code.

    The city admin: every town of the city; a county officer: the towns of their county; everyone else none
    (``policies.regions`` "manage_enterprises").
    """
    towns = Region.objects.filter(level=Region.Level.TOWN, code__startswith=city_prefix(user))
    towns = policies.regions.restrict(user, "manage_enterprises", towns)
    return list(towns.select_related("parent").order_by("code"))


def counties_checkable(user: User) -> list[Region]:
    """The counties of the city whose batch check and pool ``user`` may open: all for the city admin, their own
    for a county officer, none for anyone else."""
    counties = Region.objects.filter(level=Region.Level.COUNTY, code__startswith=city_prefix(user))
    return list(policies.regions.restrict(user, "batch_check", counties).order_by("code"))


# Fields shown in the change history: the registry entry in the order of the form, then the deregistration;
# ``updated_at`` changes on every save.
HISTORY_FIELDS = REGISTRY_FIELDS + DEREGISTRATION_FIELDS
HISTORY_KINDS = {"+": "登记", "~": "修改", "-": "删除"}


@dataclass
class HistoryChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object  # datetime of the change
    who: str
    kind: str
    changes: list[HistoryChange] = field(default_factory=list)


def _history_value(name: str, value: object, towns: dict[str, str]) -> str:
    if value in (None, ""):
        return "—"
    if name == "town":
        return towns.get(str(value), str(value))
    if name == "hightech_field":
        return HightechField(value).label if value in HightechField.values else str(value)
    if name == "status":
        return EnterpriseStatus(value).label if value in EnterpriseStatus.values else str(value)
    if name == "listing_status":
        return ListingStatus(value).label if value in ListingStatus.values else str(value)
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def enterprise_history(enterprise: Enterprise) -> list[HistoryEntry]:
    """The registry entry's changes, newest first: who, when, and each field's old and new value.

    Saves that changed none of the registry fields (an import re-writing the same values) are left out.
    """
    records = list(enterprise.history.select_related("history_user").order_by("history_date", "history_id"))
    town_codes = {r.town_id for r in records}
    towns = {
        t.code: f"{t.parent.name if t.parent else ''} {t.name}".strip()
        for t in Region.objects.filter(code__in=town_codes).select_related("parent")
    }
    labels = {name: str(Enterprise._meta.get_field(name).verbose_name) for name in HISTORY_FIELDS}
    entries = []
    previous = None
    for record in records:
        who = str(record.history_user) if record.history_user else "系统"
        kind = HISTORY_KINDS.get(record.history_type, record.history_type)
        if previous is None or record.history_type != "~":
            entries.append(HistoryEntry(record.history_date, who, kind))
        else:
            changes = []
            for name in HISTORY_FIELDS:
                attname = "town_id" if name == "town" else name
                old, new = getattr(previous, attname), getattr(record, attname)
                if old != new:
                    changes.append(
                        HistoryChange(
                            labels[name], _history_value(name, old, towns), _history_value(name, new, towns)
                        )
                    )
            if changes:
                entries.append(HistoryEntry(record.history_date, who, kind, changes))
        previous = record
    return entries[::-1]


# --- Cultivation pool (培育库): rounds, a round's entries in a user's scope --------------------------------


def pool_scope(user: User, county_code: str = "") -> Region | None:
    """The county a pool page shows: ``None`` for the whole city (city admin without a filter).

    The pool shows figure-derived results, so it is open only to the city admin and the county officers
    (``policies.regions`` "batch_check", ``policies.pools`` "view"), a county officer always to its own county.
    """
    if county_code:
        county = Region.objects.filter(code=county_code, level=Region.Level.COUNTY).first()
        if county is None:
            raise DomainError(f"「{county_code}」不是县（区）的区划代码。")
        policies.regions.require(user, "batch_check", county)
        return county
    if policies.pools.allows(user, "view_city"):
        return None
    policies.pools.require(user, "view")
    return user.region


def pool_counties(user: User) -> list[Region]:
    return counties_checkable(user)


def pool_rounds() -> QuerySet[CultivationRound]:
    return CultivationRound.objects.select_related("opened_by", "closed_by").order_by("-year")


def pool_entries(
    pool_round: CultivationRound, county: Region | None, *, tier: str = ""
) -> QuerySet[PoolEntry]:
    entries = pool_round.entries.select_related("enterprise", "enterprise__town").order_by(
        "enterprise__town__code", "enterprise__name"
    )
    if county is not None:
        entries = entries.filter(enterprise__town__code__startswith=county.prefix)
    if tier:
        entries = entries.filter(tier=tier)
    return entries


def tier_counts(entries: QuerySet[PoolEntry]) -> list[dict]:
    """[{"tier", "label", "count", "selected"}] for every tier, lowest first, zeros included."""
    counts = Counter(entries.values_list("tier", flat=True))
    selected = Counter(entries.filter(selected=True).values_list("tier", flat=True))
    return [
        {"tier": t, "label": label, "count": counts[t], "selected": selected[t]}
        for t, label in CultivationTier.choices
    ]


def near_entries(pool_round: CultivationRound, county: Region | None) -> list[PoolEntry]:
    """The almost-qualifying entries, the highest target tier first, then by county and name."""
    entries = list(pool_entries(pool_round, county).filter(near=True))
    return sorted(entries, key=lambda e: -TIER_ORDER.get(e.target_tier, 0))
