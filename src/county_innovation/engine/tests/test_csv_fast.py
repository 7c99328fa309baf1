"""The fast CSV writer writes the very bytes pandas ``to_csv(float_format="%.15g")`` wrote before it.

The reference is the old code itself: Python's ``"%.15g" %`` for single numbers, pandas ``to_csv`` for
tables, and a copy of the former ``write_outputs`` (pandas throughout) for the command's files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from county_innovation.engine import MethodSpec, evaluate
from county_innovation.engine.coinr_io import (
    OUTPUT_FILES,
    _coinr_order,
    _table,
    read_coinr,
    write_outputs,
)
from county_innovation.engine.csv_fast import format_floats, write_csv
from county_innovation.engine.rank import rank_scores
from county_innovation.engine.robustness_io import write_rank_stats, write_sensitivity
from county_innovation.engine.sensitivity import run_sensitivity
from county_innovation.engine.uncertainty import UncertaintySpec, run_uncertainty

ASEM = Path(__file__).parent / "data" / "coinr-asem"

EDGES = [
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 2.5, 0.125, 1e15, 1e14, 1e16, 999999999999999.5, 999999999999999.4,
    99999999999999.95, 9.9999999999999995e-5, 1e-4, 1e-5, 0.0001234, 0.00012345678901234567, 1e-8,
    9.999999999999999e-9, 1.0000000000000001e-8, 1e37, 9.99999999999999e36, 1e-100, 1e100, 5e-324,
    2.2250738585072014e-308, 1.7976931348623157e308, 123456789012345678.0, 100.0, 1234.5, -0.00012345,
    1 / 3, 2 / 3, 0.1 + 0.2, 4.35, 0.285, 1.0000000000000002, 0.9999999999999999, 12345678901234.5,
    1234567890123.45, 5e-5, 5e15, 2**53, 2.0**-30, 7e22, 7e-23, np.inf, -np.inf, np.nan,
]  # fmt: skip


def _text(slots: np.ndarray) -> list[str]:
    return [bytes(row[row != 0]).decode("ascii") for row in slots]


def _expected(values: np.ndarray) -> list[str]:
    return ["" if np.isnan(v) else "%.15g" % v for v in values]  # noqa: UP031 (the reference is %)


def test_edge_values_format_as_python_does() -> None:
    values = np.array(EDGES + [-v for v in EDGES])
    assert _text(format_floats(values)) == _expected(values)


def test_every_magnitude_and_rounding_boundary_formats_as_python_does() -> None:
    rng = np.random.default_rng(7)
    mantissa = rng.random(60_000) * 9 + 1
    with np.errstate(over="ignore"):
        values = mantissa * 10.0 ** rng.integers(-330, 309, size=mantissa.size)
    # numbers that sit on a 15-digit rounding boundary (…5 in the 16th digit), where an inexact
    # product would round the wrong way
    ties = (rng.integers(10**15, 10**16, size=20_000) // 10 * 10 + 5) * 10.0 ** rng.integers(-25, 25, 20_000)
    integers = rng.integers(-(10**15), 10**15, size=20_000).astype("float64")
    for block in (values, -values, ties, integers, np.round(rng.random(20_000) * 100, 3)):
        assert _text(format_floats(block)) == _expected(block)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=50))
def test_any_float_formats_as_python_does(values: list[float]) -> None:
    array = np.array(values, dtype="float64")
    assert _text(format_floats(array)) == _expected(array)


def _pandas_bytes(frame: pd.DataFrame, path: Path, index: bool) -> bytes:
    frame.to_csv(path, float_format="%.15g", na_rep="", index=index, encoding="utf-8")
    return path.read_bytes()


@pytest.mark.parametrize("index", [True, False])
def test_tables_of_every_column_kind_are_byte_identical(tmp_path: Path, index: bool) -> None:
    rng = np.random.default_rng(3)
    n = 3_000
    scale = 10.0 ** rng.integers(-12, 20, size=n)
    floats = rng.standard_normal(n) * scale
    floats[::17] = np.nan
    floats[5::101] = 0.0
    floats[7::211] = rng.integers(-50, 50, size=floats[7::211].size)
    frame = pd.DataFrame(
        {
            "值": floats,
            "small": rng.random(n) * 1e-6,
            "huge": rng.random(n) * 1e300,
            "count": rng.integers(-5, 10**12, size=n),
            "rank": pd.array(np.where(rng.random(n) < 0.1, np.nan, rng.integers(1, n, n)), dtype="Int64"),
            "flag": rng.random(n) < 0.5,
            "name": rng.choice(["甲县", 'say "hi"', "a,b", "line\nbreak", "", "plain"], size=n),
            "group": pd.Categorical(rng.choice(["L", "M", "S, or none"], size=n)),
            "maybe": pd.Series(rng.choice(["x", "y"], size=n)).where(rng.random(n) < 0.7),
        },
        index=pd.Index([f"u{i:05d}" for i in range(n)], name="uCode"),
    )
    got = write_csv(frame, tmp_path / "fast.csv", index=index).read_bytes()
    assert got == _pandas_bytes(frame, tmp_path / "pandas.csv", index)


def test_unhandled_columns_and_unnamed_index_still_match(tmp_path: Path) -> None:
    frame = pd.DataFrame({"mixed": [1, "a", 2.5, None], "when": pd.date_range("2025-01-01", periods=4)})
    got = write_csv(frame, tmp_path / "fast.csv").read_bytes()
    assert got == _pandas_bytes(frame, tmp_path / "pandas.csv", True)
    plain = pd.DataFrame({"a": [1.5, np.nan], "b": [-2.0, 3e-7]})
    got = write_csv(plain, tmp_path / "fast2.csv").read_bytes()
    assert got == _pandas_bytes(plain, tmp_path / "pandas2.csv", True)


def _reference_write_outputs(result, out: Path) -> None:
    """``coinr_io.write_outputs`` as it was before the fast writer (pandas to_csv throughout)."""
    out.mkdir(parents=True, exist_ok=True)
    h = result.hierarchy
    units = sorted(str(u) for u in result.data.index)
    ind = list(h.indicators)

    def save(frame: pd.DataFrame, name: str, index: bool = True) -> None:
        frame.to_csv(out / name, float_format="%.15g", na_rep="", index=index, encoding="utf-8")

    save(_table(result.steps["impute"].data, units, ind), "imputed.csv")
    save(_table(result.steps["treat"].data, units, ind), "treated.csv")
    save(_table(result.normalised, units, ind), "normalised.csv")
    combined = pd.concat([result.normalised, result.scores], axis=1)
    order = _coinr_order(h)
    save(_table(combined, units, order), "aggregated.csv")
    ranks = pd.concat([rank_scores(result.normalised), result.ranks], axis=1)
    level = {c: h.level(c) for c in order}
    long = pd.DataFrame(
        {
            "uCode": np.tile(units, len(order)),
            "iCode": np.repeat(order, len(units)),
            "Level": np.repeat([level[c] for c in order], len(units)),
            "Score": combined.reindex(index=units, columns=order).to_numpy().T.ravel(),
            "Rank": ranks.reindex(index=units, columns=order).T.stack(future_stack=True).to_numpy(),
        }
    )
    long["Rank"] = long["Rank"].astype("Int64")
    save(long, "scores_ranks.csv", index=False)
    if result.treat_details is not None:
        save(result.treat_details, "treat_details.csv")


def _same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_command_files_on_asem_are_byte_identical(tmp_path: Path) -> None:
    inp = read_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    data = inp.data[list(inp.hierarchy.indicators)]
    for name, spec in {
        "coinr": MethodSpec(treat="coinr"),
        "mean": MethodSpec(impute="mean", treat="coinr", normalisation="zscore"),
        "geometric": MethodSpec(minmax_range=(1, 100), aggregation="geometric"),
    }.items():
        result = evaluate(data, inp.hierarchy, spec)
        write_outputs(result, tmp_path / name / "fast")
        _reference_write_outputs(result, tmp_path / name / "pandas")
        _same_files(tmp_path / name / "fast", tmp_path / name / "pandas")
    assert set(OUTPUT_FILES) <= {p.name for p in (tmp_path / "coinr" / "fast").iterdir()}


def test_command_files_on_skewed_data_with_gaps_are_byte_identical(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "benchmarks"))
    from engine_pipeline import PIPELINE, framework, synthetic

    data = synthetic(1_500, np.random.default_rng(11))
    data.iloc[::50, 3] = -data.iloc[::50, 3]  # negative raw values
    result = evaluate(data, framework(), PIPELINE)
    write_outputs(result, tmp_path / "fast")
    _reference_write_outputs(result, tmp_path / "pandas")
    _same_files(tmp_path / "fast", tmp_path / "pandas")


def test_only_the_chosen_tables_are_written(tmp_path: Path) -> None:
    inp = read_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    result = evaluate(inp.data[list(inp.hierarchy.indicators)], inp.hierarchy, MethodSpec(treat="coinr"))
    written = write_outputs(result, tmp_path, outputs=["scores_ranks", "treat_details"])
    assert sorted(p.name for p in written) == ["scores_ranks.csv", "treat_details.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores_ranks.csv", "treat_details.csv"]


def test_robustness_files_are_byte_identical(tmp_path: Path) -> None:
    inp = read_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    data = inp.data[list(inp.hierarchy.indicators)]
    spec = UncertaintySpec(
        replications=60,
        weight_noise={2: 0.25},
        normalisations=["minmax:1,100", "zscore:10,2"],
        aggregations=["arithmetic", "geometric"],
        bootstrap=50,
    )
    ua = run_uncertainty(data, inp.hierarchy, MethodSpec(treat="coinr"), spec)
    sa = run_sensitivity(data, inp.hierarchy, MethodSpec(treat="coinr"), spec)
    stats = ua.rank_stats.copy()
    stats.loc[3, "Mean"] = np.nan  # an unranked unit
    pairs = [
        (write_rank_stats(stats, tmp_path / "rank_stats.csv"), stats),
        (write_sensitivity(sa, tmp_path / "sensitivity.csv"), sa.indices),
    ]
    for path, frame in pairs:
        assert path.read_bytes() == _pandas_bytes(frame, tmp_path / "pandas.csv", False)
