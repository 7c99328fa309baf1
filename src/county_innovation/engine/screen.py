"""Screen units by data availability: a unit with too few indicators is not scored."""

from __future__ import annotations

import pandas as pd

from .errors import EngineError
from .normalise import as_numeric_frame

__all__ = ["AVAILABILITY_TOL", "availability", "screen_units"]

# Availability is k/n; a threshold typed as a rounded fraction (0.6667 for 2/3) must not exclude a unit by
# a rounding hair, so comparisons allow this slack.
AVAILABILITY_TOL = 1e-9


def availability(data: pd.DataFrame) -> pd.Series:
    """Share (0–1) of indicators present per unit, named ``"availability"``."""
    return as_numeric_frame(data).notna().mean(axis=1).rename("availability")


def screen_units(data: pd.DataFrame, threshold: float) -> tuple[pd.DataFrame, list[str], pd.Series]:
    """Keep the units whose data availability reaches ``threshold``.

    Parameters
    ----------
    data : DataFrame
        Units × indicators (before imputation: availability counts the real data).
    threshold : float
        Minimum share, 0–1 (0 keeps every unit).

    Returns
    -------
    kept : DataFrame
        The rows of ``data`` that reach the threshold.
    excluded : list of str
        Codes of the others, in input order.
    availability : Series
        Every unit's share.
    """
    t = float(threshold)
    if not 0.0 <= t <= 1.0:
        raise EngineError(
            f"指标可用率门槛 {t:g} 无效：必须在 0 到 1 之间（如 0.66 表示至少三分之二的指标有数据）。"
        )
    share = availability(data)
    below = (share < t - AVAILABILITY_TOL).to_numpy()
    excluded = [str(u) for u in data.index[below]]
    return data.loc[~below], excluded, share
