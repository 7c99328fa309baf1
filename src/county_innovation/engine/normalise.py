"""Input coercion and per-indicator normalisation (direction, then min-max or z-score)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import EngineError

if TYPE_CHECKING:  # pipeline imports this module, so the spec type is only needed for annotations
    from .pipeline import MethodSpec

__all__ = ["as_numeric_frame", "degenerate_indicators", "normalise"]


def _numeric_column(col: pd.Series, code: str) -> np.ndarray:
    """Return one column as float64 with NaN for missing; refuse text and infinities."""
    if pd.api.types.is_numeric_dtype(col.dtype):
        # Covers numpy ints/floats/bools and the nullable extension dtypes (pd.NA -> NaN).
        values = col.to_numpy(dtype="float64", na_value=np.nan)
    else:
        # Object/str columns: blank cells from spreadsheets mean "missing", everything else must parse.
        raw = col.astype(object)
        blank = raw.map(lambda v: isinstance(v, str) and not v.strip())
        raw = raw.mask(blank, np.nan)
        parsed = pd.to_numeric(raw, errors="coerce")
        bad = parsed.isna() & raw.notna()
        if bad.any():
            unit = bad.index[bad.to_numpy().argmax()]
            raise EngineError(
                f"指标「{code}」含有非数值数据（如单位「{unit}」的值 {raw[unit]!r}）；"
                "请将数据填写为数字，缺失值请留空。"
            )
        values = parsed.to_numpy(dtype="float64", na_value=np.nan)
    inf = np.isinf(values)
    if inf.any():
        unit = col.index[int(inf.argmax())]
        raise EngineError(f"指标「{code}」在单位「{unit}」处为无穷大；请检查该数据（可能是除以 0 得到的）。")
    return values


def as_numeric_frame(data: pd.DataFrame) -> pd.DataFrame:
    """Coerce every column to float64, with NaN for missing values.

    Parameters
    ----------
    data : DataFrame
        Units × indicators. Numeric, boolean and nullable dtypes are accepted; text columns are parsed,
        blank strings count as missing.

    Returns
    -------
    DataFrame
        Same index and columns, float64.

    Raises
    ------
    EngineError
        If a value is text that does not parse as a number, or is infinite.
    """
    if not isinstance(data, pd.DataFrame):
        raise EngineError(
            f"评价数据必须是 pandas DataFrame（行为单位、列为指标），收到 {type(data).__name__}。"
        )
    if all(isinstance(dt, np.dtype) and dt.kind in "fiub" for dt in data.dtypes):
        # Fast path for plain numpy dtypes (every call after the first inside evaluate): one conversion for
        # the whole block instead of a Python loop over columns.
        arr = data.to_numpy(dtype="float64", copy=True)
        inf = np.isinf(arr)
        if inf.any():
            # Re-check that column the slow way only to raise its message naming the unit.
            j = int(np.argwhere(inf)[0][1])
            _numeric_column(data.iloc[:, j], str(data.columns[j]))
    else:
        arr = np.empty(data.shape, dtype="float64")
        for j, code in enumerate(data.columns):
            arr[:, j] = _numeric_column(data.iloc[:, j], str(code))
    return pd.DataFrame(arr, index=data.index, columns=data.columns)


def degenerate_indicators(data: pd.DataFrame) -> list[str]:
    """Return the indicators that cannot be normalised: fewer than two distinct non-missing values.

    Such a column (constant, a single value, or empty) has zero or undefined spread, so both min-max and
    z-score divide 0 by 0.
    """
    values = as_numeric_frame(data)
    lo, hi = values.min(skipna=True), values.max(skipna=True)
    bad = ~(hi > lo)  # NaN (no data) compares False, so empty columns are caught too
    return [str(c) for c in values.columns[bad.to_numpy()]]


def normalise(
    data: pd.DataFrame, directions: Mapping[str, int], spec: MethodSpec, *, strict: bool = False
) -> pd.DataFrame:
    """Normalise each indicator column over the units given.

    Each column is first multiplied by its direction, so that for a negative (逆向) indicator the smallest
    raw value becomes the best, and then

    - ``"minmax"``: ``lo + (x - min) / (max - min) * (hi - lo)`` with ``(lo, hi) = spec.minmax_range``;
    - ``"zscore"``: ``m + (x - mean) / sd * s`` with ``(m, s) = spec.zscore_mean_sd`` and the sample standard
      deviation (``ddof=1``, as COINr and R's ``sd``).

    Statistics ignore missing values, and missing values stay missing.

    Parameters
    ----------
    data : DataFrame
        Units × indicators, numeric. Pass only the units to be scored: the bounds are taken from them.
    directions : mapping of str to int
        Direction (+1 or -1) of every column.
    spec : MethodSpec
        Normalisation settings.
    strict : bool, default False
        What to do with a degenerate column (fewer than two distinct values, see
        :func:`degenerate_indicators`). COINr returns NaN there (0/0); the engine does the same by
        default, so the indicator counts as missing for every unit and its weight is shared among its
        siblings — the same as leaving it out of the framework, which is right for an indicator that does
        not discriminate. ``evaluate`` reports such columns in ``result.warnings``. With ``strict=True`` an
        ``EngineError`` naming the columns is raised instead.

    Returns
    -------
    DataFrame
        Same index and columns as ``data``, float64.

    Raises
    ------
    EngineError
        If a column has no direction or a direction is not ±1, data are non-numeric, or (``strict``) a
        column is degenerate.
    """
    values = as_numeric_frame(data)
    codes = [str(c) for c in values.columns]
    missing = [c for c in codes if c not in directions]
    if missing:
        raise EngineError(f"指标「{'、'.join(missing)}」缺少方向设置；请设为 1（正向）或 -1（逆向）。")
    dirs = np.empty(len(codes))
    for j, c in enumerate(codes):
        d = directions[c]
        if isinstance(d, bool) or d not in (1, -1):
            raise EngineError(f"指标「{c}」的方向 {d!r} 无效：正向指标填 1，逆向指标填 -1。")
        dirs[j] = d
    x = values * dirs  # broadcast over columns; direction first so min/max already mean worst/best

    bad = degenerate_indicators(x)
    if bad and strict:
        raise EngineError(
            f"指标「{'、'.join(bad)}」在参评单位中取值全部相同或有效值少于 2 个，无法标准化；"
            "请检查这些指标的数据，或将其从指标体系中移除。"
        )
    if spec.normalisation == "minmax":
        lo, hi = spec.minmax_range
        xmin, xmax = x.min(skipna=True), x.max(skipna=True)
        span = (xmax - xmin).where(xmax > xmin)  # NaN for degenerate columns -> whole column NaN
        out = (x - xmin) / span * (hi - lo) + lo
    elif spec.normalisation == "zscore":
        m, s = spec.zscore_mean_sd
        mean, sd = x.mean(skipna=True), x.std(ddof=1, skipna=True)
        sd = sd.where(sd > 0)
        out = (x - mean) / sd * s + m
    else:  # MethodSpec validates this; kept for callers passing a duck-typed spec
        raise EngineError(
            f"未知的标准化方法「{spec.normalisation}」；可选：minmax（最小-最大）、zscore（z-score）。"
        )
    return out.astype("float64")
