"""A run's stored input snapshot, to and from the engine's table, and the engine result recomputed from it."""

import pandas as pd

from county_innovation.engine import EngineError, EvaluationResult, MethodSpec, evaluate
from county_innovation.evaluation.models import EvaluationRun
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


__all__ = ["EngineError", "frame_from_json", "frame_to_json", "run_engine_result", "run_input"]
