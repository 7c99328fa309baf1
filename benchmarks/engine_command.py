"""Time the whole `county-innovation index` command, start to exit, as a user waits for it.

Each case runs the command in a fresh subprocess several times and reports the median wall time, the
median CPU time (user + system, from the child's own rusage: other sessions loading the machine inflate
wall time, not CPU time) and the peak resident memory of the child process. The inputs are written in
COINr's file format (iData.csv, iMeta.csv) into a temporary directory:

- 2,800 × 40 and 41,352 × 40: the seeded lognormal data of ``engine_pipeline.py`` (5 % missing, every 4th
  indicator 逆向, index → 2 sub-indices → 8 dimensions → 40 indicators), run with ``--impute mean --treat
  coinr`` (the whole impute → treat → normalise → aggregate pipeline), all output tables written;
- COINr's ASEM example (51 units, 49 indicators) with ``--treat coinr`` and the reference robustness design
  (levels 2 and 3 weights ±25 %, min-max 1–100 or z-score (10, 2), arithmetic or geometric mean):
  uncertainty with 500 replications, sensitivity with N = 500 (2,500 runs, 1,000 bootstrap resamples);
- national robustness: uncertainty with 1,000 replications of that design on 41,352 × 40 (z-score with
  mean 20: with 10 a few units fall below 0, which the geometric mean refuses).

Run: ``.venv/bin/python benchmarks/engine_command.py [--src DIR] [--repeat 5] [--only NAME ...]``.
``--src`` points at another checkout's ``src`` (to measure the code before a change). Aims (issue 17):
2,800 × 40 < 0.6 s, 41,352 × 40 < 2.5 s, ASEM uncertainty < 0.8 s, sensitivity < 1.0 s, national
uncertainty < 1 GiB resident. COINr's whole Rscript: 2.3 s and 20.6 s for the two sizes (issue 17).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from engine_pipeline import N_INDICATORS, SEED, framework, synthetic  # noqa: E402
from robustness import DATA as ASEM  # noqa: E402
from robustness import DESIGN, machine  # noqa: E402

# (name, aim in seconds or None, aim for peak RSS in MiB or None)
AIMS = {
    "index 2,800 × 40": (0.6, None),
    "index 41,352 × 40": (2.5, None),
    "ASEM uncertainty 500": (0.8, None),
    "ASEM sensitivity 500": (1.0, None),
    "uncertainty 1,000 on 41,352": (None, 1024),
}


def write_coinr(n_units: int, folder: Path) -> tuple[Path, Path]:
    """The benchmark data set as COINr's iData.csv / iMeta.csv (15 significant digits, empty = missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    h = framework()
    rows = []
    for code in [*h.indicators, *sorted(h.aggregates, key=lambda c: h.level(c))]:
        parent = h.parent(code) or ""
        typ = "Indicator" if code in h.indicators else "Aggregate"
        rows.append((h.level(code), code, code, h.directions.get(code, 1), h.weight(code), parent, typ))
    meta = pd.DataFrame(rows, columns=["Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type"])
    meta.to_csv(folder / "iMeta.csv", index=False)
    data = synthetic(n_units, np.random.default_rng(SEED))
    data.insert(0, "Time", 2025)
    data.insert(0, "uName", [f"单位{u}" for u in data.index])
    data.index.name = "uCode"
    data.to_csv(folder / "iData.csv", float_format="%.15g")
    return folder / "iData.csv", folder / "iMeta.csv"


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one run of ``cmd``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default=str(ROOT / "src"), help="the checkout's src folder to run")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="case names containing any of these words")
    parser.add_argument("--extra", default="", help="extra options for every index run, e.g. --outputs")
    args = parser.parse_args()

    env = {**os.environ, "PYTHONPATH": args.src}
    base = [sys.executable, "-m", "county_innovation.cli", "index"]
    extra = args.extra.split()
    print(machine())
    print(f"code: {args.src}; load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="engine-command-") as tmp:
        tmp_path = Path(tmp)
        small = write_coinr(2_800, tmp_path / "small")
        large = write_coinr(41_352, tmp_path / "large")
        ua = tmp_path / "ua.json"
        ua.write_text(json.dumps({**DESIGN, "replications": 500}), encoding="utf-8")
        sa = tmp_path / "sa.json"
        sa.write_text(json.dumps({**DESIGN, "replications": 500, "bootstrap": 1000}), encoding="utf-8")
        national = tmp_path / "ua1000.json"
        # z-score (20, 2): with (10, 2) a few of 41,352 units fall below 0, which the geometric mean refuses.
        wide = {**DESIGN, "normalisations": ["minmax:1,100", "zscore:20,2"], "replications": 1000}
        national.write_text(json.dumps(wide), encoding="utf-8")
        asem = ["--idata", str(ASEM / "ASEM_iData.csv"), "--imeta", str(ASEM / "ASEM_iMeta.csv")]
        pipeline = ["--impute", "mean", "--treat", "coinr"]

        def files(pair: tuple[Path, Path]) -> list[str]:
            return ["--idata", str(pair[0]), "--imeta", str(pair[1])]

        cases = {
            "index 2,800 × 40": [*files(small), *pipeline],
            "index 41,352 × 40": [*files(large), *pipeline],
            "ASEM uncertainty 500": [*asem, "--treat", "coinr", "--uncertainty", str(ua)],
            "ASEM sensitivity 500": [*asem, "--treat", "coinr", "--sensitivity", str(sa)],
            "uncertainty 1,000 on 41,352": [*files(large), *pipeline, "--uncertainty", str(national)],
        }
        head = f"{'case':30} {'runs':>4} {'wall s':>7} {'min s':>6} {'CPU s':>6} {'aim s':>5} {'RSS MiB':>8}"
        print(f"{N_INDICATORS} indicators, seed {SEED}; median of the runs (wall and CPU), peak RSS: max\n")
        print(head)
        print("-" * len(head))
        for name, opts in cases.items():
            if args.only and not any(word in name for word in args.only):
                continue
            out = tmp_path / "out"
            cmd = [*base, *opts, "--out", str(out), *extra]
            repeat = 3 if "1,000" in name else args.repeat
            runs = [run_once(cmd, env) for _ in range(repeat)]
            walls, cpus, rss = zip(*runs, strict=True)
            aim = AIMS[name][0]
            print(
                f"{name:30} {repeat:>4} {statistics.median(walls):>7.2f} {min(walls):>6.2f} "
                f"{statistics.median(cpus):>6.2f} {aim if aim else '':>5} {max(rss):>8.0f}"
            )
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
