"""Benchmark: the validation rules (collection/rules.py) on 6,000 towns × 8 indicators (48,000 values).

Run: .venv/bin/python benchmarks/rules.py [--regions 6000] [--database-url …]
A fresh database gets the default town framework with its default rules (required, change ±50 %, outliers)
plus one range and one cross rule, 6,000 synthetic towns, last year's values and this year's stored values
(seeded lognormal, the way county statistics are skewed; this year about 5 % above last). Timed: ``check_values`` on every value at once
(an import of the whole set, save and submit stage) and on one town's 8 values (a save from the entry grid,
which still reads every peer for the outlier rule). Each case runs five times; best and median wall time
are shown, and the median CPU time of this process (steadier when other work shares the cores).
"""

import argparse
import os
import platform
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from _django import fresh_django  # benchmarks/_django.py

from county_innovation.common.actors import system

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

SEED = 20251128
PERIOD = 2025
REPEATS = 5


def _decimal(x: float) -> Decimal:
    return Decimal(str(round(float(x), 2)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regions", type=int, default=6000)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()
    fresh_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from county_innovation.collection.models import ValidationRule
    from county_innovation.collection.rules import check_values
    from county_innovation.collection.services.rules import default_rules_ensure
    from county_innovation.indicators.models import DataValue, Indicator
    from county_innovation.indicators.services import default_frameworks_ensure
    from county_innovation.regions.models import Region

    call_command("migrate", verbosity=0)
    _, town = default_frameworks_ensure(actor=system("基准测试"))
    default_rules_ensure(town, actor=system("基准测试"))
    indicators = list(Indicator.objects.filter(nodes__framework=town).order_by("code"))
    by_code = {i.code: i for i in indicators}
    ValidationRule.objects.create(
        framework=town, kind="range", indicator=by_code["town_tech_smes"], max_value=Decimal(5000)
    )
    ValidationRule.objects.create(
        framework=town,
        kind="cross",
        indicator=by_code["town_hightech_enterprises"],
        other=by_code["town_tech_smes"],
        factor=Decimal(100),
    )

    n = args.regions
    codes = [f"99{k:07d}" for k in range(n)]
    Region.objects.bulk_create(
        [Region(code=c, name=f"合成镇{k}", level="town") for k, c in enumerate(codes)], batch_size=2000
    )
    rng = np.random.default_rng(SEED)
    last = rng.lognormal(3, 0.6, size=(n, len(indicators)))
    now = last * rng.lognormal(0.05, 0.15, size=last.shape)  # about 1 % change by more than half
    stored = [
        DataValue(region_id=c, period=period, indicator=ind, value=_decimal(table[r, k]))
        for period, table in ((PERIOD - 1, last), (PERIOD, now))
        for r, c in enumerate(codes)
        for k, ind in enumerate(indicators)
    ]
    DataValue.objects.bulk_create(stored, batch_size=5000)
    values = {
        (c, ind.code): _decimal(now[r, k]) for r, c in enumerate(codes) for k, ind in enumerate(indicators)
    }
    one = {key: v for key, v in values.items() if key[0] == codes[0]}

    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, numpy {np.__version__}, database {connection.vendor}"
    )
    print(f"rules: {ValidationRule.objects.filter(framework=town).count()}; stored values: {len(stored):,}")
    print(f"{'case':<36}{'values':>8}{'findings':>10}{'best s':>9}{'median s':>10}{'CPU s':>8}")
    for case, checked, stage in (
        ("every value (import), save", values, "save"),
        ("every value (import), submit", values, "submit"),
        ("one town (grid save)", one, "save"),
    ):
        times, cpu = [], []
        for _ in range(REPEATS):
            started, started_cpu = time.perf_counter(), time.process_time()
            findings = check_values(framework=town, period=PERIOD, values=checked, stage=stage)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        print(
            f"{case:<36}{len(checked):>8,}{len(findings):>10,}{min(times):>9.3f}{statistics.median(times):>10.3f}"
            f"{statistics.median(cpu):>8.3f}"
        )


if __name__ == "__main__":
    main()
