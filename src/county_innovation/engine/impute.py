"""Impute missing values: column or group mean/median for a cross-section; carry-forward or linear
interpolation along time for a panel (unit × period)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .errors import EngineError
from .normalise import as_numeric_frame

__all__ = ["CROSS_SECTION_METHODS", "PANEL_METHODS", "impute", "impute_panel"]

CROSS_SECTION_METHODS = ("none", "mean", "median", "mean-group", "median-group")
PANEL_METHODS = ("latest", "linear")


def impute(data: pd.DataFrame, method: str = "mean", groups: pd.Series | None = None) -> pd.DataFrame:
    """Fill missing values of each indicator from the other units.

    Parameters
    ----------
    data : DataFrame
        Units × indicators.
    method : {"none", "mean", "median", "mean-group", "median-group"}, default "mean"
        ``mean``/``median``: the indicator's mean/median over the units that have it (COINr ``i_mean``,
        ``i_median``); the group variants use only the units of the same group (COINr ``i_mean_grp``,
        ``i_median_grp``).
    groups : Series, optional
        Group label per unit (index aligned with ``data``); required by the group methods. A unit without a
        group, or whose group has no value for the indicator, stays missing.

    Returns
    -------
    DataFrame
        Same shape; present values unchanged.

    Raises
    ------
    EngineError
        Unknown method, or a group method without groups.
    """
    if method not in CROSS_SECTION_METHODS:
        hint = "；面板数据请用 latest 或 linear（impute_panel）" if method in PANEL_METHODS else ""
        raise EngineError(f"未知的插补方法「{method}」；可选：{'、'.join(CROSS_SECTION_METHODS)}{hint}。")
    values = as_numeric_frame(data)
    if method == "none":
        return values
    stat = "mean" if method.startswith("mean") else "median"
    if method.endswith("-group"):
        if groups is None:
            raise EngineError(f"插补方法「{method}」需要每个单位的分组（如 GDP_group 列）；请提供分组列。")
        labels = pd.Series(groups).reindex(values.index)
        fill = values.groupby(labels.to_numpy(), dropna=True).transform(stat)
        fill.index = values.index
        return values.fillna(fill)
    arr = values.to_numpy(dtype=float)
    missing = np.isnan(arr)
    with warnings.catch_warnings():  # an all-missing column stays missing, without numpy's warning
        warnings.simplefilter("ignore", RuntimeWarning)
        fill_row = np.nanmean(arr, axis=0) if stat == "mean" else np.nanmedian(arr, axis=0)
    return pd.DataFrame(np.where(missing, fill_row, arr), index=values.index, columns=values.columns)


def impute_panel(panel: pd.DataFrame, method: str = "latest") -> pd.DataFrame:
    """Fill missing values of a panel along time, unit by unit.

    Parameters
    ----------
    panel : DataFrame
        Index: a two-level MultiIndex (unit, period); columns: indicators. Periods must be numbers (years)
        for ``linear``.
    method : {"latest", "linear"}, default "latest"
        ``latest``: carry the latest earlier value forward (沿用最近年份数据); values before a unit's first
        observation stay missing. ``linear``: interpolate linearly in the period between the nearest
        earlier and later values; before the first / after the last observation the nearest value is carried
        (constant ends, like R's ``approx(rule = 2)``).

    Returns
    -------
    DataFrame
        Same index (and row order) and columns.

    Raises
    ------
    EngineError
        Unknown method, an index that is not (unit, period), duplicate rows, or non-numeric periods for
        ``linear``.
    """
    if method not in PANEL_METHODS:
        raise EngineError(
            f"未知的面板插补方法「{method}」；可选：latest（沿用最近年份）、linear（线性插值）。"
        )
    if not isinstance(panel.index, pd.MultiIndex) or panel.index.nlevels != 2:
        raise EngineError("面板数据的行索引必须是（单位, 年份）两级索引；请先整理为长表。")
    if panel.index.duplicated().any():
        unit, period = panel.index[panel.index.duplicated()][0]
        raise EngineError(f"面板数据中单位「{unit}」在「{period}」有多行；每个单位每年只能有一行。")
    values = as_numeric_frame(panel)
    units = panel.index.get_level_values(0).unique()
    periods = np.sort(panel.index.get_level_values(1).unique().to_numpy())
    if method == "linear":
        try:
            t = periods.astype(float)
        except (TypeError, ValueError):
            raise EngineError("线性插值要求年份为数字（如 2022）；请检查面板数据的年份列。") from None
    full = values.reindex(pd.MultiIndex.from_product([units, periods], names=panel.index.names))
    arr = full.to_numpy().reshape(len(units), len(periods), values.shape[1])
    valid = ~np.isnan(arr)
    pos = np.arange(len(periods))[None, :, None]
    prev = np.maximum.accumulate(np.where(valid, pos, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(valid, pos, len(periods))[:, ::-1], axis=1)[:, ::-1]
    has_prev, has_next = prev >= 0, nxt < len(periods)
    v_prev = np.take_along_axis(arr, np.clip(prev, 0, None), axis=1)
    v_next = np.take_along_axis(arr, np.clip(nxt, None, len(periods) - 1), axis=1)
    if method == "latest":
        out = np.where(has_prev, v_prev, np.nan)
    else:
        tp, tn = t[np.clip(prev, 0, None)], t[np.clip(nxt, None, len(periods) - 1)]
        tt = t[None, :, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            inner = np.where(tn > tp, v_prev + (v_next - v_prev) * (tt - tp) / (tn - tp), v_prev)
        out = np.where(
            has_prev & has_next, inner, np.where(has_prev, v_prev, np.where(has_next, v_next, np.nan))
        )
    out = np.where(valid, arr, out)
    filled = pd.DataFrame(out.reshape(-1, values.shape[1]), index=full.index, columns=values.columns)
    return filled.loc[panel.index]
