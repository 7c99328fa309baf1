"""Time the composite-index engine on synthetic data of the platform's sizes.

2,800 units is the order of a province's townships, 41,352 about all of China's; 40 indicators in
8 dimensions and 2 sub-indices. Values are seeded lognormal (skewed, like most county statistics) with 5%
missing at random and a quarter of the indicators negative (逆向). Each configuration runs ``evaluate``
(validation, availability screen, normalisation, aggregation, ranking and the input hash) several times;
the table shows the best and the median wall time, and the stages' share from one separate timed run.

Run: ``.venv/bin/python benchmarks/engine_pipeline.py``. For comparison, COINr's impute → treat →
normalise → aggregate pipeline on 2,800 × 40 takes 1.7 s on a 2-core CI-class machine (see
src/county_innovation/engine/tests/data/coinr-asem/README.md).
"""

from __future__ import annotations

import os
import platform
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
    input_hash,
    normalise,
    rank_scores,
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


if __name__ == "__main__":
    main()
