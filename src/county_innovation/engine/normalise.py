"""Input coercion and per-indicator normalisation (direction first, then one of nine methods)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .errors import EngineError

if TYPE_CHECKING:  # pipeline imports this module, so the spec type is only needed for annotations
    from .pipeline import MethodSpec

__all__ = ["ABSOLUTE_METHODS", "as_numeric_frame", "degenerate_indicators", "normalise", "normalise_array"]

# Methods that compare a value with fixed, given numbers rather than with the other units: a constant
# indicator is still meaningful there, so it is not treated as degenerate.
ABSOLUTE_METHODS = frozenset({"goalposts", "target"})


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


def _ranks(x: np.ndarray) -> np.ndarray:
    # "min" ties as COINr's n_rank / n_prank / n_borda; missing stays missing.
    return pd.DataFrame(x).rank(axis=0, method="min", na_option="keep").to_numpy(dtype=float)


def normalise_array(
    x: np.ndarray,
    directions: np.ndarray,
    method: str = "minmax",
    *,
    minmax_range: tuple[float, float] = (0.0, 100.0),
    zscore_mean_sd: tuple[float, float] = (0.0, 1.0),
    scale: float = 100.0,
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
    cap: bool = True,
    target: np.ndarray | None = None,
) -> np.ndarray:
    """Normalise the columns of a float array with one method (the array core of :func:`normalise`).

    Parameters
    ----------
    x : ndarray, shape (n_units, n_indicators)
        Values, NaN for missing (kept missing).
    directions : ndarray, shape (n_indicators,)
        +1 or -1 per column. The relative methods multiply by it first, so higher is always better.
    method : str
        - ``"minmax"``: ``lo + (x − min)/(max − min)·(hi − lo)``, ``(lo, hi) = minmax_range``;
        - ``"zscore"``: ``m + (x − mean)/sd·s`` (sample sd), ``(m, s) = zscore_mean_sd``;
        - ``"rank"``: rank, 1 = lowest, ties share the lowest rank (COINr ``n_rank``);
        - ``"prank"``: ``(rank − 1)/(n − 1)·scale`` (percentile rank, COINr ``n_prank``);
        - ``"borda"``: ``rank − 1``, the number of units beaten (COINr ``n_borda``);
        - ``"dist2max"``: ``(1 − (max − x)/(max − min))·scale`` (COINr ``n_dist2max``);
        - ``"fracmax"``: share of the best value, ``x/max·scale``; for a negative indicator ``min/x·scale``
          (needs positive values);
        - ``"goalposts"``: ``(x − low)/(high − low)·scale``, for a negative indicator
          ``(high − x)/(high − low)·scale``, capped to ``[0, scale]`` when ``cap``;
        - ``"target"`` (监测标准值): ``min(x/target, 1)·scale``, for a negative indicator
          ``min(target/x, 1)·scale`` (0 counts as meeting the target); needs x ≥ 0.
    low, high, target : ndarray, shape (n_indicators,)
        Per-column goalposts / targets, in the indicator's units; required by those methods.

    Returns
    -------
    ndarray, shape (n_units, n_indicators)
        For the relative methods (all but goalposts and target) a column with fewer than two distinct
        values is NaN throughout (0/0, as COINr); see :func:`normalise`.
    """
    x = np.asarray(x, dtype=float)
    d = np.asarray(directions, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "goalposts":
            lo, hi = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
            out = np.where(d > 0, (x - lo) / (hi - lo), (hi - x) / (hi - lo)) * scale
            return np.clip(out, 0.0, scale) if cap else out
        if method == "target":
            t = np.asarray(target, dtype=float)
            ratio = np.where(d > 0, x / t, np.where(x == 0, 1.0, t / x))
            return np.minimum(ratio, 1.0) * scale
        y = x * d
        present = ~np.isnan(y)
        has = present.any(axis=0)
        ymin = np.where(has, np.nanmin(np.where(present, y, np.inf), axis=0), np.nan)
        ymax = np.where(has, np.nanmax(np.where(present, y, -np.inf), axis=0), np.nan)
        spread = np.where(ymax > ymin, ymax - ymin, np.nan)  # NaN for degenerate columns
        if method == "minmax":
            lo, hi = minmax_range
            return (y - ymin) / spread * (hi - lo) + lo
        if method == "zscore":
            m, s = zscore_mean_sd
            # pandas' reductions, as v1 used, so stored z-score runs reproduce bit for bit.
            frame = pd.DataFrame(y)
            mean = frame.mean(skipna=True).to_numpy()
            sd = frame.std(ddof=1, skipna=True).to_numpy()
            sd = np.where(np.isnan(spread) | ~(sd > 0), np.nan, sd)
            return (y - mean) / sd * s + m
        if method == "dist2max":
            return (1.0 - (ymax - y) / spread) * scale
        if method == "fracmax":
            ratio = np.where(d > 0, x / np.where(d > 0, ymax, 1.0), -ymax / x)
            return np.where(np.isnan(spread), np.nan, ratio) * scale
        if method in ("rank", "prank", "borda"):
            r = _ranks(y) + np.where(np.isnan(spread), np.nan, 0.0)
            if method == "rank":
                return r
            if method == "borda":
                return r - 1.0
            return (r - 1.0) / (present.sum(axis=0) - 1.0) * scale
    raise EngineError(
        f"未知的标准化方法「{method}」；可选：minmax、zscore、rank、prank、borda、goalposts、dist2max、fracmax、target。"
    )


def _check_absolute_inputs(
    x: np.ndarray, method: str, codes: list[str], units: pd.Index, dirs: np.ndarray
) -> None:
    if method == "target":
        bad = ~np.isnan(x) & (x < 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise EngineError(
                f"指标「{codes[j]}」在「{units[i]}」处为负数 {x[i, j]:g}，"
                "不能按监测标准值计算达标率；请检查数据。"
            )
    if method == "fracmax":
        for j, c in enumerate(codes):
            col = x[:, j][~np.isnan(x[:, j])]
            if col.size and (col.min() <= 0 if dirs[j] < 0 else col.max() <= 0):
                raise EngineError(
                    f"指标「{c}」按「占最大值的比例」标准化需要正数数据（逆向指标不能有 0 或负数）；"
                    "请改用最小-最大标准化。"
                )


def normalise(
    data: pd.DataFrame, directions: Mapping[str, int], spec: MethodSpec, *, strict: bool = False
) -> pd.DataFrame:
    """Normalise each indicator column over the units given.

    Each column is first multiplied by its direction, so that for a negative (逆向) indicator the smallest
    raw value becomes the best, and then normalised with ``spec.normalisation`` (or the indicator's entry
    in ``spec.normalise_overrides``); the methods are listed in :func:`normalise_array`. Statistics ignore
    missing values, and missing values stay missing.

    Parameters
    ----------
    data : DataFrame
        Units × indicators, numeric. Pass only the units to be scored: the bounds are taken from them.
    directions : mapping of str to int
        Direction (+1 or -1) of every column.
    spec : MethodSpec
        Normalisation settings (``normalisation``, ``minmax_range``, ``zscore_mean_sd``,
        ``normalise_overrides``, ``normalise_scale``, ``goalposts``, ``goalpost_cap``, ``targets``).
    strict : bool, default False
        What to do with a degenerate column (fewer than two distinct values, see
        :func:`degenerate_indicators`) under a relative method. COINr returns NaN there (0/0); the engine
        does the same by default, so the indicator counts as missing for every unit and its weight is
        shared among its siblings — the same as leaving it out of the framework, which is right for an
        indicator that does not discriminate. ``evaluate`` reports such columns in ``result.warnings``.
        With ``strict=True`` an ``EngineError`` naming the columns is raised instead.

    Returns
    -------
    DataFrame
        Same index and columns as ``data``, float64.

    Raises
    ------
    EngineError
        If a column has no direction or a direction is not ±1, data are non-numeric, a goalpost or target
        is missing for an indicator that needs it, or (``strict``) a column is degenerate.
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
    overrides = getattr(spec, "normalise_overrides", {}) or {}
    methods = [overrides.get(c, spec.normalisation) for c in codes]
    relative = [j for j, m in enumerate(methods) if m not in ABSOLUTE_METHODS]
    if strict and relative:
        bad = degenerate_indicators(values.iloc[:, relative])
        if bad:
            raise EngineError(
                f"指标「{'、'.join(bad)}」在参评单位中取值全部相同或有效值少于 2 个，无法标准化；"
                "请检查这些指标的数据，或将其从指标体系中移除。"
            )
    arr = values.to_numpy(dtype=float)
    out = np.empty_like(arr)
    scale = float(getattr(spec, "normalise_scale", 100.0))
    for method in dict.fromkeys(methods):
        cols = [j for j, m in enumerate(methods) if m == method]
        sub_codes = [codes[j] for j in cols]
        kw: dict[str, object] = {}
        if method == "goalposts":
            posts = getattr(spec, "goalposts", {}) or {}
            lacking = [c for c in sub_codes if c not in posts]
            if lacking:
                raise EngineError(
                    f"指标「{'、'.join(lacking)}」按目标区间（goalposts）标准化，但没有设置上下限；"
                    "请在 goalposts 中为每个指标填写 [下限, 上限]。"
                )
            kw = {
                "low": np.array([posts[c][0] for c in sub_codes]),
                "high": np.array([posts[c][1] for c in sub_codes]),
                "cap": bool(getattr(spec, "goalpost_cap", True)),
            }
        elif method == "target":
            targets = getattr(spec, "targets", {}) or {}
            lacking = [c for c in sub_codes if c not in targets]
            if lacking:
                raise EngineError(
                    f"指标「{'、'.join(lacking)}」按监测标准值标准化，但没有设置标准值；"
                    "请在 targets 中为每个指标填写标准值（大于 0）。"
                )
            kw = {"target": np.array([targets[c] for c in sub_codes])}
        if method in ("target", "fracmax"):
            _check_absolute_inputs(arr[:, cols], method, sub_codes, values.index, dirs[cols])
        out[:, cols] = normalise_array(
            arr[:, cols],
            dirs[cols],
            method,
            minmax_range=tuple(spec.minmax_range),
            zscore_mean_sd=tuple(spec.zscore_mean_sd),
            scale=scale,
            **kw,
        )
    return pd.DataFrame(out, index=values.index, columns=values.columns)
