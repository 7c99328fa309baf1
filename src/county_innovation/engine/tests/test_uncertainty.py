"""Uncertainty analysis: agreement with COINr's ASEM reference, exactness of the vectorised simulator,
properties over random frameworks, and the spec's validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from county_innovation.engine.errors import EngineError
from county_innovation.engine.hierarchy import Hierarchy, Node
from county_innovation.engine.pipeline import MethodSpec, evaluate
from county_innovation.engine.robustness_io import write_rank_stats
from county_innovation.engine.sensitivity import run_sensitivity
from county_innovation.engine.uncertainty import (
    UncertaintySpec,
    rank_rows,
    rank_statistics,
    run_uncertainty,
)

DATA = Path(__file__).parent / "data" / "coinr-asem"
# COINr's ASEM uncertainty design (data/coinr-asem/README.md).
ASEM_DESIGN = {
    "weight_noise": {"2": 0.25, "3": 0.25},
    "normalisations": ["minmax:1,100", "zscore:10,2"],
    "aggregations": ["arithmetic", "geometric"],
}


def load_asem_hierarchy() -> Hierarchy:
    meta = pd.read_csv(DATA / "ASEM_iMeta.csv")
    meta = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    return Hierarchy(
        [
            Node(r.iCode, None if pd.isna(r.Parent) else r.Parent, float(r.Weight), int(r.Direction), r.iName)
            for r in meta.itertuples()
        ]
    )


def load_asem_treated() -> pd.DataFrame:
    return pd.read_csv(DATA / "asem_canonical_Treated.csv", dtype={"uCode": str}).set_index("uCode")


@pytest.fixture(scope="module")
def asem() -> tuple[pd.DataFrame, Hierarchy]:
    return load_asem_treated(), load_asem_hierarchy()


def test_asem_rank_intervals_agree_with_coinr(asem: tuple[pd.DataFrame, Hierarchy]) -> None:
    """500 replications of COINr's design against COINr's own 500.

    Both are Monte Carlo estimates with different random draws, so they can only agree statistically. The
    tolerances were set from 100 seeds of this implementation against the reference file: over all 100, every
    unit's Median, Q5 and Q95 were within ±3 ranks, at most one unit of 51 was beyond ±2, the mean absolute
    differences stayed below 0.45 ranks and every unit's Mean within 1.2 ranks. A percentile of a discrete
    rank distribution that spreads over 10+ ranks (LUX, MLT, CHN) moves by 2–3 ranks between two honest
    500-sample runs, so a per-unit ±2 for every unit would fail for about a third of seeds.
    """
    data, h = asem
    ref = pd.read_csv(DATA / "asem_UA_N500_RankStats.csv").set_index("uCode")
    result = run_uncertainty(data, h, MethodSpec(), UncertaintySpec(replications=500, seed=1, **ASEM_DESIGN))
    got = result.rank_stats.set_index("uCode").loc[ref.index]
    assert (got["Nominal"] == ref["Nominal"]).all()
    diff = (got - ref).abs()
    for col in ("Median", "Q5", "Q95"):
        assert diff[col].max() <= 3, col
        assert (diff[col] > 2).sum() <= 1, col
        assert diff[col].mean() <= 0.5, col
    assert diff["Mean"].max() <= 1.5
    assert diff["Mean"].mean() <= 0.35
    assert result.ranks.shape == (51, 500)
    assert set(result.factors) == {"Weights", "Normalisation", "Aggregation"}


def test_same_seed_same_result_other_seed_differs(asem: tuple[pd.DataFrame, Hierarchy]) -> None:
    data, h = asem
    spec = UncertaintySpec(replications=50, seed=7, **ASEM_DESIGN)
    a = run_uncertainty(data, h, None, spec)
    b = run_uncertainty(data, h, None, spec)
    c = run_uncertainty(data, h, None, UncertaintySpec(replications=50, seed=8, **ASEM_DESIGN))
    pd.testing.assert_frame_equal(a.ranks, b.ranks)
    pd.testing.assert_frame_equal(a.design, b.design)
    assert not a.ranks.equals(c.ranks)


@pytest.mark.parametrize(
    ("normalisation", "aggregation"),
    [
        ("minmax", "arithmetic"),
        ("zscore", "arithmetic"),
        ("minmax:1,100", "geometric"),
        ("zscore:10,2", "geometric"),
    ],
)
def test_single_choice_replications_reproduce_evaluate(
    asem: tuple[pd.DataFrame, Hierarchy], normalisation: str, aggregation: str
) -> None:
    data, h = asem
    spec = UncertaintySpec(replications=3, normalisations=[normalisation], aggregations=[aggregation])
    result = run_uncertainty(data, h, MethodSpec(), spec)
    norm = {"normalisation": normalisation.split(":")[0]}
    if normalisation == "minmax:1,100":
        norm["minmax_range"] = (1, 100)
    if normalisation == "zscore:10,2":
        norm["zscore_mean_sd"] = (10, 2)
    expected = evaluate(data, h, MethodSpec(aggregation=aggregation, **norm)).scores["Index"]
    for rep in result.scores.columns:
        np.testing.assert_allclose(result.scores[rep], expected.loc[result.scores.index], rtol=1e-12)


def test_nominal_choices_give_nominal_ranks_every_time(asem: tuple[pd.DataFrame, Hierarchy]) -> None:
    data, h = asem
    result = run_uncertainty(data, h, MethodSpec(), UncertaintySpec(replications=20, weight_noise={"2": 0.0}))
    assert result.factors == []
    nominal = evaluate(data, h).ranks["Index"].astype(float)
    assert (result.ranks.eq(nominal, axis=0)).all().all()
    stats = result.rank_stats.set_index("uCode")
    for col in ("Mean", "Median", "Q5", "Q95"):
        assert (stats[col] == stats["Nominal"]).all()


def test_leave_one_out_equals_dropping_the_indicator(asem: tuple[pd.DataFrame, Hierarchy]) -> None:
    data, h = asem
    spec = UncertaintySpec(replications=40, seed=3, leave_one_out=["LPI", "Goods", "NEET"])
    result = run_uncertainty(data, h, MethodSpec(), spec)
    assert result.factors == ["LeaveOneOut"]
    for rep, dropped in result.design["LeaveOneOut"].items():
        frame = data.copy()
        if dropped != "none":
            frame[dropped] = np.nan
        expected = evaluate(frame, h).scores["Index"]
        np.testing.assert_allclose(result.scores[rep], expected.loc[result.scores.index], rtol=1e-12)
    assert set(result.design["LeaveOneOut"]) == {"none", "LPI", "Goods", "NEET"}


def test_weight_noise_stays_within_its_band(asem: tuple[pd.DataFrame, Hierarchy]) -> None:
    data, h = asem
    from county_innovation.engine.uncertainty import _Simulator

    sim = _Simulator(data, h, MethodSpec(), UncertaintySpec(weight_noise={"2": 0.25}, weight_sets=200))
    pool = sim.weight_pool
    assert pool is not None and pool.shape == (200, len(sim.codes))
    ratio = pool / sim.base_w
    level2 = [sim.pos[c] for c in sim.codes if c != h.root and h.level(c) == 2]
    others = [j for j in range(len(sim.codes)) if j not in level2]
    assert ratio[:, level2].min() >= 0.75 and ratio[:, level2].max() <= 1.25
    assert ratio[:, level2].std() > 0.1  # really uniform on ±25 %, not a constant
    np.testing.assert_array_equal(ratio[:, others], 1.0)


def test_rank_rows_ties_share_the_best_rank_and_missing_stays_missing() -> None:
    scores = np.array([[3.0, 5.0, 5.0, np.nan, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(rank_rows(scores), [[3, 1, 1, np.nan, 4], [1, 1, 1, 1, 1]])


def test_geometric_alternative_on_non_positive_values_is_refused_in_chinese(
    asem: tuple[pd.DataFrame, Hierarchy],
) -> None:
    data, h = asem
    spec = UncertaintySpec(normalisations=["minmax:0,100"], aggregations=["geometric"])
    with pytest.raises(EngineError, match=r"几何平均要求标准化值为正数.*minmax:0,100"):
        run_uncertainty(data, h, MethodSpec(), spec)


def test_rank_stats_csv_has_the_command_format(asem: tuple[pd.DataFrame, Hierarchy], tmp_path: Path) -> None:
    data, h = asem
    result = run_uncertainty(data, h, None, UncertaintySpec(replications=20, **ASEM_DESIGN))
    path = write_rank_stats(result, tmp_path / "rank_stats.csv")
    back = pd.read_csv(path)
    assert list(back.columns) == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    assert len(back) == 51 and back["Nominal"].dtype.kind == "i"


# --- the spec --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"replications": 0}, "重复次数"),
        ({"replications": -5}, "重复次数"),
        ({"replications": 2.5}, "重复次数"),
        ({"normalisations": ["minmaxx"]}, "未知的标准化方法「minmaxx」"),
        ({"normalisations": ["rank:1,2"]}, "只有 minmax 和 zscore 可带参数"),
        ({"normalisations": ["minmax:100,1"]}, "下限必须小于上限"),
        ({"aggregations": ["median"]}, "未知的合成方法「median」"),
        ({"weight_noise": {"2": 1.0}}, "权重扰动幅度"),
        ({"weight_noise": {"2": -0.1}}, "权重扰动幅度"),
        ({"weight_noise": {"two": 0.1}}, "层级"),
        ({"seed": -1}, "随机种子"),
        ({"leave_one_out": "LPI"}, "leave_one_out"),
        ({"imputations": "mean"}, "imputations"),
    ],
)
def test_invalid_spec_is_refused_in_chinese(fields: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        UncertaintySpec(**fields)


def test_unknown_key_and_bad_json_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="未知字段：replication"):
        UncertaintySpec.from_dict({"replication": 10})
    bad = tmp_path / "bad.json"
    bad.write_text('{"replications": 10,', encoding="utf-8")
    with pytest.raises(EngineError, match="不是有效的 JSON"):
        UncertaintySpec.from_json(bad)
    with pytest.raises(EngineError, match="无法读取"):
        UncertaintySpec.from_json(tmp_path / "absent.json")


def test_json_round_trip(tmp_path: Path) -> None:
    spec = UncertaintySpec(
        replications=300,
        seed=42,
        weight_noise={2: 0.25, "3": 0.1},
        normalisations=["minmax:1,100", {"normalisation": "zscore", "zscore_mean_sd": [10, 2]}],
        aggregations=["amean", "gmean"],
        leave_one_out=["LPI"],
    )
    assert spec.aggregations == ("arithmetic", "geometric") and spec.weight_noise == {2: 0.25, 3: 0.1}
    path = tmp_path / "ua.json"
    path.write_text(json.dumps(spec.to_dict(), ensure_ascii=False), encoding="utf-8")
    assert UncertaintySpec.from_json(path) == spec


def test_run_time_problems_are_refused_in_chinese(asem: tuple[pd.DataFrame, Hierarchy]) -> None:
    data, h = asem
    with pytest.raises(EngineError, match="层级 7"):
        run_uncertainty(data, h, None, UncertaintySpec(weight_noise={"7": 0.2}))
    with pytest.raises(EngineError, match="不是指标体系中的指标"):
        run_uncertainty(data, h, None, UncertaintySpec(leave_one_out=["GDP"]))
    with pytest.raises(EngineError, match="不是指标体系中的汇总节点"):
        run_uncertainty(data, h, None, UncertaintySpec(target="LPI"))


# --- properties ----------------------------------------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn) -> tuple[pd.DataFrame, Hierarchy]:
    dims = draw(st.integers(1, 3))
    nodes = [Node("IDX", None)]
    codes = []
    for d in range(dims):
        nodes.append(Node(f"D{d}", "IDX", draw(st.sampled_from([0.5, 1.0, 2.0]))))
        for i in range(draw(st.integers(1, 3))):
            code = f"X{d}{i}"
            codes.append(code)
            nodes.append(
                Node(code, f"D{d}", draw(st.sampled_from([1.0, 2.0])), draw(st.sampled_from([1, -1])))
            )
    n = draw(st.integers(3, 8))
    # Figures with at most six decimals, as reported data have: a value like 6e-270 would make a z-score's
    # variance underflow to 0 (the column then counts as constant under z-score but not under min-max),
    # which says nothing about the method and would make the property below fail by chance.
    cell = st.one_of(st.floats(-1e3, 1e3, allow_nan=False).map(lambda x: round(x, 6)), st.just(np.nan))
    rows = draw(st.lists(st.lists(cell, min_size=len(codes), max_size=len(codes)), min_size=n, max_size=n))
    return pd.DataFrame(rows, index=[f"U{i}" for i in range(n)], columns=codes), Hierarchy(nodes)


SPECS = st.fixed_dictionaries(
    {
        "replications": st.integers(1, 40),
        "seed": st.integers(0, 1000),
        "weight_noise": st.dictionaries(st.sampled_from([1, 2]), st.floats(0, 0.9), max_size=2),
        # Positive normalisations only, so the geometric mean is always defined (|z| < 2.5 for n ≤ 8).
        "normalisations": st.lists(st.sampled_from(["minmax:1,100", "zscore:10,2"]), max_size=2, unique=True),
        "aggregations": st.lists(
            st.sampled_from(["arithmetic", "geometric", "harmonic"]), max_size=3, unique=True
        ),
        "leave_one_out": st.booleans(),
    }
)


@settings(max_examples=60, deadline=None)
@given(problems(), SPECS)
def test_rank_statistics_are_ordered_and_within_bounds(
    problem: tuple[pd.DataFrame, Hierarchy], fields: dict
) -> None:
    data, h = problem
    base = MethodSpec(minmax_range=(1, 100))
    result = run_uncertainty(data, h, base, UncertaintySpec(**fields))
    stats = result.rank_stats.dropna(subset=["Median"])
    n = int(result.nominal.ranks["IDX"].notna().sum())
    assert (stats["Q5"] <= stats["Median"]).all() and (stats["Median"] <= stats["Q95"]).all()
    assert (stats["Q5"] >= 1).all() and (stats["Q95"] <= n).all()
    assert ((stats["Mean"] >= 1) & (stats["Mean"] <= n)).all()
    nominal = result.rank_stats["Nominal"].dropna()
    assert ((nominal >= 1) & (nominal <= n)).all()
    if not fields["leave_one_out"]:  # dropping a unit's only indicator may leave it unranked
        # A unit is ranked in a replication exactly when it has any data, as in the nominal run.
        assert (
            result.ranks.notna().all(axis=1) == result.nominal.scores["IDX"].notna().loc[result.ranks.index]
        ).all()


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(1, 20), st.sampled_from([("minmax", "arithmetic"), ("zscore", "arithmetic")]))
def test_no_uncertainty_means_every_replication_is_the_nominal(
    problem: tuple[pd.DataFrame, Hierarchy], reps: int, choice: tuple[str, str]
) -> None:
    data, h = problem
    base = MethodSpec(normalisation=choice[0], aggregation=choice[1])
    result = run_uncertainty(data, h, base, UncertaintySpec(replications=reps, weight_noise={1: 0.0, 2: 0.0}))
    nominal = result.nominal.scores["IDX"].loc[result.scores.index]
    for rep in result.scores.columns:
        np.testing.assert_allclose(result.scores[rep], nominal, rtol=1e-9, atol=1e-9)
    # Ranks equal the nominal ones unless two nominal scores are a rounding hair apart.
    s = np.sort(nominal.dropna().to_numpy())
    if len(s) < 2 or np.diff(s).min() > 1e-9 * max(1.0, np.abs(s).max()):
        ranks = result.nominal.ranks["IDX"].loc[result.ranks.index].astype(float)
        assert result.ranks.eq(ranks, axis=0).where(ranks.notna(), True).all().all()


# --- the v2 steps: imputation and treatment alternatives, data-driven settings of the base spec ----------


@pytest.fixture(scope="module")
def asem_raw() -> tuple[pd.DataFrame, Hierarchy]:
    h = load_asem_hierarchy()
    raw = pd.read_csv(DATA / "ASEM_iData.csv", dtype={"uCode": str}).set_index("uCode")
    return raw[h.indicators], h


def test_imputation_and_treatment_alternatives_reproduce_evaluate(
    asem_raw: tuple[pd.DataFrame, Hierarchy],
) -> None:
    data, h = asem_raw
    spec = UncertaintySpec(
        replications=24, seed=2, imputations=["none", "median"], treatments=[False, "coinr"]
    )
    result = run_uncertainty(data, h, MethodSpec(), spec)
    assert result.factors == ["Imputation", "Treatment"]
    seen = set()
    for rep, (imp, tr) in result.design[["Imputation", "Treatment"]].iterrows():
        expected = evaluate(data, h, MethodSpec(impute=imp, treat="none" if tr == "false" else tr)).scores[
            "Index"
        ]
        np.testing.assert_allclose(result.scores[rep], expected.loc[result.scores.index], rtol=1e-12)
        seen.add((imp, tr))
    assert len(seen) == 4


@pytest.mark.parametrize(
    "base",
    [
        MethodSpec(treat="coinr", impute="mean"),
        MethodSpec(aggregate_threshold=0.8),
        MethodSpec(aggregation="generalised", generalised_p=2.0),
        MethodSpec(minmax_range=(1, 100), aggregation="harmonic"),
        MethodSpec(weighting="entropy"),
    ],
    ids=["treated-imputed", "aggregate-threshold", "generalised", "harmonic", "entropy-weights"],
)
def test_base_spec_steps_carry_into_every_replication(
    asem_raw: tuple[pd.DataFrame, Hierarchy], base: MethodSpec
) -> None:
    data, h = asem_raw
    result = run_uncertainty(data, h, base, UncertaintySpec(replications=3))
    expected = evaluate(data, h, base).scores["Index"].loc[result.scores.index]
    for rep in result.scores.columns:
        np.testing.assert_allclose(result.scores[rep], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"imputations": ["latest"]}, "不支持的插补备选「latest」"),
        ({"imputations": ["mean-group"]}, "需要指定分组列"),
        ({"treatments": ["clip"]}, "未知的异常值处理备选「clip」"),
        ({"aggregations": ["topsis"]}, "未知的合成方法「topsis」"),
    ],
)
def test_unsupported_step_alternatives_are_refused_in_chinese(fields: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        UncertaintySpec(**fields)


def test_chunked_replications_give_the_same_result_as_all_at_once() -> None:
    data, h = load_asem_treated(), load_asem_hierarchy()
    spec = UncertaintySpec(
        replications=97,
        seed=4,
        weight_noise={2: 0.25, 3: 0.25},
        normalisations=["minmax:1,100", "zscore:10,2"],
        aggregations=["arithmetic", "geometric"],
        leave_one_out=["LPI", "Goods"],
    )
    whole = run_uncertainty(data, h, MethodSpec(), spec, chunk_replications=10_000)
    for chunk in (1, 7, 50):
        part = run_uncertainty(data, h, MethodSpec(), spec, chunk_replications=chunk)
        pd.testing.assert_frame_equal(part.ranks, whole.ranks, check_exact=True)
        pd.testing.assert_frame_equal(part.scores, whole.scores, check_exact=True)
        pd.testing.assert_frame_equal(part.rank_stats, whole.rank_stats, check_exact=True)
    lean = run_uncertainty(data, h, MethodSpec(), spec, keep_replications=False, chunk_replications=7)
    assert lean.ranks is None and lean.scores is None
    pd.testing.assert_frame_equal(lean.rank_stats, whole.rank_stats, check_exact=True)
    pd.testing.assert_frame_equal(lean.design, whole.design)


def test_chunked_sensitivity_gives_the_same_indices() -> None:
    data, h = load_asem_treated(), load_asem_hierarchy()
    spec = UncertaintySpec(
        replications=40,
        weight_noise={2: 0.25},
        normalisations=["minmax:1,100", "zscore:10,2"],
        aggregations=["arithmetic", "geometric"],
        bootstrap=30,
    )
    whole = run_sensitivity(data, h, MethodSpec(), spec, chunk_replications=100_000)
    lean = run_sensitivity(data, h, MethodSpec(), spec, keep_replications=False, chunk_replications=9)
    np.testing.assert_array_equal(lean.output, whole.output)
    pd.testing.assert_frame_equal(lean.indices, whole.indices, check_exact=True)
    pd.testing.assert_frame_equal(lean.rank_stats, whole.rank_stats, check_exact=True)
    assert lean.uncertainty.ranks is None and whole.uncertainty.ranks.shape == (51, 80)


def test_rank_statistics_from_float32_ranks_equal_float64() -> None:
    rng = np.random.default_rng(2)
    ranks = rng.integers(1, 30_000, size=(200, 9_000)).astype("float64")
    ranks[3, 5] = np.nan
    units = [str(i) for i in range(ranks.shape[1])]
    nominal = np.arange(ranks.shape[1], dtype="float64")
    pd.testing.assert_frame_equal(
        rank_statistics(ranks.astype("float32"), nominal, units),
        rank_statistics(ranks, nominal, units),
        check_exact=True,
    )
