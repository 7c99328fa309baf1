"""The Nanchang demo: regions, default frameworks, one account per role, a synthetic 2020–2024 data set,
and published evaluations. Everything it makes is labelled 演示数据; none of it is real statistics."""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from simple_history.utils import bulk_create_with_history

from county_innovation.accounts.models import User
from county_innovation.accounts.services import demo_accounts_load
from county_innovation.collection.demo import collection_demo_load
from county_innovation.collection.models import CollectionRound, Submission, SubmissionEvent
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.common.models import DemoDataset
from county_innovation.common.protection import deletion_permitted
from county_innovation.designation.demo import designation_demo_load
from county_innovation.enterprises.demo import cultivation_demo_load, enterprises_demo_load
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.services import evaluation_run_create, evaluation_run_publish
from county_innovation.indicators.defaults import COUNTY_INDICATORS, TOWN_INDICATORS, IndicatorDef
from county_innovation.indicators.models import DataValue, Framework, Indicator
from county_innovation.indicators.services import default_frameworks_ensure
from county_innovation.regions.models import Region
from county_innovation.regions.selectors import counties_of, towns_of
from county_innovation.regions.services import regions_load
from county_innovation.reports.receivers import bulletins_deferred

DEMO_PERIODS = range(2020, 2025)
DEMO_SEED = 20191204  # the date of the seed policy
MISSING_SHARE = 0.03
YEARLY_GROWTH = 1.08

# Relative innovation capacity of Nanchang's county-level units (0–1): an invented spread so the demo ranking
# has a shape; 南昌县 is a national innovative county (2nd batch), the central districts are service-heavy.
COUNTY_CAPACITY = {
    "360102": 0.62,
    "360103": 0.50,
    "360104": 0.68,
    "360111": 0.86,
    "360112": 0.66,
    "360113": 0.78,
    "360121": 0.93,
    "360123": 0.32,
    "360124": 0.44,
}

# Plausible ranges (low, high) at capacity 0 and 1 for 2020; counts and money grow by YEARLY_GROWTH a year.
COUNTY_RANGES = {
    "fiscal_st_share": (1.2, 5.5),
    "rd_staff_per_10k": (15, 130),
    "rd_expenditure": (15000, 650000),
    "industrial_rd_intensity": (0.6, 2.6),
    "hightech_enterprises": (25, 620),
    "tech_smes": (40, 950),
    "innovation_clusters": (0, 6),
    "innovation_institutions": (4, 85),
    "rd_tax_relief": (1500, 65000),
    "tech_commissioners": (8, 120),
    "outreach_funding": (40, 850),
    "new_product_sales_share": (4, 36),
    "invention_patents_per_10k": (1.5, 42),
    "energy_per_gdp": (0.62, 0.22),
    "new_enterprises": (900, 16000),
}
TOWN_RANGES = {
    "town_hightech_enterprises": (0, 55),
    "town_tech_smes": (0, 85),
    "town_patents_granted": (0, 380),
    "town_commissioner_services": (2, 110),
    "town_outreach_events": (2, 55),
    "town_new_enterprises": (15, 1400),
    "town_agri_demo_bases": (0, 8),
    "town_fiscal_st_spending": (5, 750),
}
GROWING_KINDS = {"count", "amount"}


@dataclass
class DemoReport:
    regions: int
    values: int
    runs: int
    accounts: list[tuple[str, str, str]]
    enterprises: int = 0


# Each region has its own profile of strengths and weaknesses (a fixed offset per indicator) around its
# capacity, and each year adds a little noise: so rankings differ by dimension and move a little over time.
PROFILE_SD = 0.2
YEARLY_SD = 0.05


def _value(
    rng: np.random.Generator, d: IndicatorDef, lo_hi: tuple[float, float], capacity: float, year: int
) -> Decimal:
    lo, hi = lo_hi
    level = float(np.clip(capacity + rng.normal(0, YEARLY_SD), 0, 1.05))
    value = lo + (hi - lo) * level
    if d.value_kind in GROWING_KINDS:
        value *= YEARLY_GROWTH ** (year - DEMO_PERIODS.start) * rng.uniform(0.95, 1.05)
    elif d.direction < 0:
        value *= 0.97 ** (year - DEMO_PERIODS.start)
    else:
        value *= 1.03 ** (year - DEMO_PERIODS.start)
    if d.value_kind == "count":
        return Decimal(max(0, round(value)))
    if d.value_kind == "percent":
        value = min(value, 100.0)
    return Decimal(f"{max(value, 0):.2f}")


def _town_capacity(rng: np.random.Generator, town: Region) -> float:
    county = COUNTY_CAPACITY.get(town.code[:6], 0.5)
    urban = 0.12 if town.kind == "街道" else (-0.1 if town.kind == "乡" else 0.0)
    return float(np.clip(county * 0.7 + rng.uniform(0, 0.35) + urban, 0, 1))


def _synthetic_values(rng: np.random.Generator, city: Region) -> list[DataValue]:
    indicators = {i.code: i for i in Indicator.objects.all()}
    rows: list[DataValue] = []
    plans = [
        (c, COUNTY_CAPACITY.get(c.code, 0.5), COUNTY_INDICATORS, COUNTY_RANGES) for c in counties_of(city)
    ]
    plans += [(t, _town_capacity(rng, t), TOWN_INDICATORS, TOWN_RANGES) for t in towns_of(city)]
    for region, capacity, defs, ranges in plans:
        profile = {d.code: capacity + rng.normal(0, PROFILE_SD) for d in defs}
        for year in DEMO_PERIODS:
            for d in defs:
                if rng.random() < MISSING_SHARE:
                    continue
                lo_hi = ranges[d.code]
                if d.code == "town_agri_demo_bases" and region.kind == "街道":
                    lo_hi = (0, 1)
                rows.append(
                    DataValue(
                        region=region,
                        period=year,
                        indicator=indicators[d.code],
                        value=_value(rng, d, lo_hi, profile[d.code], year),
                        status=DataValue.Status.SUBMITTED,
                        channel=DataValue.Channel.DEMO,
                        comment="演示数据（随机生成，非真实统计）",
                    )
                )
    return rows


@transaction.atomic
def demo_load(*, seed: int = DEMO_SEED) -> DemoReport:
    """Build (or rebuild) the whole Nanchang demo. Refuses a database that holds real, non-demo data."""
    if (
        not DemoDataset.objects.exists()
        and DataValue.objects.exclude(channel=DataValue.Channel.DEMO).exists()
    ):
        raise DomainError("数据库中已有真实填报数据，不能载入演示数据。请使用一个新的数据库运行演示。")
    loader = system("演示数据加载")
    regions_load(actor=loader, city="360100")
    frameworks = default_frameworks_ensure(actor=loader)
    city = Region.objects.get(code="360100")
    # Runs and rounds of an earlier demo load go with it (a demo reset; real data never reaches this point).
    with deletion_permitted("demo reset"):
        EvaluationRun.objects.all().delete()
        SubmissionEvent.objects.all().delete()
        Submission.objects.all().delete()
        CollectionRound.objects.all().delete()
    # A demo reset drops every value and its history outright; deleting row by row would first write
    # a history record for each deletion.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DataValue.history.model._meta.db_table}")
        cursor.execute(f"DELETE FROM {DataValue._meta.db_table}")
    DemoDataset.objects.all().delete()
    rng = np.random.default_rng(seed)
    values = _synthetic_values(rng, city)
    bulk_create_with_history(values, DataValue, batch_size=2000)
    DemoDataset.objects.create(
        seed=seed,
        periods=f"{DEMO_PERIODS.start}–{DEMO_PERIODS.stop - 1}年",
        description="随机生成的南昌市演示数据集，量级仿照公开资料，非真实统计。",
    )
    accounts = demo_accounts_load(actor=loader)
    enterprises = enterprises_demo_load()  # links the demo account「enterprise」to its company
    cultivation_demo_load()  # a selection round for each demo year, so the pool's flows have something to show
    designation_demo_load()  # designated towns, one pending application, supervised tasks (some overdue)
    admin = User.objects.get(username="admin")
    collection_demo_load(admin=admin, frameworks=frameworks, periods=DEMO_PERIODS)
    runs = 0
    # No bulletin per publish while loading: the demo command queues them once the data is in (reports app).
    with bulletins_deferred():
        for framework in frameworks:
            Framework.objects.filter(pk=framework.pk).update(status=Framework.Status.ACTIVE)
            framework.refresh_from_db()
            for year in DEMO_PERIODS:
                run = evaluation_run_create(framework=framework, period=year, actor=admin, scope=city)
                evaluation_run_publish(run=run, actor=admin)
                runs += 1
    regions = Region.objects.filter(code__startswith=city.prefix).count()
    return DemoReport(
        regions=regions, values=len(values), runs=runs, accounts=accounts, enterprises=enterprises.enterprises
    )
