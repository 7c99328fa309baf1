"""``county-innovation index`` on COINr files: options, outputs, and bad input refused in Chinese."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from county_innovation.engine import EngineError
from county_innovation.engine.coinr_io import OUTPUT_FILES, read_coinr

META = """Level,iCode,iName,Direction,Weight,Parent,Type
1,a,专利,1,1,D1,Indicator
1,b,能耗,-1,1,D1,Indicator
1,c,研发,1,2,D2,Indicator
2,D1,产出,1,1,I,Aggregate
2,D2,投入,1,1,I,Aggregate
3,I,创新指数,1,1,,Aggregate
,grp_group,分组,,,,Group
,pop,人口,,,,Denominator
"""
DATA = """uCode,uName,grp_group,Time,pop,a,b,c
X1,甲县,A,2023,10,1,5,3
X2,乙县,A,2023,20,2,4,
X3,丙县,B,2023,30,4,3,8
X4,丁县,B,2023,40,8,1,9
"""


def _files(tmp_path: Path, meta: str = META, data: str = DATA) -> dict[str, str]:
    (tmp_path / "iMeta.csv").write_text(meta, encoding="utf-8")
    (tmp_path / "iData.csv").write_text(data, encoding="utf-8")
    return {
        "idata": str(tmp_path / "iData.csv"),
        "imeta": str(tmp_path / "iMeta.csv"),
        "out": str(tmp_path / "out"),
    }


def test_outputs_and_options(tmp_path: Path) -> None:
    args = _files(tmp_path)
    call_command(
        "index",
        impute="mean-group:grp_group",
        treat="coinr",
        normalise="minmax:1,100",
        aggregate="gmean",
        **args,
    )
    out = Path(args["out"])
    assert all((out / name).exists() for name in OUTPUT_FILES)
    imputed = pd.read_csv(out / "imputed.csv").set_index("uCode")
    assert imputed.loc["X2", "c"] == 3.0  # mean of group A
    agg = pd.read_csv(out / "aggregated.csv")
    assert list(agg.columns) == ["uCode", "a", "b", "c", "D1", "D2", "I"]
    long = pd.read_csv(out / "scores_ranks.csv")
    assert list(long.columns) == ["uCode", "iCode", "Level", "Score", "Rank"] and len(long) == 4 * 6
    assert long.loc[long["iCode"] == "I", "Rank"].min() == 1
    assert agg["a"].min() == 1.0  # min-max onto 1–100


def test_denominate_and_weights_options(tmp_path: Path) -> None:
    meta = META.replace(
        "Level,iCode,iName,Direction,Weight,Parent,Type",
        "Level,iCode,iName,Direction,Weight,Parent,Type,Denominator",
    )
    meta = meta.replace("1,a,专利,1,1,D1,Indicator", "1,a,专利,1,1,D1,Indicator,pop").replace(
        "Indicator\n", "Indicator,\n"
    )
    meta = (
        "\n".join(line if line.count(",") == 7 else line + "," for line in meta.strip().splitlines()) + "\n"
    )
    args = _files(tmp_path, meta=meta)
    call_command("index", denominate=True, weights="equal", impute="median", **args)
    imputed = pd.read_csv(Path(args["out"]) / "imputed.csv").set_index("uCode")
    assert imputed["a"].tolist() == pytest.approx([0.1, 0.1, 4 / 30, 0.2], rel=1e-14)


@pytest.mark.parametrize(
    ("meta", "data", "options", "pattern"),
    [
        (
            META.replace("2,D2,投入,1,1,I", "2,D2,投入,1,1,Index"),
            DATA,
            {},
            "「D2」的上级（Parent）「Index」不是任何汇总节点",
        ),
        (
            META.replace("1,c,研发,1,2,D2", "1,c,研发,1,2,b"),
            DATA,
            {},
            "「c」的上级（Parent）「b」不是任何汇总节点",
        ),
        (
            META.replace("2,D1,产出,1,1,I", "2,D1,产出,1,1,D2").replace(
                "2,D2,投入,1,1,I", "2,D2,投入,1,1,D1"
            ),
            DATA,
            {},
            "循环上下级关系",
        ),
        (
            META.replace("1,a,专利,1,1", "1,a,专利,1,0").replace("1,b,能耗,-1,1", "1,b,能耗,-1,0"),
            DATA,
            {},
            "「产出（D1）」的下级（a、b）权重全部为 0",
        ),
        (
            META,
            DATA.replace(",5,3\n", ",5,约3\n"),
            {},
            "iData 第 2 行（uCode X1）「c」应为数字，实际为「约3」",
        ),
        (
            META,
            DATA.replace("1,5,3", "7,5,3")
            .replace("2,4,", "7,4,")
            .replace("4,3,8", "7,3,8")
            .replace("8,1,9", "7,1,9"),
            {},
            "指标「a（全部为 7）」在所有单位中取值相同.*--allow-constant",
        ),
        (
            META,
            DATA.replace(",5,3\n", ",5,\n").replace(",3,8\n", ",3,\n").replace(",1,9\n", ",1,\n"),
            {},
            "指标「c」在 iData 中全部缺失",
        ),
        (META, DATA, {"aggregate": "gmean"}, "几何平均要求所有标准化值为正数.*下限"),
        (META, DATA, {"normalise": "minmax:100,0"}, "下限必须小于上限"),
        (META, DATA, {"aggregate": "median"}, "未知的合成方法「median」"),
        (META, DATA, {"impute": "mean-group:region"}, "iData 中没有分组列「region」；可用：grp_group"),
        (META.replace("Indicator", "Indikator", 1), DATA, {}, "Type「Indikator」无效"),
        (META.replace("3,I,", "2,I,"), DATA, {}, "「I」的 Level 为 2，但按上下级关系应为 3"),
    ],
)
def test_bad_input_is_refused(tmp_path: Path, meta: str, data: str, options: dict, pattern: str) -> None:
    with pytest.raises(CommandError, match=pattern):
        call_command("index", **_files(tmp_path, meta, data), **options)


def test_constant_indicator_allowed_with_flag(tmp_path: Path) -> None:
    data = (
        DATA.replace("1,5,3", "1,2,3")
        .replace("2,4,", "2,2,")
        .replace("4,3,8", "4,2,8")
        .replace("8,1,9", "8,2,9")
    )
    call_command("index", allow_constant=True, **_files(tmp_path, data=data))
    norm = pd.read_csv(tmp_path / "out" / "normalised.csv")
    assert norm["b"].isna().all()


def test_geometric_mean_on_a_non_positive_value_is_refused_with_its_place(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="几何平均要求所有标准化值为正数，指标「专利（a）」在「X1」处为 0"):
        data = DATA.replace("X1,甲县,A,2023,10,1,", "X1,甲县,A,2023,10,0,")
        call_command(
            "index",
            normalise="target",
            aggregate="gmean",
            spec=_spec(tmp_path),
            **_files(tmp_path, data=data),
        )


def _spec(tmp_path: Path) -> str:
    path = tmp_path / "spec.json"
    path.write_text('{"targets": {"a": 1, "b": 1, "c": 1}, "minmax_range": [1, 100]}', encoding="utf-8")
    return str(path)


def test_read_coinr_is_pure(tmp_path: Path) -> None:
    _files(tmp_path)
    inp = read_coinr(tmp_path / "iData.csv", tmp_path / "iMeta.csv")
    assert inp.groups == ["grp_group"] and inp.denominators == ["pop"]
    with pytest.raises(EngineError, match="找不到iData文件"):
        read_coinr(tmp_path / "nope.csv", tmp_path / "iMeta.csv")


def test_console_script_exits_non_zero_with_the_message(tmp_path: Path) -> None:
    args = _files(tmp_path, META.replace("2,D2,投入,1,1,I", "2,D2,投入,1,1,Index"))
    proc = subprocess.run(
        [sys.executable, "-m", "county_innovation.cli", "index",
         "--idata", args["idata"], "--imeta", args["imeta"],
         "--out", args["out"]],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "不是任何汇总节点" in proc.stderr and "Traceback" not in proc.stderr


def test_uncertainty_and_sensitivity_files(tmp_path: Path) -> None:
    args = _files(tmp_path)
    spec = tmp_path / "ua.json"
    spec.write_text(
        '{"replications": 40, "seed": 1, "weight_noise": {"2": 0.25}, "aggregations": ["amean", "hmean"],'
        ' "normalisations": ["minmax:1,100", "zscore:10,2"], "bootstrap": 20}',
        encoding="utf-8",
    )
    call_command("index", uncertainty=str(spec), sensitivity=str(spec), **args)
    stats = pd.read_csv(Path(args["out"]) / "rank_stats.csv")
    assert list(stats.columns) == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"] and len(stats) == 4
    sens = pd.read_csv(Path(args["out"]) / "sensitivity.csv")
    assert list(sens.columns[:3]) == ["Parameter", "Si", "STi"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"replications": 0}', encoding="utf-8")
    with pytest.raises(CommandError, match="replications"):
        call_command("index", uncertainty=str(bad), **args)


def test_console_index_runs_without_django_and_writes_only_the_chosen_tables(tmp_path: Path) -> None:
    args = _files(tmp_path)
    spec = tmp_path / "ua.json"
    spec.write_text('{"replications": 30, "weight_noise": {"2": 0.25}}', encoding="utf-8")
    code = (
        "import sys\n"
        "from county_innovation.cli import main\n"
        "try:\n"
        f"    main(['index', '--idata', {args['idata']!r}, '--imeta', {args['imeta']!r}, "
        f"'--out', {args['out']!r}, '--outputs', 'aggregated,rank_stats', '--uncertainty', {str(spec)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'django', 'scipy', 'matplotlib', 'openpyxl'})\n"
        "assert not loaded, loaded\n"
    )
    src = str(Path(__file__).resolve().parents[3])
    proc = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": src}, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "4 个单位、3 个指标" in proc.stdout
    assert sorted(p.name for p in Path(args["out"]).iterdir()) == ["aggregated.csv", "rank_stats.csv"]


def test_unknown_output_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="「scores」不是可写出的表"):
        call_command("index", outputs="aggregated,scores", **_files(tmp_path))
    call_command("index", outputs="none", **_files(tmp_path))
    assert list((tmp_path / "out").iterdir()) == []
