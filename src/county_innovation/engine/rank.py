"""Ranking of scores: higher is better, ties share the best rank, missing stays missing."""

from __future__ import annotations

import pandas as pd

from .normalise import as_numeric_frame

__all__ = ["rank_scores"]


def rank_scores(scores: pd.DataFrame, ascending: bool = False) -> pd.DataFrame:
    """Rank units within each column.

    Parameters
    ----------
    scores : DataFrame
        Units × nodes, numeric.
    ascending : bool, default False
        ``False`` ranks the highest score 1 (the platform's and COINr's convention).

    Returns
    -------
    DataFrame
        Same shape, dtype ``Int64``. Tied units share the best rank of the tie and the next rank is skipped
        (``"min"``, i.e. 1, 2, 2, 4), as COINr does. Missing scores get ``<NA>`` and take no rank, so ranks
        run 1..n over the units that have a score. Scores are compared exactly, without rounding.
    """
    numeric = as_numeric_frame(scores)
    ranked = numeric.rank(axis=0, method="min", ascending=ascending, na_option="keep")
    return ranked.astype("Int64")
