"""Time the composite-index engine on synthetic data of the platform's sizes.

2,800 units is the order of a province's townships, 41,352 about all of China's; 40 indicators in
8 dimensions and 2 sub-indices. Values are seeded lognormal (skewed, like most county statistics) with 5%
missing at random and a quarter of the indicators negative (逆向). Each configuration runs ``evaluate``
(validation, availability screen, normalisation, aggregation, ranking and the input hash) several times;
the table shows the best and the median wall time, and the stages' share from one separate timed run.

The second table is the issue's speed aim: the whole impute (mean) → treat (COINr default: skew/kurtosis
test, winsorisation, log_CT fallback) → normalise (min-max 0–100) → aggregate (arithmetic) pipeline, run
through ``evaluate`` (which also screens, ranks and hashes); aims on a 2-core machine: 2,800 × 40 under
50 ms and 41,352 × 40 under 1 s. Peak memory is the process's maximum resident set size (getrusage).

Run: ``.venv/bin/python benchmarks/engine_pipeline.py``. For comparison, COINr's impute → treat →
normalise → aggregate pipeline on 2,800 × 40 takes 1.7 s on a 2-core CI-class machine (see
src/county_innovation/engine/tests/data/coinr-asem/README.md).
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

# Runnable from a plain checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from county_innovation.engine import (
    Hierarchy,
    MethodSpec,
    Node,
    aggregate,
    evaluate,
    impute,
    input_hash,
    normalise,
    rank_scores,
    treat,
)

SEED = 20240601
N_INDICATORS = 40
MISSING = 0.05
SIZES = [(2_800, 7), (41_352, 5)]  # (units, repetitions)
SPECS = {
    "minmax 0–100, arithmetic": MethodSpec(),
    "zscore, arithmetic": MethodSpec(normalisation="zscore"),
    "minmax 1–100, geometric": MethodSpec(minmax_range=(1, 100), aggregation="geometric"),
    "minmax, arith., threshold 0.9": MethodSpec(availability_threshold=0.9),
}
PIPELINE = MethodSpec(impute="mean", treat="coinr")  # then min-max 0–100 and the arithmetic mean
AIMS = {2_800: 0.050, 41_352: 1.0}  # seconds, issue 3 item 8


def framework() -> Hierarchy:
    """Index → 2 sub-indices → 8 dimensions → 40 indicators, unequal weights, every 4th indicator 逆向."""
    nodes = [Node("IDX", None), Node("S1", "IDX", 0.6), Node("S2", "IDX", 0.4)]
    for d in range(8):
        nodes.append(Node(f"D{d}", "S1" if d < 4 else "S2", 1.0 + d % 3))
    for i in range(N_INDICATORS):
        nodes.append(Node(f"X{i:02d}", f"D{i // 5}", 1.0 + i % 2, -1 if i % 4 == 3 else 1))
    return Hierarchy(nodes)


def synthetic(n_units: int, rng: np.random.Generator) -> pd.DataFrame:
    """Seeded lognormal values on varied scales with ``MISSING`` of them blanked at random."""
    values = rng.lognormal(mean=0.0, sigma=1.0, size=(n_units, N_INDICATORS))
    values *= 10.0 ** rng.integers(-2, 5, size=N_INDICATORS)  # units from % to 万元
    values[rng.random(values.shape) < MISSING] = np.nan
    units = [f"{i:06d}" for i in range(n_units)]
    return pd.DataFrame(values, index=units, columns=[f"X{i:02d}" for i in range(N_INDICATORS)])


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def stages(data: pd.DataFrame, h: Hierarchy, spec: MethodSpec) -> dict[str, float]:
    """One pass through the stages separately (on all units; the threshold screen is negligible)."""
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    norm = normalise(data, h.directions, spec)
    t["normalise"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores = aggregate(norm, h, spec)
    t["aggregate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rank_scores(scores)
    t["rank"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    input_hash(data, h, spec)
    t["hash"] = time.perf_counter() - t0
    return t


def main() -> None:
    print("Machine")
    print(f"  platform   {platform.platform()}")
    print(f"  processor  {platform.processor() or platform.machine()}")
    print(f"  cpu count  {os.cpu_count()} (affinity: {len(os.sched_getaffinity(0))})")
    print(f"  python     {platform.python_version()} ({platform.python_implementation()})")
    print(f"  numpy      {np.__version__}   pandas {pd.__version__}")
    print(f"  seed {SEED}, {N_INDICATORS} indicators, {MISSING:.0%} missing, lognormal(0, 1)")
    print()

    h = framework()
    header = (
        f"{'units × ind.':>13} | {'method':<30} | {'runs':>4} | {'best s':>7} | {'median s':>8} | "
        f"{'normalise':>9} | {'aggregate':>9} | {'rank':>6} | {'hash':>6} | excluded"
    )
    print(header)
    print("-" * len(header))
    for n_units, repeat in SIZES:
        data = synthetic(n_units, np.random.default_rng(SEED))
        for label, spec in SPECS.items():
            result = evaluate(data, h, spec)  # warm-up, and the exclusion count for the table
            runs = timed(lambda d=data, s=spec: evaluate(d, h, s), repeat)
            st = stages(data, h, spec)
            print(
                f"{f'{n_units:,} × {N_INDICATORS}':>13} | {label:<30} | {repeat:>4} | {min(runs):>7.3f} | "
                f"{statistics.median(runs):>8.3f} | {st['normalise']:>9.3f} | {st['aggregate']:>9.3f} | "
                f"{st['rank']:>6.3f} | {st['hash']:>6.3f} | {len(result.excluded):,}"
            )
    print()
    print("best/median: wall time of evaluate(); stage columns: one separate run of each stage, seconds.")
    print()
    full_pipeline(h)


def pipeline_stages(data: pd.DataFrame, h: Hierarchy) -> dict[str, float]:
    """Best of three separate runs of each step of the full pipeline, seconds."""
    best: dict[str, float] = {}
    for _ in range(3):
        t0 = time.perf_counter()
        imputed = impute(data, "mean")
        t1 = time.perf_counter()
        treated = treat(imputed, "coinr").data
        t2 = time.perf_counter()
        norm = normalise(treated, h.directions, PIPELINE)
        t3 = time.perf_counter()
        aggregate(norm, h, PIPELINE)
        t4 = time.perf_counter()
        steps = ("impute", "treat", "normalise", "aggregate")
        for name, sec in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            best[name] = min(best.get(name, float("inf")), sec)
    return best


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def full_pipeline(h: Hierarchy) -> None:
    print(
        "Full pipeline: impute (mean) → treat (COINr default) → normalise (min-max 0–100) "
        "→ aggregate (arith.)"
    )
    header = (
        f"{'units × ind.':>13} | {'runs':>4} | {'best s':>7} | {'median s':>8} | {'aim s':>5} | {'met':>3} | "
        f"{'impute':>7} | {'treat':>7} | {'normal.':>7} | {'aggreg.':>7} | "
        f"{'log_CT':>6} | {'peak RSS MiB':>12}"
    )
    print(header)
    print("-" * len(header))
    for n_units, repeat in SIZES:
        data = synthetic(n_units, np.random.default_rng(SEED))
        result = evaluate(data, h, PIPELINE)  # warm-up
        runs = timed(lambda d=data: evaluate(d, h, PIPELINE), repeat + 2)
        st = pipeline_stages(data, h)
        logged = int((result.treat_details["Method"] == "log_CT").sum())
        aim = AIMS[n_units]
        print(
            f"{f'{n_units:,} × {N_INDICATORS}':>13} | {repeat + 2:>4} | {min(runs):>7.3f} | "
            f"{statistics.median(runs):>8.3f} | {aim:>5.2f} | {'yes' if min(runs) < aim else 'no':>3} | "
            f"{st['impute']:>7.4f} | {st['treat']:>7.4f} | "
            f"{st['normalise']:>7.4f} | {st['aggregate']:>7.4f} | "
            f"{logged:>6} | {peak_rss_mib():>12.0f}"
        )
    print()
    print(
        "best/median: evaluate() with screen, rank and hash included; step columns: best of 3 separate runs;"
    )
    print("log_CT: indicators that winsorising 5 points could not fix; peak RSS: whole process so far.")


if __name__ == "__main__":
    main()
