"""CSV output of the robustness analysis in the formats of the ``county-innovation index`` command.

``rank_stats.csv``: uCode, Nominal, Mean, Median, Q5, Q95. ``sensitivity.csv``: Parameter, Si, STi,
Si_q5, Si_q95, STi_q5, STi_q95. UTF-8, comma-separated, empty field = missing, 15 significant digits (the
conventions of the COINr reference files).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .csv_fast import write_csv
from .errors import EngineError
from .sensitivity import SENSITIVITY_COLUMNS, SensitivityResult
from .uncertainty import UncertaintyResult

__all__ = ["RANK_STATS_COLUMNS", "SENSITIVITY_COLUMNS", "write_rank_stats", "write_sensitivity"]

RANK_STATS_COLUMNS = ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]


def _write(frame: pd.DataFrame, columns: list[str], path: str | Path) -> Path:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise EngineError(f"输出表缺少列：{'、'.join(missing)}。")
    path = Path(path)
    try:
        write_csv(frame[columns], path, index=False)
    except OSError as exc:
        raise EngineError(f"无法写入文件「{path}」：{exc.strerror}；请检查输出目录是否存在且可写。") from None
    return path


def write_rank_stats(result: UncertaintyResult | SensitivityResult | pd.DataFrame, path: str | Path) -> Path:
    """Write per-unit rank statistics (``result.rank_stats`` or such a table) to ``path``; return it."""
    frame = result if isinstance(result, pd.DataFrame) else result.rank_stats
    return _write(frame, RANK_STATS_COLUMNS, path)


def write_sensitivity(result: SensitivityResult | pd.DataFrame, path: str | Path) -> Path:
    """Write the sensitivity indices with their 5 %–95 % bootstrap bounds to ``path``; return it."""
    frame = result if isinstance(result, pd.DataFrame) else result.indices
    return _write(frame, SENSITIVITY_COLUMNS, path)
