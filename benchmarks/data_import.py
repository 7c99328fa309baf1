"""Benchmark: importing 50,000 data values (issue 4, item 6: under 10 s) into a fresh database.

Run: .venv/bin/python benchmarks/data_import.py [--towns 6250] [--database-url …] [--all-regions] [--profile]
A city of 6,250 towns (Nanchang's real ones plus synthetic towns under its counties, free codes 3601xx200–999)
with an open round of the town framework (8 reported indicators): 50,000 values. Timed, each through
``collection.importing`` with every check, the validation rules and the history kept:
CSV first import (inserts), the same CSV again (nothing changes), the Excel template with every value changed
(updates), and a JSON dry run through the API's entry point. Building the files is not timed.
"""

import argparse
import cProfile
import csv
import io
import os
import platform
import pstats
import random
import sys
import time

from _django import fresh_django  # benchmarks/_django.py


def synthetic_towns(target: int) -> int:
    """Add towns under Nanchang's counties until the city has ``target``; returns how many there are."""
    from county_innovation.regions.models import Region

    counties = list(Region.objects.filter(level="county", code__startswith="3601").order_by("code"))
    existing = Region.objects.filter(level="town", code__startswith="3601").count()
    taken = set(Region.objects.filter(level="town", code__startswith="3601").values_list("code", flat=True))
    rows = []
    n = existing
    for suffix in range(200, 1000):
        for county in counties:
            if n >= target:
                break
            code = f"{county.code}{suffix:03d}"
            if code in taken:
                continue
            rows.append(Region(code=code, name=f"基准测试镇{n:05d}", level="town", kind="镇", parent=county))
            n += 1
    Region.objects.bulk_create(rows, batch_size=2000)
    return n


def csv_file(towns: list[str], indicators: list[str], *, bump: int = 0, seed: int = 2025) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["区划代码", "指标代码", "数值"])
    for town in towns:
        for code in indicators:
            writer.writerow([town, code, rng.randint(1, 400) + bump])
    return out.getvalue().encode("gbk")  # as Excel on Chinese Windows saves it


def xlsx_file(data, *, bump: int, seed: int = 2025) -> bytes:
    """The platform's own template for ``data``, every value cell filled (as a user would)."""
    from county_innovation.collection.excel import template_build

    rng = random.Random(seed)
    data.values = {
        (r.code, i.code): rng.randint(1, 400) + bump for r in data.regions for i in data.indicators
    }
    return template_build(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=6250)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--all-regions", action="store_true", help="load the whole country's divisions first")
    parser.add_argument(
        "--profile", type=int, metavar="STEP", help="print the top functions of step STEP (0–3) to stderr"
    )
    args = parser.parse_args()
    fresh_django(args.database_url)
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from county_innovation.accounts.models import User
    from county_innovation.collection import selectors
    from county_innovation.collection.services import rounds
    from county_innovation.collection.services.imports import data_import_file, data_import_values
    from county_innovation.common.actors import system
    from county_innovation.indicators.models import DataValue
    from county_innovation.indicators.services import default_frameworks_ensure
    from county_innovation.regions.models import Region
    from county_innovation.regions.services import regions_load

    call_command("migrate", verbosity=0)
    if args.all_regions:
        regions_load(actor=system("基准测试"), city=None)
    regions_load(actor=system("基准测试"), city="360100")
    _, town_framework = default_frameworks_ensure(actor=system("基准测试"))
    n_towns = synthetic_towns(args.towns)
    admin = User.objects.create_user(
        username="bench_admin", password="x", role="city_admin", region=Region.objects.get(code="360100")
    )
    period = timezone.localdate().year - 1
    today = timezone.localdate()
    rounds.round_create(
        actor=admin,
        framework=town_framework,
        period=period,
        opens_on=today,
        deadline=today + dt.timedelta(days=30),
    )
    started = time.perf_counter()
    data = selectors.template_data(user=admin, framework=town_framework, period=period)
    towns = [r.code for r in data.regions]
    indicators = [i.code for i in data.indicators]
    first_csv = csv_file(towns, indicators)
    changed_xlsx = xlsx_file(data, bump=1)
    items = [
        {"region": t, "indicator": i, "value": v}
        for t, i, v in (row.split(",") for row in first_csv.decode("gbk").splitlines()[1:])
    ]
    values = len(towns) * len(indicators)
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, database {connection.vendor}"
    )
    print(
        f"data: {n_towns:,} towns × {len(indicators)} indicators = {values:,} values; CSV {len(first_csv) / 1024:,.0f} KiB, "
        f"xlsx {len(changed_xlsx) / 1024:,.0f} KiB (built in {time.perf_counter() - started:.1f} s, not timed)"
    )
    # Wall-clock seconds, and the process's CPU seconds (less disturbed when other work shares the cores).
    print(f"{'step':<40}{'values':>10}{'created':>9}{'updated':>9}{'seconds':>9}{'cpu s':>8}")
    steps = [
        (
            "CSV (GBK), first import",
            lambda: data_import_file(
                actor=admin, framework=town_framework, period=period, content=first_csv, file_name="bench.csv"
            ),
        ),
        (
            "same CSV again (no change)",
            lambda: data_import_file(
                actor=admin, framework=town_framework, period=period, content=first_csv, file_name="bench.csv"
            ),
        ),
        (
            "xlsx template, every value changed",
            lambda: data_import_file(
                actor=admin,
                framework=town_framework,
                period=period,
                content=changed_xlsx,
                file_name="bench.xlsx",
            ),
        ),
        (
            "JSON (API entry), dry run",
            lambda: data_import_values(
                actor=admin, framework=town_framework, period=period, items=items, dry_run=True
            ),
        ),
    ]
    for n, (step, run) in enumerate(steps):
        profiler = cProfile.Profile() if args.profile == n else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        report = run()
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{step:<40}{report.values:>10,}{report.created:>9,}{report.updated:>9,}{seconds:>9.2f}{cpu:>8.2f}"
        )
        if profiler:
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
    print(
        f"stored values: {DataValue.objects.filter(period=period).count():,}; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
