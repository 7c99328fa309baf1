"""Benchmark: the enterprise Excel import (issue 6, item 5: 10,000 rows in under 15 s) into a fresh database.

Run: .venv/bin/python benchmarks/enterprise_import.py [--enterprises 2500] [--years 4] [--database-url …]
The file is built with the platform's own writer (the export layout): by default 2,500 enterprises in
Nanchang's towns on 「企业名录」 and 4 years each, 10,000 rows, on 「年度数据」 (12,500 rows in all), with valid
credit codes from the demo generator. Timed: the first import (inserts with history), the same file again
(everything checked, nothing changed) and the file with every figure changed (updates with history).
"""

import argparse
import os
import platform
import random
import sys
import time
from datetime import date
from decimal import Decimal

from _django import fresh_django  # benchmarks/_django.py


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def build_file(n_enterprises: int, n_years: int, *, seed: int = 20251127, bump: int = 0) -> bytes:
    from county_innovation.accounts.models import User
    from county_innovation.enterprises.demo import demo_credit_code
    from county_innovation.enterprises.exporting import EnterpriseWorkbook, workbook_build
    from county_innovation.enterprises.models import Enterprise, EnterpriseYear
    from county_innovation.regions.models import Region

    rng = random.Random(seed)
    towns = list(Region.objects.filter(level=Region.Level.TOWN, code__startswith="3601").order_by("code"))
    last = date.today().year - 1
    enterprises, years, codes = [], [], set()
    while len(enterprises) < n_enterprises:
        town = rng.choice(towns)
        code = demo_credit_code(rng, town)
        if code in codes:
            continue
        codes.add(code)
        enterprise = Enterprise(
            credit_code=code,
            name=f"南昌基准测试科技有限公司{len(enterprises):05d}",
            town=town,
            industry_code="C3976",
            industry_name="光电子器件制造",
            hightech_field=rng.choice(["electronic", "materials", "manufacturing", ""]),
            founded=date(rng.randint(2000, last - n_years), rng.randint(1, 12), rng.randint(1, 28)),
        )
        enterprises.append(enterprise)
        sales = rng.uniform(500, 30000)
        employees = rng.randint(20, 500)
        for year in range(last - n_years + 1, last + 1):
            rd = sales * rng.uniform(0.02, 0.08)
            years.append(
                EnterpriseYear(
                    enterprise=enterprise,
                    year=year,
                    employees=employees + bump,
                    tech_staff=employees // 4,
                    sales_revenue=_money(sales),
                    total_revenue=_money(sales * 1.05),
                    total_assets=_money(sales * 1.5),
                    net_assets=_money(sales * 0.6),
                    total_cost=_money(sales * 0.9),
                    rd_expense=_money(rd),
                    rd_expense_domestic=_money(rd * 0.9),
                    hightech_revenue=_money(sales * 0.7),
                    ip_class1=rng.randint(0, 3),
                    ip_class2=rng.randint(0, 20),
                    results_converted=rng.randint(0, 5),
                    valuation=None,
                    financing_rounds=rng.randint(0, 2),
                )
            )
            sales *= 1 + rng.uniform(-0.05, 0.3)
    user = User(username="benchmark")
    return workbook_build(
        EnterpriseWorkbook(user=user, demo=False, enterprises=enterprises, years=years, is_export=False)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=2500)
    parser.add_argument("--years", type=int, default=4, help="years per enterprise")
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()
    fresh_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from county_innovation.accounts.models import User
    from county_innovation.common.actors import system
    from county_innovation.enterprises.models import Enterprise, EnterpriseYear
    from county_innovation.enterprises.services.importing import enterprise_import_excel
    from county_innovation.regions.models import Region
    from county_innovation.regions.services import regions_load

    call_command("migrate", verbosity=0)
    regions_load(actor=system("基准测试"), city="360100")
    admin = User.objects.create_user(
        username="bench_admin", password="x", role="city_admin", region=Region.objects.get(code="360100")
    )
    started = time.perf_counter()
    first = build_file(args.enterprises, args.years)
    changed = build_file(args.enterprises, args.years, bump=1)
    rows = args.enterprises * (1 + args.years)
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, database {connection.vendor}"
    )
    print(
        f"file: {args.enterprises:,} enterprises + {args.enterprises * args.years:,} year rows = {rows:,} rows, "
        f"{len(first) / 1024:,.0f} KiB (written in {time.perf_counter() - started:.1f} s, not timed)"
    )
    print(f"{'step':<34}{'enterprises':>12}{'years':>8}{'seconds':>10}")
    for step, content in (
        ("first import (insert + history)", first),
        ("same file again (no change)", first),
        ("every figure changed (update)", changed),
    ):
        started = time.perf_counter()
        enterprise_import_excel(actor=admin, file_name="benchmark.xlsx", content=content)
        seconds = time.perf_counter() - started
        print(
            f"{step:<34}{Enterprise.objects.count():>12,}{EnterpriseYear.objects.count():>8,}{seconds:>10.2f}"
        )


if __name__ == "__main__":
    main()
