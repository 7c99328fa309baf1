"""iData read with pandas' C parser gives the values and refusals of the careful cell-by-cell reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from county_innovation.engine import EngineError
from county_innovation.engine.coinr_io import _read_numbers_fast, read_coinr

ASEM = Path(__file__).parent / "data" / "coinr-asem"
META = """Level,iCode,iName,Direction,Weight,Parent,Type
1,a,专利,1,1,I,Indicator
1,b,能耗,-1,1,I,Indicator
2,I,创新指数,1,1,,Aggregate
,grp_group,分组,,,,Group
,pop,人口,,,,Denominator
"""


def _careful(idata: Path, imeta: Path):
    """The reader as it was: every cell as text (a DataFrame source never takes the fast path)."""
    raw = pd.read_csv(idata, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return read_coinr(raw, imeta)


def _pair(tmp_path: Path, rows: list[str], header: str = "uCode,uName,grp_group,pop,a,b") -> Path:
    (tmp_path / "iMeta.csv").write_text(META, encoding="utf-8")
    path = tmp_path / "iData.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_asem_values_are_the_same(tmp_path: Path) -> None:
    fast = read_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    careful = _careful(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    assert _read_numbers_fast(ASEM / "ASEM_iData.csv", set(fast.hierarchy.indicators)) is not None
    pd.testing.assert_frame_equal(fast.data, careful.data, check_exact=True)
    pd.testing.assert_series_equal(fast.names, careful.names)
    assert fast.groups == careful.groups and fast.denominators == careful.denominators


def test_blanks_spaces_and_na_spellings_are_the_same(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    rows = [
        f"X{i},县{i},{'AB'[i % 2]},{rng.lognormal():.17g},{rng.lognormal() * 1e6!r},{rng.normal():.15e}"
        for i in range(300)
    ]
    rows += [
        "Y1,,A, 12 ,NA,",
        "Y2,乙,,3,nan, 4.5",
        "Y3,丙,B,NaN,1e-300,-0",
        "Y4,丁,B,,Na,7",
        'Y5,"戊, 县",A,1,2,3',
    ]
    path = _pair(tmp_path, rows)
    fast = read_coinr(path, tmp_path / "iMeta.csv")
    careful = _careful(path, tmp_path / "iMeta.csv")
    pd.testing.assert_frame_equal(fast.data, careful.data, check_exact=True)
    assert fast.data.loc["Y1", "a"] != fast.data.loc["Y1", "a"]  # NA is missing


def _outcome(read, path: Path, meta: Path) -> object:
    try:
        return read(path, meta).data
    except EngineError as exc:
        return str(exc)


@pytest.mark.parametrize(
    "cell",
    [
        *["约3", "True", "false", "NULL", "#N/A", "1,0", "0x1A", "inf", "-Infinity", "1e400", "n/a", "1_0"],
        *[" NA ", " nan", "  ", " 7 ", "+5", ".5", "5.", "-0.0", "1E5"],
    ],
)
def test_every_cell_gives_the_same_value_or_the_same_refusal(tmp_path: Path, cell: str) -> None:
    value = f'"{cell}"' if "," in cell else cell
    path = _pair(tmp_path, ["X1,甲,A,10,1,5", f"X2,乙,A,20,2,{value}", "X3,丙,B,30,3,4"])
    careful = _outcome(_careful, path, tmp_path / "iMeta.csv")
    fast = _outcome(read_coinr, path, tmp_path / "iMeta.csv")
    if isinstance(careful, str):
        assert fast == careful and "第 3 行" in careful
    else:
        pd.testing.assert_frame_equal(fast, careful, check_exact=True)
