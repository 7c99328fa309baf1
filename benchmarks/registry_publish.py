"""Benchmark: a registry publishing its figures for every town of the country into a fresh SQLite database.

Run: .venv/bin/python benchmarks/registry_publish.py [--database-url …] [--limit N]
The whole country's divisions are loaded (about 40,000 towns), with the default frameworks and their registry
indicators; the registry "enterprises" then publishes each of its town indicators for every town through
``collection.services.publishing.registry_publish`` (every check, the values and one history row per value).
Timed, the whole call, wall and CPU seconds: the first publication (inserts), the same figures again (nothing
changes), and every figure changed (updates). Building the figures is not timed.

Measured with ``PYTHONPATH=$PWD/src .venv/bin/python benchmarks/registry_publish.py`` on a shared VM (Linux 6.18,
2-core Intel Xeon, Python 3.11.7, SQLite), 41,352 towns × 5 indicators = 206,760 values; wall s / CPU s:

==============================  ======================  ======================
step                            simple-history helpers  common.bulk
==============================  ======================  ======================
first publication (inserts)     25.0 / 24.8             21.4 / 8.4
same figures again              6.0 / 6.0               8.3 / 3.3
every figure changed (updates)  104.4 / 103.1           18.2 / 7.2
==============================  ======================  ======================

(load average 1.3 before, 5.7 after: the after run shared the cores with other work, so its CPU seconds are the
comparable figures).
"""

import argparse
import inspect
import os
import platform
import random
import sys
import time

from _django import fresh_django  # benchmarks/_django.py


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--limit", type=int, default=0, help="publish for the first N towns only (0: all)")
    args = parser.parse_args()
    fresh_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    try:
        from county_innovation.collection.services.publishing import registry_publish
    except ImportError:  # before the collection services became a package
        from county_innovation.collection.publishing import registry_publish
    from county_innovation.common.actors import system
    from county_innovation.indicators.models import DataValue, Indicator, Origin
    from county_innovation.indicators.services import default_frameworks_ensure
    from county_innovation.regions.models import Region
    from county_innovation.regions.services import regions_load

    started = time.perf_counter()
    regions_load(city=None)
    default_frameworks_ensure(**_actor_kw(default_frameworks_ensure, system("基准测试")))
    towns = list(Region.objects.filter(level="town").order_by("code").values_list("code", flat=True))
    if args.limit:
        towns = towns[: args.limit]
    codes = sorted(
        Indicator.objects.filter(origin=Origin.REGISTRY, registry="enterprises", level="town").values_list(
            "code", flat=True
        )
    )
    period = timezone.localdate().year - 1
    rng = random.Random(2025)
    first = {(t, c): rng.randint(0, 400) for t in towns for c in codes}
    changed = {key: value + 1 for key, value in first.items()}
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, database {connection.vendor}"
    )
    print(
        f"data: {len(towns):,} towns × {len(codes)} registry indicators = {len(first):,} values "
        f"(set up in {time.perf_counter() - started:.1f} s, not timed)"
    )
    print(f"{'step':<34}{'created':>9}{'updated':>9}{'unchanged':>10}{'seconds':>9}{'cpu s':>8}")
    actor = _actor_kw(registry_publish, system("基准测试"))
    for step, values in [
        ("first publication", first),
        ("same figures again", first),
        ("every figure changed", changed),
    ]:
        wall, cpu = time.perf_counter(), time.process_time()
        report = registry_publish(registry="enterprises", period=period, values=values, **actor)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{step:<34}{report.created:>9,}{report.updated:>9,}{report.unchanged:>10,}{wall:>9.2f}{cpu:>8.2f}"
        )
    print(
        f"stored values: {DataValue.objects.filter(period=period).count():,}, history rows: "
        f"{DataValue.history.filter(period=period).count():,}; load average {os.getloadavg()[0]:.1f}"
    )


def _actor_kw(function, actor) -> dict:
    """``actor=`` for services that take one; the platform as ``user=None`` for those that predate actors."""
    parameters = inspect.signature(function).parameters
    if "actor" in parameters:
        return {"actor": actor}
    return {"user": None} if "user" in parameters else {}


if __name__ == "__main__":
    main()
