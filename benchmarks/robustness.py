"""Time the uncertainty and sensitivity analyses on COINr's ASEM example (51 units, 49 indicators).

The design is COINr's reference one (data/coinr-asem/README.md): weights of levels 2 and 3 ±25 %, min-max
1–100 or z-score (10, 2), arithmetic or geometric mean; uncertainty with 500 replications, sensitivity
with N = 500 base samples (2,500 runs) and 1,000 bootstrap resamples. Aims on a 2-core machine: under
1 s and 5 s, peak memory under 2 GB; COINr takes 87 s and 426 s.

Run: ``.venv/bin/python benchmarks/robustness.py``.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy

# Runnable from a plain checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from county_innovation.engine.hierarchy import Hierarchy, Node
from county_innovation.engine.pipeline import MethodSpec
from county_innovation.engine.sensitivity import run_sensitivity
from county_innovation.engine.uncertainty import UncertaintySpec, run_uncertainty

DATA = Path(__file__).resolve().parents[1] / "src/county_innovation/engine/tests/data/coinr-asem"
DESIGN = {
    "seed": 1,
    "weight_noise": {"2": 0.25, "3": 0.25},
    "normalisations": ["minmax:1,100", "zscore:10,2"],
    "aggregations": ["arithmetic", "geometric"],
}
REPEATS = 5


def asem() -> tuple[pd.DataFrame, Hierarchy]:
    meta = pd.read_csv(DATA / "ASEM_iMeta.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    h = Hierarchy(
        [
            Node(r.iCode, None if pd.isna(r.Parent) else r.Parent, float(r.Weight), int(r.Direction), r.iName)
            for r in meta.itertuples()
        ]
    )
    data = pd.read_csv(DATA / "asem_canonical_Treated.csv", dtype={"uCode": str}).set_index("uCode")
    return data, h


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs, {mem:.0f} GiB; "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"scipy {scipy.__version__}"
    )


def timed(fn: Callable[[], object]) -> tuple[float, float, float]:
    """Best and median wall time over REPEATS runs, and the peak traced allocation (MiB) of one run."""
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return min(times), statistics.median(times), peak


def main() -> None:
    data, h = asem()
    print(machine())
    ua = UncertaintySpec(replications=500, **DESIGN)
    sa = UncertaintySpec(replications=500, bootstrap=1000, **DESIGN)
    rows = [
        ("uncertainty, 500 replications", 500, 1.0, 87.0, lambda: run_uncertainty(data, h, MethodSpec(), ua)),
        (
            "sensitivity, N = 500 (2,500 runs)",
            2500,
            5.0,
            426.0,
            lambda: run_sensitivity(data, h, MethodSpec(), sa),
        ),
    ]
    head = ("analysis", "runs", "best s", "median s", "aim s", "COINr s", "peak MiB")
    print("\n{:36} {:>6} {:>8} {:>9} {:>6} {:>8} {:>9}".format(*head))
    for name, runs, aim, coinr, fn in rows:
        best, med, peak = timed(fn)
        print(f"{name:36} {runs:>6} {best:>8.3f} {med:>9.3f} {aim:>6.1f} {coinr:>8.0f} {peak:>9.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of the whole process: {rss:.0f} MiB (aim < 2048)")


if __name__ == "__main__":
    main()
