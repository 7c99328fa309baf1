"""`county-innovation index`: the engine on COINr's iData/iMeta files, writing every step's table.

A thin wrapper: parsing, validation and the tables live in ``county_innovation.engine.coinr_io``.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.engine import EngineError, evaluate
from county_innovation.engine.coinr_io import (
    check_indicators,
    evaluation_frame,
    read_coinr,
    spec_from_options,
    write_outputs,
)
from county_innovation.engine.spec import MethodSpec


class Command(BaseCommand):
    help = (
        "按 COINr 文件格式（iData.csv、iMeta.csv）计算综合指数：插补 → 异常值处理 → 标准化 → 合成 → 排名，"
        "并把每一步的结果写入 --out 目录（imputed.csv、treated.csv、normalised.csv、aggregated.csv、"
        "scores_ranks.csv）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
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
        parser.add_argument(
            "--denominate", action="store_true", help="按 iMeta 的 Denominator 列先做分母处理"
        )
        parser.add_argument("--threshold", type=float, help="单位的指标可用率门槛（0–1）")
        parser.add_argument(
            "--allow-constant", action="store_true", help="允许取值全部相同的指标（按缺失处理）"
        )
        parser.add_argument(
            "--uncertainty", metavar="SPEC.json", help="不确定性分析设置；写出 rank_stats.csv"
        )
        parser.add_argument(
            "--sensitivity", metavar="SPEC.json", help="敏感性分析设置；另写出 sensitivity.csv"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            written, result = self._run(options)
        except EngineError as exc:
            raise CommandError(str(exc)) from None
        for note in result.warnings:
            self.stderr.write(self.style.WARNING(f"注意：{note}"))
        self.stdout.write(
            f"{len(result.data)} 个单位、{len(result.hierarchy.indicators)} 个指标，"
            f"用时 {time.perf_counter() - started:.2f} 秒；已写出："
        )
        for path in written:
            self.stdout.write(f"  {path}")

    def _run(self, options: dict[str, Any]) -> tuple[list[Path], Any]:
        inp = read_coinr(options["idata"], options["imeta"])
        check_indicators(inp, allow_constant=options["allow_constant"])
        base = (
            MethodSpec.from_json(_read_text(options["spec"], "方法设置")).to_dict() if options["spec"] else {}
        )
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
        written = write_outputs(result, out)
        if options["uncertainty"] or options["sensitivity"]:
            written += _robustness(frame, result, options, out)
        return written, result


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EngineError(f"无法读取{what}文件「{path}」：{exc.strerror}。") from None


def _robustness(frame: Any, result: Any, options: dict[str, Any], out: Path) -> list[Path]:
    """Run the uncertainty / sensitivity analyses (engine.uncertainty, .sensitivity) on the same input and
    method as the nominal run; their spec files choose what varies."""
    try:
        ua = importlib.import_module("county_innovation.engine.uncertainty")
        rio = importlib.import_module("county_innovation.engine.robustness_io")
    except ImportError:
        raise EngineError("本版本的引擎尚未提供不确定性/敏感性分析模块。") from None
    written: list[Path] = []
    if options["uncertainty"]:
        ua_spec = ua.UncertaintySpec.from_json(options["uncertainty"])
        ua_result = ua.run_uncertainty(frame, result.hierarchy, result.spec, ua_spec)
        written.append(rio.write_rank_stats(ua_result, out / "rank_stats.csv"))
    if options["sensitivity"]:
        sa = importlib.import_module("county_innovation.engine.sensitivity")
        sa_spec = ua.UncertaintySpec.from_json(options["sensitivity"])
        sa_result = sa.run_sensitivity(frame, result.hierarchy, result.spec, sa_spec)
        written.append(rio.write_sensitivity(sa_result, out / "sensitivity.csv"))
        if not options["uncertainty"] and hasattr(sa_result, "rank_stats"):
            written.append(rio.write_rank_stats(sa_result, out / "rank_stats.csv"))
    return written
