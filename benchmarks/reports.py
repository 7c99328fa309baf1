"""Benchmark: the bulletin for 9 counties + 139 towns (issue 7: under 10 s) and a county profile (under 2 s).

Run: .venv/bin/python benchmarks/reports.py [--repeat 3] [--database-url …]
Loads the Nanchang demo into a fresh database (not timed), then times, for the 2024 county run: building the
bulletin's Word file (data, summary, charts, tables), converting it to PDF with LibreOffice, and the whole
background task (both, stored as a version); and for 南昌县 the profile's Word file (data, two charts, tables).
The first LibreOffice conversion of a process also creates its profile directory; it is reported separately.
"""

import argparse
import os
import platform
import statistics
import sys
import time

from _django import fresh_django  # benchmarks/_django.py

from county_innovation.common.actors import system


def _timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()
    fresh_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from county_innovation.evaluation.models import EvaluationRun
    from county_innovation.regions.models import Region
    from county_innovation.reports.bulletin import bulletin_docx
    from county_innovation.reports.pdf import docx_to_pdf
    from county_innovation.reports.profile import county_profile, profile_docx
    from county_innovation.reports.services import bulletin_create_now
    from county_innovation.web.demo import demo_load

    call_command("migrate", verbosity=0)
    demo_load()
    run = EvaluationRun.objects.get(framework__code="county", period=2024, status="published")
    towns = EvaluationRun.objects.get(framework__code="town", period=2024, status="published")
    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, database {connection.vendor}"
    )
    print(
        f"data: {run.results.count()} counties, {towns.results.count()} towns; median / max of {args.repeat}"
    )
    docx = bulletin_docx(run)
    started = time.perf_counter()
    docx_to_pdf(docx)
    print(f"{'LibreOffice first conversion (profile dir)':<46}{time.perf_counter() - started:>8.2f} s")
    county = Region.objects.get(code="360121")
    steps = [
        ("bulletin .docx", lambda: bulletin_docx(run)),
        ("bulletin .docx → .pdf (LibreOffice)", lambda: docx_to_pdf(docx)),
        ("bulletin task: docx + pdf, stored", lambda: bulletin_create_now(run=run, actor=system("测试"))),
        (
            "county profile .docx (南昌县)",
            lambda: profile_docx(county_profile(county=county, period=None, show_raw=True)),
        ),
    ]
    for name, fn in steps:
        median, worst = _timed(fn, args.repeat)
        print(f"{name:<46}{median:>8.2f} s{worst:>8.2f} s")


if __name__ == "__main__":
    main()
