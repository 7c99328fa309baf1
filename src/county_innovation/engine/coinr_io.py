"""COINr's file format: read iData/iMeta, turn command-line choices into a spec, write the step tables.

Pure (pandas only); the ``county-innovation index`` management command is a thin wrapper around
:func:`read_coinr`, :func:`spec_from_options` and :func:`write_outputs`, so the engine can be run on its own
and checked against COINr file by file.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .csv_fast import FLOAT_FORMAT, write_csv
from .errors import EngineError
from .hierarchy import Hierarchy, Node
from .pipeline import EvaluationResult
from .rank import rank_scores
from .spec import MethodSpec

__all__ = [
    "FLOAT_FORMAT",
    "OUTPUT_FILES",
    "TABLES",
    "CoinrInput",
    "check_indicators",
    "evaluation_frame",
    "read_coinr",
    "spec_from_options",
    "write_outputs",
]

OUTPUT_FILES = ("imputed.csv", "treated.csv", "normalised.csv", "aggregated.csv", "scores_ranks.csv")
# The tables ``write_outputs`` can write (``--outputs`` chooses among them and the robustness tables).
TABLES = ("imputed", "treated", "normalised", "aggregated", "scores_ranks", "treat_details")
_META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
_ID_COLUMNS = ("uCode", "uName", "Time")
_AGG_ALIASES = {
    "amean": "arithmetic",
    "arithmetic": "arithmetic",
    "gmean": "geometric",
    "geometric": "geometric",
    "hmean": "harmonic",
    "harmonic": "harmonic",
    "topsis": "topsis",
}


@dataclass
class CoinrInput:
    """A COINr data set, validated.

    Attributes
    ----------
    data : DataFrame
        Index ``uCode`` (or (uCode, Time) for a panel); columns: the indicators (float) then the group and
        denominator columns.
    hierarchy : Hierarchy
        From iMeta's Indicator and Aggregate rows.
    meta : DataFrame
        iMeta as read.
    groups, denominators : list of str
        Group columns (Type Group, or named ``*_group``) and denominator columns (Type Denominator).
    names : Series
        uName per uCode (empty when absent).
    """

    data: pd.DataFrame
    hierarchy: Hierarchy
    meta: pd.DataFrame
    groups: list[str] = field(default_factory=list)
    denominators: list[str] = field(default_factory=list)
    names: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))


def _read(source: str | Path | pd.DataFrame, what: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.copy()
    try:
        return pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise EngineError(f"找不到{what}文件「{source}」；请检查路径。") from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise EngineError(f"{what}文件「{source}」无法按 UTF-8 CSV 读取：{exc}。") from None


# What the careful reader takes as missing, spelled out for pandas' C parser (which matches them exactly).
_NA_TOKENS = [
    "",
    *("".join(p) for word in ("na", "nan") for p in itertools.product(*((c, c.upper()) for c in word))),
]
# pandas' C parser reads true/false as 1/0 in a float column, which the careful reader refuses as text.
_BOOLEAN_TEXT = (b"true", b"false")


def _read_numbers_fast(source: object, numeric: set[str]) -> pd.DataFrame | None:
    """iData with the numeric columns parsed by pandas' C parser, or None to take the careful path.

    The careful path (:func:`_numeric`) checks every cell as text, which costs more than a second at
    national size; here text is only looked at when the fast parse fails, and then the careful path runs
    and names the first bad cell. Values and refusals are the same either way (a test compares).
    """
    if not isinstance(source, (str, Path)):
        return None
    try:
        content = Path(source).read_bytes()
        lowered = content.lower()  # a plain substring test: a case-insensitive regex takes seconds here
        if any(word in lowered for word in _BOOLEAN_TEXT):
            return None
        names = pd.read_csv(io.BytesIO(content), nrows=0, encoding="utf-8-sig").columns
        stripped = [str(c).strip() for c in names]
        if len(set(stripped)) < len(stripped):
            return None
        numbers = [raw for raw, name in zip(names, stripped, strict=True) if name in numeric]
        frame = pd.read_csv(
            io.BytesIO(content),
            dtype={raw: ("float64" if raw in numbers else str) for raw in names},
            keep_default_na=False,
            na_values={raw: _NA_TOKENS for raw in numbers},
            encoding="utf-8-sig",
        )
    except (OSError, ValueError, TypeError, OverflowError, UnicodeDecodeError, pd.errors.ParserError):
        return None
    frame.columns = stripped
    return frame


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _meta_number(v: object, row: int, col: str, code: str, default: float | None) -> float:
    if _blank(v):
        if default is None:
            raise EngineError(f"iMeta 第 {row} 行「{code}」的 {col} 为空；请填写数字。")
        return default
    try:
        return float(str(v).strip())
    except ValueError:
        raise EngineError(f"iMeta 第 {row} 行「{code}」的 {col} 应为数字，实际为「{v}」。") from None


def _hierarchy_from_meta(meta: pd.DataFrame) -> Hierarchy:
    required = ["iCode", "Parent", "Type"]
    lacking = [c for c in required if c not in meta.columns]
    if lacking:
        raise EngineError(
            f"iMeta 缺少列：{'、'.join(lacking)}；"
            "COINr 格式需要 Level、iCode、Direction、Weight、Parent、Type。"
        )
    types = meta["Type"].astype(str).str.strip()
    bad = [(i, t) for i, t in enumerate(types) if t not in _META_TYPES]
    if bad:
        i, t = bad[0]
        raise EngineError(f"iMeta 第 {i + 2} 行的 Type「{t}」无效；可选：{'、'.join(_META_TYPES)}。")
    tree = meta[types.isin(["Indicator", "Aggregate"]).to_numpy()]
    aggregates = set(tree.loc[types[tree.index] == "Aggregate", "iCode"].astype(str).str.strip())
    nodes = []
    for i, r in tree.iterrows():
        row = int(i) + 2  # CSV line: header is line 1
        code = str(r["iCode"]).strip()
        parent = None if _blank(r["Parent"]) else str(r["Parent"]).strip()
        if parent is not None and parent not in aggregates:
            raise EngineError(
                f"iMeta 第 {row} 行「{code}」的上级（Parent）「{parent}」不是任何汇总节点"
                "（Type 为 Aggregate 的 iCode）；请检查 Parent 列的拼写，或为它添加一行 Aggregate。"
            )
        is_ind = types[i] == "Indicator"
        weight = _meta_number(r.get("Weight"), row, "Weight", code, None if parent and is_ind else 1.0)
        direction = _meta_number(r.get("Direction"), row, "Direction", code, None if is_ind else 1.0)
        if direction not in (1.0, -1.0):
            raise EngineError(
                f"iMeta 第 {row} 行「{code}」的 Direction {direction:g} 无效：正向填 1，逆向填 -1。"
            )
        name = "" if _blank(r.get("iName")) else str(r.get("iName")).strip()
        nodes.append(Node(code, parent, weight, int(direction), name))
    h = Hierarchy(nodes)
    declared = [str(r.iCode).strip() for r in tree.itertuples() if r.Type.strip() == "Indicator"]
    wrong = [c for c in declared if c not in h.indicators]
    if wrong:
        raise EngineError(
            f"iMeta 中 Type 为 Indicator 的「{'、'.join(wrong)}」有下级节点；指标不能作为其他节点的上级。"
        )
    empty = [c for c in h.indicators if c in aggregates]
    if empty:
        raise EngineError(f"汇总节点「{'、'.join(empty)}」没有任何下级；请删除它或为它添加下级。")
    if "Level" in tree.columns:
        for i, r in tree.iterrows():
            if not _blank(r["Level"]):
                code = str(r["iCode"]).strip()
                level = _meta_number(r["Level"], int(i) + 2, "Level", code, None)
                if level != h.level(code):
                    raise EngineError(
                        f"iMeta 第 {int(i) + 2} 行「{code}」的 Level 为 {level:g}，"
                        f"但按上下级关系应为 {h.level(code)}"
                        "（指标为 1，其上级依次加 1）；请修改 Level 或 Parent。"
                    )
    return h


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Parse text columns as numbers; refuse text with the CSV line, uCode and value."""
    out = {}
    for col in columns:
        raw = frame[col]
        if raw.dtype == np.float64:  # parsed already by _read_numbers_fast
            values = raw.to_numpy()
            if np.isinf(values).any():
                pos = int(np.argmax(np.isinf(values)))
                raise EngineError(f"iData 第 {pos + 2} 行「{col}」为无穷大；请检查该数据。")
            out[col] = values
            continue
        text = raw.astype(str).str.strip()
        blank = raw.isna() | (text == "") | text.str.upper().isin(["NA", "NAN"])
        parsed = pd.to_numeric(text.where(~blank), errors="coerce")
        bad = parsed.isna() & ~blank
        if bad.any():
            pos = int(np.argmax(bad.to_numpy()))
            unit = frame["uCode"].iloc[pos] if "uCode" in frame.columns else pos
            raise EngineError(
                f"iData 第 {pos + 2} 行（uCode {unit}）「{col}」应为数字，"
                f"实际为「{raw.iloc[pos]}」；缺失值请留空。"
            )
        values = parsed.to_numpy(dtype=float)
        if np.isinf(values).any():
            pos = int(np.argmax(np.isinf(values)))
            raise EngineError(f"iData 第 {pos + 2} 行「{col}」为无穷大；请检查该数据。")
        out[col] = values
    return pd.DataFrame(out, index=frame.index)


def read_coinr(idata: str | Path | pd.DataFrame, imeta: str | Path | pd.DataFrame) -> CoinrInput:
    """Read and validate a COINr iData/iMeta pair.

    iMeta: one row per node (Type Indicator/Aggregate, with Level, iCode, iName, Direction, Weight,
    Parent) and per other iData column (Type Group, Denominator or Other). iData: one row per unit (or per
    unit and Time for a panel) with uCode, optional uName and Time, group columns, denominators and the
    indicators.

    Raises
    ------
    EngineError
        A Parent that names no aggregate, a cycle, all-zero sibling weights, a Level that contradicts the
        tree, a missing indicator column, duplicate uCodes, text in a numeric column.
    """
    meta = _read(imeta, "iMeta")
    meta.columns = [str(c).strip() for c in meta.columns]
    h = _hierarchy_from_meta(meta)
    meta_types = dict(
        zip(meta["iCode"].astype(str).str.strip(), meta["Type"].astype(str).str.strip(), strict=True)
    )
    numeric = {*h.indicators, *(c for c, t in meta_types.items() if t == "Denominator")}
    raw = _read_numbers_fast(idata, numeric)
    if raw is None:
        raw = _read(idata, "iData")
        raw.columns = [str(c).strip() for c in raw.columns]
    if "uCode" not in raw.columns:
        raise EngineError("iData 缺少 uCode 列（单位编码）；COINr 格式的每行必须有 uCode。")
    lacking = [c for c in h.indicators if c not in raw.columns]
    if lacking:
        raise EngineError(
            f"iData 缺少指标列：{'、'.join(lacking)}（iMeta 中列为 Indicator）；请补齐或从 iMeta 删除。"
        )
    types = dict(
        zip(meta["iCode"].astype(str).str.strip(), meta["Type"].astype(str).str.strip(), strict=True)
    )
    groups = [c for c in raw.columns if types.get(c) == "Group" or (c.endswith("_group") and c not in types)]
    denominators = [c for c in raw.columns if types.get(c) == "Denominator"]
    raw["uCode"] = raw["uCode"].astype(str).str.strip()
    panel = "Time" in raw.columns and raw["Time"].astype(str).str.strip().nunique() > 1
    keys = ["uCode", "Time"] if panel else ["uCode"]
    dup = raw.duplicated(keys)
    if dup.any():
        pos = int(np.argmax(dup.to_numpy()))
        what = "uCode 与 Time" if panel else "uCode"
        raise EngineError(
            f"iData 第 {pos + 2} 行的 {what}「{raw['uCode'].iloc[pos]}」重复；每个单位（每年）只能有一行。"
        )
    data = _numeric(raw, [*h.indicators, *denominators])
    for g in groups:
        data[g] = raw[g].where(raw[g].astype(str).str.strip() != "")
    if panel:
        time = _numeric(raw, ["Time"])["Time"]
        data.index = pd.MultiIndex.from_arrays([raw["uCode"], time], names=["uCode", "Time"])
    else:
        data.index = pd.Index(raw["uCode"], name="uCode")
    names = (
        raw.drop_duplicates("uCode").set_index("uCode")["uName"]
        if "uName" in raw.columns
        else pd.Series(dtype=object)
    )
    return CoinrInput(data, h, meta, groups, denominators, names)


def check_indicators(inp: CoinrInput, *, allow_constant: bool = False) -> list[str]:
    """Refuse indicator columns that are entirely missing, and constant ones unless ``allow_constant``.

    Returns the constant indicators (which the engine then treats as missing, with a warning).
    """
    data = inp.data[inp.hierarchy.indicators]
    empty = [c for c in data.columns if data[c].isna().all()]
    if empty:
        raise EngineError(f"指标「{'、'.join(empty)}」在 iData 中全部缺失；请补充数据或从 iMeta 中删除。")
    constant = [c for c in data.columns if data[c].nunique(dropna=True) < 2]
    if constant and not allow_constant:
        shown = "、".join(f"{c}（全部为 {data[c].dropna().iloc[0]:g}）" for c in constant)
        raise EngineError(
            f"指标「{shown}」在所有单位中取值相同，无法区分单位；"
            "请删除该指标，或加 --allow-constant 将其按缺失处理（权重由同级其他指标分担）。"
        )
    return constant


def evaluation_frame(inp: CoinrInput, spec: MethodSpec) -> pd.DataFrame:
    """The columns of ``inp.data`` that :func:`~.pipeline.evaluate` takes under ``spec``."""
    missing = [c for c in spec.data_columns() if c not in inp.data.columns]
    if missing:
        raise EngineError(f"iData 中没有方法设置用到的列「{'、'.join(missing)}」；请检查列名。")
    return inp.data[[*inp.hierarchy.indicators, *spec.data_columns()]]


def _pair_arg(text: str, flag: str, example: str) -> tuple[float, float]:
    try:
        a, b = (float(v) for v in text.split(","))
    except ValueError:
        raise EngineError(
            f"{flag} 的参数「{text}」格式错误：应为两个以逗号分隔的数字，如 {example}。"
        ) from None
    return a, b


def _meta_column(meta: pd.DataFrame, codes: list[str], column: str) -> dict[str, float]:
    if column not in meta.columns:
        return {}
    out = {}
    for code, v in zip(meta["iCode"].astype(str).str.strip(), meta[column], strict=True):
        if code in codes and not _blank(v):
            out[code] = float(v)
    return out


def spec_from_options(
    inp: CoinrInput,
    *,
    base: Mapping[str, Any] | None = None,
    impute: str | None = None,
    treat: str | None = None,
    normalise: str | None = None,
    aggregate: str | None = None,
    weights: str | None = None,
    denominate: bool = False,
    availability_threshold: float | None = None,
) -> MethodSpec:
    """Turn the command's options into a :class:`MethodSpec` (on top of ``base``, a spec dict).

    ``impute``: ``none|mean|median|mean-group:COL|median-group:COL|latest|linear``; ``treat``:
    ``none|coinr|winsorise|log|log_CT|log_GII|boxcox[:LAMBDA]``; ``normalise``: ``minmax:LO,HI|
    zscore:MEAN,SD|rank|prank|borda|dist2max|fracmax|goalposts|target`` (goalposts from iMeta's
    ``goalpost_lower``/``goalpost_upper`` columns, targets from ``Target``); ``aggregate``:
    ``amean|gmean|hmean|genmean:P|topsis``; ``weights``: ``given|equal|entropy|critic|pca``; ``denominate``:
    divide by iMeta's ``Denominator`` column.
    """
    d: dict[str, Any] = dict(base or {})
    h = inp.hierarchy
    if impute:
        method, _, col = impute.partition(":")
        d["impute"] = method
        if method.endswith("-group"):
            if not col:
                raise EngineError(f"--impute {method} 需要指定分组列，如 {method}:GDP_group。")
            if col not in inp.data.columns:
                raise EngineError(f"iData 中没有分组列「{col}」；可用：{'、'.join(inp.groups) or '无'}。")
            d["impute_group"] = col
    if treat:
        method, _, lam = treat.partition(":")
        d["treat"] = method
        if lam:
            d["boxcox_lambda"] = lam
    if normalise:
        method, _, arg = normalise.partition(":")
        d["normalisation"] = method
        if method == "minmax" and arg:
            d["minmax_range"] = _pair_arg(arg, "--normalise minmax", "minmax:0,100")
        elif method == "zscore" and arg:
            d["zscore_mean_sd"] = _pair_arg(arg, "--normalise zscore", "zscore:10,2")
        elif method == "goalposts":
            lo = _meta_column(inp.meta, h.indicators, "goalpost_lower")
            hi = _meta_column(inp.meta, h.indicators, "goalpost_upper")
            posts = {c: [lo[c], hi[c]] for c in h.indicators if c in lo and c in hi}
            d["goalposts"] = {**d.get("goalposts", {}), **posts}
        elif method == "target":
            d["targets"] = {**d.get("targets", {}), **_meta_column(inp.meta, h.indicators, "Target")}
    if aggregate:
        method, _, p = aggregate.partition(":")
        if method in ("genmean", "generalised"):
            d["aggregation"] = "generalised"
            if p:
                d["generalised_p"] = p
        elif method in _AGG_ALIASES:
            d["aggregation"] = _AGG_ALIASES[method]
        else:
            raise EngineError(
                f"未知的合成方法「{aggregate}」；可选：amean、gmean、hmean、genmean:P、topsis。"
            )
    if weights:
        d["weighting"] = weights
    if denominate:
        if "Denominator" not in inp.meta.columns:
            raise EngineError("--denominate 需要 iMeta 中的 Denominator 列（每个指标的分母列名）。")
        pairs = zip(inp.meta["iCode"].astype(str).str.strip(), inp.meta["Denominator"], strict=True)
        d["denominate"] = {c: [str(v).strip(), 1.0] for c, v in pairs if c in h.indicators and not _blank(v)}
    if availability_threshold is not None:
        d["availability_threshold"] = availability_threshold
    try:
        return MethodSpec.from_dict(d)
    except TypeError as exc:  # a value of the wrong shape reaching the dataclass
        raise EngineError(f"方法设置无效：{exc}。") from None


def _coinr_order(h: Hierarchy) -> list[str]:
    """Indicators in iMeta order, then aggregates level by level, alphabetically (COINr's tables)."""
    return [*h.indicators, *sorted(h.aggregates, key=lambda c: (h.level(c), c.casefold(), c))]


def _table(frame: pd.DataFrame, units: list[str], columns: list[str]) -> pd.DataFrame:
    out = frame.reindex(index=units, columns=columns)
    out.index.name = "uCode"
    return out


def write_outputs(
    result: EvaluationResult, out_dir: str | Path, *, outputs: Collection[str] | None = None
) -> list[Path]:
    """Write the step tables of a result in COINr's layout; return the paths written.

    ``imputed.csv``, ``treated.csv``, ``normalised.csv``: uCode + one column per indicator;
    ``aggregated.csv``:
    uCode + indicators (normalised) + aggregates (level by level); ``scores_ranks.csv``: uCode, iCode, Level,
    Score, Rank in long form (indicators: normalised value and its rank). Rows sorted by uCode, numbers
    with 15 significant digits, missing values empty; ``treat_details.csv`` too when a treatment ran.
    ``outputs`` names the tables to write (:data:`TABLES`, without ``.csv``); ``None`` writes them all.
    The text is byte for byte what pandas ``to_csv(float_format="%.15g")`` writes (:mod:`.csv_fast`).
    """
    wanted = set(TABLES if outputs is None else outputs)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(f"无法创建输出目录「{out}」：{exc.strerror}。") from None
    h = result.hierarchy
    units = sorted(str(u) for u in result.data.index)
    ind = list(h.indicators)
    written: list[Path] = []

    def save(frame: pd.DataFrame, name: str, index: bool = True) -> None:
        written.append(_save(frame, out / name, index=index))

    if "imputed" in wanted:
        save(_table(result.steps["impute"].data, units, ind), "imputed.csv")
    if "treated" in wanted:
        save(_table(result.steps["treat"].data, units, ind), "treated.csv")
    if "normalised" in wanted:
        save(_table(result.normalised, units, ind), "normalised.csv")
    order = _coinr_order(h)
    if wanted & {"aggregated", "scores_ranks"}:
        combined = pd.concat([result.normalised, result.scores], axis=1)
    if "aggregated" in wanted:
        save(_table(combined, units, order), "aggregated.csv")
    if "scores_ranks" in wanted:
        ranks = pd.concat([rank_scores(result.normalised), result.ranks], axis=1)
        n = len(units)
        rank = ranks.reindex(index=units, columns=order).to_numpy(dtype="float64", na_value=np.nan)
        long = pd.DataFrame(
            {
                # Categoricals: the same text, without hashing 1.86 M strings at national size.
                "uCode": pd.Categorical.from_codes(np.tile(np.arange(n), len(order)), categories=units),
                "iCode": pd.Categorical.from_codes(np.repeat(np.arange(len(order)), n), categories=order),
                "Level": np.repeat([h.level(c) for c in order], n),
                "Score": combined.reindex(index=units, columns=order).to_numpy().T.ravel(),
                "Rank": pd.array(rank.T.ravel(), dtype="Int64"),
            }
        )
        save(long, "scores_ranks.csv", index=False)
    if "treat_details" in wanted and result.treat_details is not None:
        save(result.treat_details, "treat_details.csv")
    return written


def _save(frame: pd.DataFrame, path: Path, *, index: bool) -> Path:
    try:
        return write_csv(frame, path, index=index)
    except OSError as exc:
        raise EngineError(f"无法写入文件「{path}」：{exc.strerror}；请检查输出目录是否存在且可写。") from None
