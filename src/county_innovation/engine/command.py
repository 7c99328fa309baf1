"""The ``index`` command on COINr's iData/iMeta files, runnable without Django.

``county-innovation index …`` dispatches here before Django is set up (``county_innovation.cli``), so the
command starts in the time it takes to import numpy and pandas; the Django management command of the same
name (``evaluation/management/commands/index.py``) declares the same options through
:func:`add_arguments` and runs :func:`run`, so ``call_command("index", …)`` behaves the same.
Pure: argparse, the engine and the standard library.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import EngineError

__all__ = ["ROBUSTNESS_TABLES", "add_arguments", "main", "parse_outputs", "run"]

ROBUSTNESS_TABLES = ("rank_stats", "sensitivity")
HELP = (
    "按 COINr 文件格式（iData.csv、iMeta.csv）计算综合指数：插补 → 异常值处理 → 标准化 → 合成 → 排名，"
    "并把每一步的结果写入 --out 目录（imputed.csv、treated.csv、normalised.csv、aggregated.csv、"
    "scores_ranks.csv）。"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options on ``parser`` (argparse's, or Django's CommandParser)."""
    parser.add_argument(
        "--idata", required=True, help="iData.csv：每行一个单位（uCode、uName、分组列、Time、分母、指标）"
    )
    parser.add_argument(
        "--imeta", required=True, help="iMeta.csv：Level、iCode、iName、Direction、Weight、Parent、Type"
    )
    parser.add_argument("--out", required=True, help="输出目录（不存在则创建）")
    parser.add_argument("--spec", help="方法设置 JSON 文件（MethodSpec 字段）；下列选项在其基础上覆盖")
    parser.add_argument(
        "--impute", help="none | mean | median | mean-group:列名 | median-group:列名 | latest | linear"
    )
    parser.add_argument("--treat", help="none | coinr | winsorise | log | log_CT | log_GII | boxcox[:λ]")
    parser.add_argument(
        "--normalise",
        help="minmax:下限,上限 | zscore:均值,标准差 | rank | prank | borda | dist2max | fracmax | "
        "goalposts | target",
    )
    parser.add_argument("--aggregate", help="amean | gmean | hmean | genmean:p | topsis")
    parser.add_argument("--weights", help="given | equal | entropy | critic | pca")
    parser.add_argument("--denominate", action="store_true", help="按 iMeta 的 Denominator 列先做分母处理")
    parser.add_argument("--threshold", type=float, help="单位的指标可用率门槛（0–1）")
    parser.add_argument("--allow-constant", action="store_true", help="允许取值全部相同的指标（按缺失处理）")
    parser.add_argument("--uncertainty", metavar="SPEC.json", help="不确定性分析设置；写出 rank_stats.csv")
    parser.add_argument("--sensitivity", metavar="SPEC.json", help="敏感性分析设置；另写出 sensitivity.csv")
    parser.add_argument(
        "--outputs",
        default="all",
        metavar="TABLES",
        help="要写出的表，逗号分隔（默认 all）：imputed、treated、normalised、aggregated、scores_ranks、"
        "treat_details、rank_stats、sensitivity；none 表示只计算不写出",
    )


def parse_outputs(text: str | None) -> set[str]:
    """``"all"`` (or None), ``"none"`` or a comma-separated list of table names → the set of names."""
    from .coinr_io import TABLES

    known = (*TABLES, *ROBUSTNESS_TABLES)
    if text is None or text.strip() == "all":
        return set(known)
    names = {t.strip().removesuffix(".csv") for t in text.split(",") if t.strip()}
    if names == {"none"}:
        return set()
    unknown = sorted(names - set(known))
    if unknown:
        raise EngineError(
            f"--outputs 中的「{'、'.join(unknown)}」不是可写出的表；可选：{'、'.join(known)}，"
            "或 all（全部）、none（不写出）。"
        )
    return names


def run(options: Mapping[str, Any], *, say: Callable[[str], None], warn: Callable[[str], None]) -> list[Path]:
    """Run the command with parsed ``options`` (the argparse dests); report through ``say``/``warn``.

    Raises
    ------
    EngineError
        Any refused input or option, with the Chinese message the user sees.
    """
    started = time.perf_counter()
    written, result = _run(options)
    for note in result.warnings:
        warn(f"注意：{note}")
    say(
        f"{len(result.data)} 个单位、{len(result.hierarchy.indicators)} 个指标，"
        f"用时 {time.perf_counter() - started:.2f} 秒；已写出："
    )
    for path in written:
        say(f"  {path}")
    return written


def _run(options: Mapping[str, Any]) -> tuple[list[Path], Any]:
    from .coinr_io import check_indicators, evaluation_frame, read_coinr, spec_from_options, write_outputs
    from .pipeline import evaluate
    from .spec import MethodSpec

    outputs = parse_outputs(options.get("outputs"))
    inp = read_coinr(options["idata"], options["imeta"])
    check_indicators(inp, allow_constant=options["allow_constant"])
    base = MethodSpec.from_json(_read_text(options["spec"], "方法设置")).to_dict() if options["spec"] else {}
    spec = spec_from_options(
        inp,
        base=base,
        impute=options["impute"],
        treat=options["treat"],
        normalise=options["normalise"],
        aggregate=options["aggregate"],
        weights=options["weights"],
        denominate=options["denominate"],
        availability_threshold=options["threshold"],
    )
    frame = evaluation_frame(inp, spec)
    result = evaluate(frame, inp.hierarchy, spec)
    out = Path(options["out"])
    written = write_outputs(result, out, outputs=outputs)
    if options["uncertainty"] or options["sensitivity"]:
        written += _robustness(frame, result, options, out, outputs)
    return written, result


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EngineError(f"无法读取{what}文件「{path}」：{exc.strerror}。") from None


def _robustness(
    frame: Any, result: Any, options: Mapping[str, Any], out: Path, outputs: set[str]
) -> list[Path]:
    """The uncertainty / sensitivity analyses on the same input and method as the nominal run; their spec
    files choose what varies. Only the rank statistics are kept, so memory stays bounded at national size."""
    from . import robustness_io as rio
    from . import uncertainty as ua

    written: list[Path] = []
    if options["uncertainty"]:
        ua_spec = ua.UncertaintySpec.from_json(options["uncertainty"])
        ua_result = ua.run_uncertainty(frame, result.hierarchy, result.spec, ua_spec, keep_replications=False)
        if "rank_stats" in outputs:
            written.append(rio.write_rank_stats(ua_result, out / "rank_stats.csv"))
    if options["sensitivity"]:
        from . import sensitivity as sa

        sa_spec = ua.UncertaintySpec.from_json(options["sensitivity"])
        sa_result = sa.run_sensitivity(frame, result.hierarchy, result.spec, sa_spec, keep_replications=False)
        if "sensitivity" in outputs:
            written.append(rio.write_sensitivity(sa_result, out / "sensitivity.csv"))
        if not options["uncertainty"] and "rank_stats" in outputs:
            written.append(rio.write_rank_stats(sa_result, out / "rank_stats.csv"))
    return written


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=HELP)
    add_arguments(parser)
    # Accepted for compatibility with the Django management command's common options; no effect here.
    parser.add_argument(
        "-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=1, help=argparse.SUPPRESS
    )
    for flag in ("--settings", "--pythonpath"):
        parser.add_argument(flag, help=argparse.SUPPRESS)
    for flag in ("--traceback", "--no-color", "--force-color", "--skip-checks"):
        parser.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None, prog: str = "county-innovation index") -> int:
    """Run from the command line; return the exit status (0, or 1 with the message on stderr)."""
    options = vars(_parser(prog).parse_args(sys.argv[1:] if argv is None else argv))
    try:
        run(options, say=print, warn=lambda s: print(s, file=sys.stderr))
    except EngineError as exc:
        # The same line Django prints for a CommandError, so scripts see one format either way.
        print(f"CommandError: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
