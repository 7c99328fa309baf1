"""The robustness analysis a city admin may ask for: its defaults and limits, and the check of a requested spec."""

from __future__ import annotations

import pandas as pd

from county_innovation.common.errors import DomainError
from county_innovation.engine import EngineError
from county_innovation.evaluation.models import RobustnessAnalysis

# The analysis a city admin gets when they change nothing: COINr's reference design (weights of the
# dimensions and the index ±25 %, min-max 1–100 or z-score (10, 2), arithmetic or geometric mean).
DEFAULT_ROBUSTNESS_SPEC = {
    "replications": 500,
    "seed": 1,
    "weight_noise": {"1": 0.25, "2": 0.25},
    "normalisations": ["minmax:1,100", "zscore:10,2"],
    "aggregations": ["arithmetic", "geometric"],
}
# Sensitivity analysis multiplies the work by (k + 2); keep its default base sample smaller.
DEFAULT_SENSITIVITY_BASE = 200
MAX_REPLICATIONS = 20000


def robustness_spec_check(*, kind: str, spec: dict) -> dict:
    """Validate an analysis spec with the engine; return it as stored. Raises DomainError in Chinese."""
    from county_innovation.engine.uncertainty import UncertaintySpec

    if kind not in RobustnessAnalysis.Kind.values:
        raise DomainError(f"未知的分析类型「{kind}」：应为 uncertainty（不确定性）或 sensitivity（敏感性）。")
    try:
        parsed = UncertaintySpec.from_dict(spec)
    except EngineError as exc:
        raise DomainError(f"分析设置有误：{exc}") from None
    if parsed.replications > MAX_REPLICATIONS:
        raise DomainError(f"模拟次数 {parsed.replications} 过大，请不超过 {MAX_REPLICATIONS}。")
    return parsed.to_dict()


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """A result table as JSON rows (NaN as null), the way an analysis stores it."""
    frame = frame.reset_index() if frame.index.name else frame
    return [
        {str(k): (None if pd.isna(v) else (v if isinstance(v, str) else float(v))) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
