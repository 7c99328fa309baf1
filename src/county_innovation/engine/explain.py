"""Per-unit explanations: where a unit stands out above or below the typical unit."""

from __future__ import annotations

import pandas as pd

from .errors import EngineError
from .normalise import as_numeric_frame

__all__ = ["strengths_weaknesses"]


def strengths_weaknesses(
    normalised: pd.DataFrame, unit: str, k: int = 3
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Return a unit's strongest and weakest indicators relative to the median unit.

    For each indicator the gap is the unit's normalised value minus the median over all units (missing
    values ignored). Normalised values already point "higher is better", so the gap is comparable across
    positive and negative indicators.

    Parameters
    ----------
    normalised : DataFrame
        Units × indicators, normalised values (e.g. ``EvaluationResult.normalised``).
    unit : str
        The unit's code (index label).
    k : int, default 3
        How many of each to return.

    Returns
    -------
    strengths : list of (str, float)
        Up to ``k`` (indicator, gap) with a positive gap, largest first.
    weaknesses : list of (str, float)
        Up to ``k`` (indicator, gap) with a negative gap, most negative first.

    Notes
    -----
    Indicators where the unit, or every unit, is missing are skipped. A gap of exactly 0 is neither a
    strength nor a weakness, so fewer than ``k`` may be returned. Ties keep the column order.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise EngineError(f"k 必须是非负整数，收到 {k!r}。")
    values = as_numeric_frame(normalised)
    labels = [str(u) for u in values.index]
    if str(unit) not in labels:
        raise EngineError(f"单位「{unit}」不在评价结果中；请检查单位编码。")
    row = values.iloc[labels.index(str(unit))]
    gap = (row - values.median(axis=0, skipna=True)).dropna()
    # Stable sort keeps the framework's column order among equal gaps, so output is deterministic.
    strong = gap[gap > 0].sort_values(ascending=False, kind="stable").head(k)
    weak = gap[gap < 0].sort_values(ascending=True, kind="stable").head(k)
    return (
        [(str(c), float(v)) for c, v in strong.items()],
        [(str(c), float(v)) for c, v in weak.items()],
    )
