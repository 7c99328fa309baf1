"""Benchmark: `county-innovation regions load --all` (2,978 counties, 41,352 towns) into a fresh database.

Run: .venv/bin/python benchmarks/regions_load.py [--database-url postgres://postgres@127.0.0.1:5432/bench]
Prints the machine and a table: first load (inserts) and a reload (upserts). Aim: under 30 s.
"""

import argparse
import os
import platform
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ["COUNTY_INNOVATION_VAR"] = tmp
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county_innovation.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from county_innovation.common.actors import system
    from county_innovation.regions.models import Region
    from county_innovation.regions.services import regions_load

    call_command("migrate", verbosity=0)
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"database {connection.vendor}"
    )
    print(f"{'step':<22}{'regions':>10}{'seconds':>10}")
    for step in ("first load (insert)", "reload (upsert)"):
        started = time.perf_counter()
        regions_load(actor=system("基准测试"), city=None)
        print(f"{step:<22}{Region.objects.count():>10,}{time.perf_counter() - started:>10.2f}")


if __name__ == "__main__":
    main()
