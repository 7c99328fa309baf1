"""A run's stored input snapshot, to and from the engine's table, and the engine result recomputed from it.

A sound run is reproducible: recomputing it from its stored inputs and method gives every number again
(``evaluation_run_recheck``, the 复算 button).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from county_innovation.common.errors import DomainError
from county_innovation.engine import EngineError, EvaluationResult, MethodSpec, evaluate
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.indicators.models import Framework
from county_innovation.indicators.selectors import framework_hierarchy, framework_indicators


def frame_to_json(frame: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    return {
        str(unit): {str(k): (None if pd.isna(v) else float(v)) for k, v in row.items()}
        for unit, row in frame.iterrows()
    }


def frame_from_json(data: dict[str, dict[str, float | None]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(data, orient="index", dtype="float64")
    frame.index.name = "region"
    return frame.reindex(columns=columns)


def run_input(run: EvaluationRun) -> pd.DataFrame:
    return frame_from_json(run.input_data, [i.code for i in framework_indicators(run.framework)])


def run_engine_result(run: EvaluationRun) -> EvaluationResult:
    """The engine's full result of a stored run, recomputed from its snapshot and method (raises EngineError)."""
    return evaluate(run_input(run), framework_hierarchy(run.framework), MethodSpec.from_dict(run.method_spec))


def engine_compute(framework: Framework, data: pd.DataFrame, spec_dict: dict) -> EvaluationResult:
    """The engine's result for ``data`` under ``framework`` and a method; an engine refusal as a DomainError."""
    try:
        spec = MethodSpec.from_dict(spec_dict)
        return evaluate(data, framework_hierarchy(framework), spec)
    except EngineError as exc:
        raise DomainError(f"评价无法完成：{exc}") from None


@dataclass
class RecheckReport:
    same_hash: bool
    max_abs_difference: float

    @property
    def reproduced(self) -> bool:
        return self.same_hash and self.max_abs_difference == 0.0


def evaluation_run_recheck(*, run: EvaluationRun) -> RecheckReport:
    """Recompute a stored run from its stored inputs and method; a sound run reproduces every number."""
    result = engine_compute(run.framework, run_input(run), run.method_spec)
    stored = {r.region_id: r.index for r in run.results.all()}
    diffs = [
        abs((stored[u] if stored[u] is not None else np.nan) - v)
        for u, v in result.scores[result.hierarchy.root].items()
        if not (stored.get(u) is None and pd.isna(v))
    ]
    return RecheckReport(
        same_hash=result.input_hash == run.input_hash,
        max_abs_difference=float(np.nanmax(diffs)) if diffs else 0.0,
    )


__all__ = [
    "EngineError",
    "RecheckReport",
    "engine_compute",
    "evaluation_run_recheck",
    "frame_from_json",
    "frame_to_json",
    "run_engine_result",
    "run_input",
]
