"""Explanations: contributions to any aggregate and "what would it take", by hand and against the pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from county_innovation.engine.errors import EngineError
from county_innovation.engine.explain import _bisect, node_contributions, what_would_it_take
from county_innovation.engine.hierarchy import Hierarchy, Node
from county_innovation.engine.pipeline import EvaluationResult, MethodSpec, evaluate

from .test_uncertainty import load_asem_hierarchy, load_asem_treated


@pytest.fixture(scope="module")
def asem_result() -> EvaluationResult:
    return evaluate(load_asem_treated(), load_asem_hierarchy())


def _two_indicators(y_weight: float = 1.0) -> Hierarchy:
    return Hierarchy([Node("IDX", None), Node("X", "IDX"), Node("Y", "IDX", y_weight)])


def _rank_after(result: EvaluationResult, unit: str, indicator: str, value: float) -> int:
    data = result.data.copy()
    data.loc[unit, indicator] = value
    return int(evaluate(data, result.hierarchy, result.spec).ranks.loc[unit, result.hierarchy.root])


def test_contributions_to_every_aggregate_add_up_to_its_score(asem_result: EvaluationResult) -> None:
    h = asem_result.hierarchy
    for node in h.aggregates:
        contrib = node_contributions(asem_result, node)
        below = set(contrib.columns)
        assert below and below <= set(h.indicators)
        np.testing.assert_allclose(contrib.sum(axis=1), asem_result.scores[node], rtol=1e-12)
    pd.testing.assert_frame_equal(node_contributions(asem_result), asem_result.contributions())


def test_geometric_contributions_add_up_to_the_log_score(asem_result: EvaluationResult) -> None:
    result = evaluate(
        asem_result.data, asem_result.hierarchy, MethodSpec(minmax_range=(1, 100), aggregation="geometric")
    )
    contrib = node_contributions(result, "Conn")
    np.testing.assert_allclose(contrib.sum(axis=1), np.log(result.scores["Conn"]), rtol=1e-12)
    with pytest.raises(EngineError, match="不是指标体系中的汇总节点"):
        node_contributions(result, "LPI")


def test_rise_beyond_the_current_maximum_moves_the_bounds() -> None:
    # Min-max 0–100, equal weights. U1 = (100 + 20)/2 = 60 is second behind U2 = (40 + 100)/2 = 70 and
    # already has the highest X. Raising X to z > 10 keeps U1's X at 100 but shrinks U2's to 400/z, so
    # U2 = 50 + 200/z and U1 draws level at z = 20 — twice as far as a naive "fixed bounds" answer.
    data = pd.DataFrame({"X": [10.0, 4.0, 0.0], "Y": [2.0, 10.0, 0.0]}, index=["U1", "U2", "U3"])
    result = evaluate(data, _two_indicators())
    gain = what_would_it_take(result, "U1", "X")
    assert gain.method == "exact" and gain.current_rank == 2 and gain.target_rank == 1
    assert gain.required_value == pytest.approx(20.0) and gain.change == pytest.approx(10.0)
    assert "从 10 提高到 20" in gain.message and "从第 2 名升至第 1 名" in gain.message
    assert _rank_after(result, "U1", "X", 20.0 + 1e-9) == 1 and _rank_after(result, "U1", "X", 19.99) == 2
    # Inside the current range: U1 = (100 + 10 y)/2 ≥ 70 at y = 4.
    assert what_would_it_take(result, "U1", "Y").required_value == pytest.approx(4.0)


def test_rise_from_the_current_minimum_moves_the_lower_bound() -> None:
    # U3 has the unique lowest X. Passing U2's 4 makes U2's X 0 (so U2 = 50) and U3 = (z − 4)/6 · 50,
    # which reaches 50 — a tie, ranked 2 with U2 — at z = 10.
    data = pd.DataFrame({"X": [10.0, 4.0, 0.0], "Y": [2.0, 10.0, 0.0]}, index=["U1", "U2", "U3"])
    result = evaluate(data, _two_indicators())
    gain = what_would_it_take(result, "U3", "X")
    assert gain.required_value == pytest.approx(10.0)
    assert _rank_after(result, "U3", "X", 10.0 + 1e-9) == 2


def test_negative_indicator_improves_by_falling() -> None:
    h = Hierarchy([Node("IDX", None), Node("X", "IDX"), Node("E", "IDX", direction=-1)])
    data = pd.DataFrame({"X": [10.0, 4.0, 0.0], "E": [8.0, 0.0, 10.0]}, index=["U1", "U2", "U3"])
    result = evaluate(data, h)
    gain = what_would_it_take(result, "U1", "E")
    assert gain.change < 0 and "降低到" in gain.message
    assert _rank_after(result, "U1", "E", gain.required_value - 1e-9) < gain.current_rank


def test_no_rise_is_enough_and_already_first_are_said_plainly() -> None:
    # Y weighs 3: however far U1 raises X, U2 keeps at least 75 against U1's 25.
    data = pd.DataFrame({"X": [0.0, 10.0], "Y": [0.0, 10.0]}, index=["U1", "U2"])
    result = evaluate(data, _two_indicators(y_weight=3.0))
    gain = what_would_it_take(result, "U1", "X")
    assert gain.required_value is None and gain.best_rank == 2
    assert "无法使「U1」在总指数中前进 1 名" in gain.message and "都不会提升" in gain.message
    top = what_would_it_take(result, "U2", "X")
    assert top.required_value is None and "排名第 1" in top.message


def test_exact_answers_agree_with_bisection_on_asem(asem_result: EvaluationResult) -> None:
    rng = np.random.default_rng(11)
    units = rng.choice(asem_result.scores.index, size=3, replace=False)
    indicators = rng.choice(asem_result.hierarchy.indicators, size=3, replace=False)
    checked = 0
    for unit in units:
        for ind in indicators:
            if pd.isna(asem_result.data.loc[unit, ind]):
                continue
            for gain in (1, 4):
                exact = what_would_it_take(asem_result, str(unit), str(ind), gain)
                if exact.target_rank < 1:
                    continue
                approx, _ = _bisect(asem_result, str(unit), str(ind), "Index", exact.target_rank)
                if exact.required_value is None:
                    assert approx is None
                else:
                    assert approx == pytest.approx(exact.required_value, rel=1e-6, abs=1e-9)
                checked += 1
    assert checked >= 12


def test_bisection_is_used_when_no_closed_form_applies(asem_result: EvaluationResult) -> None:
    result = evaluate(asem_result.data, asem_result.hierarchy, MethodSpec(normalisation="zscore"))
    gain = what_would_it_take(result, "CHN", "LPI", 2)
    assert gain.method == "bisection"
    if gain.required_value is not None:
        assert _rank_after(result, "CHN", "LPI", gain.required_value) <= gain.target_rank
        assert (
            _rank_after(result, "CHN", "LPI", gain.required_value - 1e-6 * abs(gain.change))
            > gain.target_rank
        )


def test_bad_questions_are_refused_in_chinese(asem_result: EvaluationResult) -> None:
    with pytest.raises(EngineError, match="不是指标体系中的指标"):
        what_would_it_take(asem_result, "CHN", "Conn")
    with pytest.raises(EngineError, match="单位「XXX」不在评价结果中"):
        what_would_it_take(asem_result, "XXX", "LPI")
    with pytest.raises(EngineError, match="前进名次"):
        what_would_it_take(asem_result, "CHN", "LPI", 0)
    with pytest.raises(EngineError, match="缺失"):
        what_would_it_take(asem_result, "BGD", "ConSpeed")


def test_expert_weights_of_the_run_are_the_ones_explained() -> None:
    data = pd.DataFrame({"X": [10.0, 4.0, 0.0], "Y": [2.0, 10.0, 0.0]}, index=["U1", "U2", "U3"])
    result = evaluate(data, _two_indicators(), MethodSpec(weights={"X": 3.0}))
    contrib = node_contributions(result)
    np.testing.assert_allclose(contrib.sum(axis=1), result.scores["IDX"], rtol=1e-12)
    # U1 = (3·100 + 20)/4 = 80 leads; U2 = (3·40 + 100)/4 = 55 needs 3·n/4 + 25 ≥ 80: n = 73.3…, X = 7.33….
    gain = what_would_it_take(result, "U2", "X")
    assert gain.method == "exact" and gain.required_value == pytest.approx(220 / 30)
    assert _rank_after(result, "U2", "X", gain.required_value + 1e-9) == 1
