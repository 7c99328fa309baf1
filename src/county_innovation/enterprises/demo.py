"""Synthetic demo enterprises (about 30 in Nanchang's towns, three years of figures, qualifications).

Labelled ``is_demo`` and named「（演示）」; magnitudes are plausible for county technology SMEs, not real.
Credit codes are generated with both check characters (GB 11714 for the organisation code, GB 32100 for the
whole), so they pass the registry's validation. The demo account「enterprise」is linked to 示例科技有限公司.
``cultivation_demo_load`` then opens a selection round of the cultivation pool for each demo year.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.models import Role, User
from county_innovation.common.actors import system
from county_innovation.common.protection import deletion_permitted
from county_innovation.enterprises.figures import qualification_default_end
from county_innovation.enterprises.models import (
    CultivationRound,
    CultivationTier,
    Enterprise,
    EnterpriseYear,
    HightechField,
    Qualification,
    QualificationKind,
)
from county_innovation.enterprises.services import (
    cultivation_round_close,
    cultivation_round_open,
    pool_entries_select,
)
from county_innovation.enterprises.validators import credit_code_check_character
from county_innovation.regions.models import Region, code_prefix

DEMO_SEED = 20250601
DEMO_COUNT = 30
DEMO_ACCOUNT = "enterprise"
DEMO_ACCOUNT_ENTERPRISE = "示例科技有限公司（演示）"
DEMO_ACCOUNT_TOWN = "360121100"  # 莲塘镇, 南昌县

# GB 11714-1997 组织机构代码: the 9th character checks the first 8 with these weights (mod 11, 10 → X).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_NAME_HEADS = (
    "赣江",
    "洪都",
    "豫章",
    "滕王",
    "青云",
    "瑶湖",
    "艾溪",
    "象湖",
    "梅岭",
    "军山",
    "鄱湖",
    "昌北",
    "赣鄱",
    "红谷",
    "朝阳",
)
_NAME_TAILS = {
    HightechField.ELECTRONIC: ("光电科技", "智能科技", "软件技术", "半导体"),
    HightechField.BIOMEDICINE: ("生物医药", "医疗器械", "制药"),
    HightechField.MATERIALS: ("新材料", "高分子材料"),
    HightechField.MANUFACTURING: ("智能装备", "精密机械", "自动化"),
    HightechField.ENERGY: ("新能源", "锂电科技"),
    HightechField.ENVIRONMENT: ("环保科技",),
    HightechField.AEROSPACE: ("航空科技", "无人机"),
    HightechField.SERVICES: ("检测技术", "信息服务"),
    "": ("食品", "商贸"),
}
_INDUSTRIES = {
    HightechField.ELECTRONIC: ("C3976", "光电子器件制造"),
    HightechField.BIOMEDICINE: ("C2720", "化学药品制剂制造"),
    HightechField.MATERIALS: ("C2651", "初级形态塑料及合成树脂制造"),
    HightechField.MANUFACTURING: ("C3491", "工业机器人制造"),
    HightechField.ENERGY: ("C3841", "锂离子电池制造"),
    HightechField.ENVIRONMENT: ("N7721", "水污染治理"),
    HightechField.AEROSPACE: ("C3741", "飞机制造"),
    HightechField.SERVICES: ("M7452", "检测服务"),
    "": ("C1391", "谷物磨制"),
}


def organisation_code(first8: str) -> str:
    """The 9-character 组织机构代码 with its GB 11714 check character."""
    value = 11 - sum(int(ch, 36) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return first8 + {10: "X", 11: "0"}.get(value, str(value))


def demo_credit_code(rng: random.Random, town: Region) -> str:
    """A 统一社会信用代码 of an enterprise (登记管理部门 9 = 工商, 类别 1 = 企业) registered in ``town``'s county."""
    first17 = "91" + town.code[:6] + organisation_code(f"{rng.randrange(10**8):08d}")
    return first17 + credit_code_check_character(first17)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _years(
    rng: random.Random, enterprise: Enterprise, years: list[int], strength: float
) -> list[EnterpriseYear]:
    sales = rng.uniform(600, 30000) * strength
    employees = rng.randint(25, 420)
    rows = []
    for year in years:
        if year < enterprise.founded.year:
            continue
        sales *= 1 + rng.uniform(-0.05, 0.40)
        employees = max(10, int(employees * (1 + rng.uniform(-0.05, 0.2))))
        total_revenue = sales * rng.uniform(1.0, 1.08)
        rd = sales * rng.uniform(0.015, 0.085)
        assets = sales * rng.uniform(0.8, 2.0)
        rows.append(
            EnterpriseYear(
                enterprise=enterprise,
                year=year,
                employees=employees,
                tech_staff=int(employees * rng.uniform(0.06, 0.45)),
                sales_revenue=_money(sales),
                total_revenue=_money(total_revenue),
                total_assets=_money(assets),
                net_assets=_money(assets * rng.uniform(0.35, 0.65)),
                total_cost=_money(total_revenue * rng.uniform(0.82, 0.96)),
                rd_expense=_money(rd),
                rd_expense_domestic=_money(rd * rng.uniform(0.5, 1.0) if rng.random() < 0.1 else rd),
                hightech_revenue=_money(total_revenue * rng.uniform(0.35, 0.92)),
                ip_class1=rng.choice((0, 0, 0, 1, 2, 3, 5)),
                ip_class2=rng.randint(0, 25),
                results_converted=rng.randint(0, 6),
                valuation=None,
                financing_rounds=rng.choice((0, 0, 0, 1, 2)),
            )
        )
    return rows


def _qualifications(
    rng: random.Random, enterprise: Enterprise, today: date, serial: int
) -> list[Qualification]:
    quals = []
    if rng.random() < 0.4:
        # Some certificates issued nearly three years ago, so reminders of expiry show in the demo.
        issued = today - timedelta(days=rng.choice((1050, 1070, 700, 380, 30)))
        quals.append(
            Qualification(
                enterprise=enterprise,
                kind=QualificationKind.HIGHTECH,
                number=f"GR{issued.year}36{serial:06d}",
                valid_from=issued,
                valid_to=qualification_default_end(QualificationKind.HIGHTECH, issued),
                note="演示数据",
            )
        )
    if rng.random() < 0.55:
        registered = date(today.year, rng.randint(3, 9), rng.randint(1, 28))
        quals.append(
            Qualification(
                enterprise=enterprise,
                kind=QualificationKind.TECH_SME,
                number=f"{today.year}{enterprise.town.code[:6]}0{serial:06d}",
                valid_from=registered,
                valid_to=qualification_default_end(QualificationKind.TECH_SME, registered),
                note="演示数据",
            )
        )
    return quals


@dataclass
class EnterprisesDemoReport:
    enterprises: int
    years: int
    qualifications: int


@transaction.atomic
def enterprises_demo_load(*, seed: int = DEMO_SEED, count: int = DEMO_COUNT) -> EnterprisesDemoReport:
    """(Re)build the demo enterprises; earlier demo enterprises are removed, real ones are left alone."""
    rng = random.Random(seed)
    with deletion_permitted("demo reset: demo enterprises only"):
        Enterprise.objects.filter(is_demo=True).delete()
    city = code_prefix(settings.COUNTY_INNOVATION_CITY, Region.Level.CITY)
    towns = list(Region.objects.filter(level=Region.Level.TOWN, code__startswith=city).order_by("code"))
    if not towns:
        return EnterprisesDemoReport(0, 0, 0)
    today = timezone.localdate()
    years = [today.year - 3, today.year - 2, today.year - 1]
    fields = [*HightechField.values, ""]
    anchor = next((t for t in towns if t.code == DEMO_ACCOUNT_TOWN), towns[0])
    chosen = [anchor, *rng.sample(towns, min(count - 1, len(towns)))]
    all_years, all_quals, used = [], [], set()
    for serial, town in enumerate(chosen, start=1):
        field = HightechField.ELECTRONIC if serial == 1 else rng.choice(fields)
        if serial == 1:
            name = DEMO_ACCOUNT_ENTERPRISE
        else:
            name = f"江西{rng.choice(_NAME_HEADS)}{rng.choice(_NAME_TAILS[field])}有限公司（演示）"
            while name in used:
                name = name.replace("有限公司", "股份有限公司", 1)
        used.add(name)
        code, industry = _INDUSTRIES[field]
        enterprise = Enterprise.objects.create(
            credit_code=demo_credit_code(rng, town),
            name=name,
            town=town,
            industry_code=code,
            industry_name=industry,
            hightech_field=field,
            founded=date(rng.randint(2008, today.year - 2), rng.randint(1, 12), rng.randint(1, 28)),
            is_demo=True,
        )
        all_years += _years(rng, enterprise, years, strength=rng.choice((0.5, 1.0, 1.5)))
        all_quals += _qualifications(rng, enterprise, today, serial)
    EnterpriseYear.objects.bulk_create(all_years)
    Qualification.objects.bulk_create(all_quals)
    account = User.objects.filter(username=DEMO_ACCOUNT, role=Role.ENTERPRISE).first()
    if account is not None:
        Enterprise.objects.get(name=DEMO_ACCOUNT_ENTERPRISE, is_demo=True).users.add(account)
    return EnterprisesDemoReport(len(chosen), len(all_years), len(all_quals))


# --- The cultivation pool's demo rounds ----------------------------------------------------------------------

DEMO_NOTE = "演示数据：按演示企业三个年度的数据遴选"


DEMO_YEARS = 3  # the years of figures enterprises/demo.py gives each demo enterprise


@transaction.atomic
def cultivation_demo_load(*, seed: int = 20250602) -> list[CultivationRound]:
    """Open a round for each year of the demo enterprises' figures and select a few enterprises in each.

    The demo enterprises have three years of figures; a round reads three years, so the two years before
    the first are filled in (synthetic, from the first year shrunk by a plausible growth) for enterprises that
    existed then. Earlier rounds are replaced; the last round is left open, the others closed.
    """
    actor = system("加载培育库演示数据")
    rng = random.Random(seed)
    demo_years = sorted(
        set(EnterpriseYear.objects.filter(enterprise__is_demo=True).values_list("year", flat=True))
    )
    if not demo_years:
        return []
    # The demo enterprises carry DEMO_YEARS years of figures; earlier years are this loader's own back-fill
    # (from an earlier call), which must not become rounds of their own.
    demo_years = demo_years[-DEMO_YEARS:]
    _demo_backfill(rng, demo_years[0])
    CultivationRound.objects.filter(year__in=demo_years).delete()
    rounds = []
    for year in demo_years:
        pool_round = cultivation_round_open(actor=actor, year=year, note=DEMO_NOTE)
        candidates = list(
            pool_round.entries.filter(enterprise__is_demo=True)
            .exclude(tier=CultivationTier.NONE)
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        near = list(
            pool_round.entries.filter(enterprise__is_demo=True, near=True).values_list("pk", flat=True)
        )
        chosen = rng.sample(candidates, min(5, len(candidates))) + near[:3]
        if chosen:
            pool_entries_select(actor=actor, pool_round=pool_round, entry_ids=chosen)
        if year != demo_years[-1]:
            cultivation_round_close(actor=actor, pool_round=pool_round)
        rounds.append(pool_round)
    return rounds


def _demo_backfill(rng: random.Random, first_year: int) -> None:
    """Two synthetic years before ``first_year`` for the demo enterprises that existed then and lack them."""
    firsts = EnterpriseYear.objects.filter(enterprise__is_demo=True, year=first_year).select_related(
        "enterprise"
    )
    money = (
        "sales_revenue",
        "total_revenue",
        "total_assets",
        "net_assets",
        "total_cost",
        "rd_expense",
        "rd_expense_domestic",
        "hightech_revenue",
    )
    created = []
    have = set(
        EnterpriseYear.objects.filter(enterprise__is_demo=True, year__lt=first_year).values_list(
            "enterprise_id", "year"
        )
    )
    for row in firsts:
        factor = Decimal(1)
        for year in (first_year - 1, first_year - 2):
            factor /= Decimal(str(round(1 + rng.uniform(0.0, 0.35), 2)))
            if year < row.enterprise.founded.year or (row.enterprise_id, year) in have:
                continue
            values = {f: (getattr(row, f) * factor).quantize(Decimal("0.01")) for f in money}
            created.append(
                EnterpriseYear(
                    enterprise=row.enterprise,
                    year=year,
                    employees=row.employees,
                    tech_staff=row.tech_staff,
                    ip_class1=row.ip_class1,
                    ip_class2=row.ip_class2,
                    results_converted=row.results_converted,
                    financing_rounds=row.financing_rounds,
                    **values,
                )
            )
    EnterpriseYear.objects.bulk_create(created)
