"""Denominate: turn totals into ratios (per capita, per GDP, per area) before any other step."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .errors import EngineError
from .normalise import as_numeric_frame

__all__ = ["denominate"]


def denominate(
    data: pd.DataFrame, denominators: pd.DataFrame, specs: Mapping[str, tuple[str, float]]
) -> pd.DataFrame:
    """Divide indicators by denominator columns and multiply by a scale factor.

    Parameters
    ----------
    data : DataFrame
        Units × indicators, raw values.
    denominators : DataFrame
        Units × denominator columns (same index as ``data``), e.g. population (万人), GDP (亿元),
        area (km²).
    specs : mapping of str to (str, float)
        ``{indicator: (denominator column, scale)}``; e.g. ``{"Patents": ("Population", 10000)}`` gives
        patents per 10,000 people when population is in persons. Indicators not listed are unchanged.

    Returns
    -------
    DataFrame
        Same shape as ``data``; ``x / denominator * scale`` for the listed indicators. A missing denominator
        gives a missing value.

    Raises
    ------
    EngineError
        Unknown indicator or denominator column, or a denominator ≤ 0 where the indicator has a value.
    """
    values = as_numeric_frame(data)
    unknown = [c for c in specs if c not in values.columns]
    if unknown:
        raise EngineError(f"分母设置中的指标「{'、'.join(unknown)}」不在数据中；请检查指标编码。")
    lacking = sorted({col for col, _ in specs.values() if col not in denominators.columns})
    if lacking:
        raise EngineError(
            f"数据中没有分母列「{'、'.join(lacking)}」；请在数据中提供该列（如人口、GDP、面积）。"
        )
    dens = as_numeric_frame(denominators[sorted({col for col, _ in specs.values()})])
    out = values.copy()
    for code, (col, scale) in specs.items():
        x = values[code].to_numpy()
        d = dens[col].to_numpy()
        bad = ~np.isnan(x) & ~np.isnan(d) & (d <= 0)
        if bad.any():
            unit = values.index[int(bad.argmax())]
            raise EngineError(
                f"指标「{code}」的分母「{col}」在单位「{unit}」处为 {d[bad][0]:g}，"
                "必须大于 0；请检查分母数据。"
            )
        out[code] = x / d * float(scale)
    return out
