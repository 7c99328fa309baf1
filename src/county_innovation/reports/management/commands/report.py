"""`county-innovation report bulletin|profile|assessment …`: the documents of the reports app from the shell.

county-innovation report bulletin --run 12 --format pdf --out 2024通报.pdf [--keep]
county-innovation report profile --county 360121 [--period 2024] --out 南昌县档案.docx
county-innovation report assessment --run 12 --mode rank --points 10,9,8 --out 考核.xlsx
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.regions.models import Region
from county_innovation.reports.assessment import assessment_rule_parse, assessment_sheet, assessment_xlsx
from county_innovation.reports.documents import bulletin_render
from county_innovation.reports.models import Bulletin
from county_innovation.reports.profile import county_profile, profile_docx
from county_innovation.reports.services import bulletin_create_now


class Command(BaseCommand):
    help = "生成定期通报（Word/PDF）、一县一档（Word）或年度综合考核得分表（Excel）并写入文件。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="document", required=True)
        bulletin = sub.add_parser("bulletin", help="评价结果的定期通报")
        bulletin.add_argument(
            "--run", type=int, required=True, help="评价编号（县级；乡镇评价则取同期县级评价）"
        )
        bulletin.add_argument("--format", choices=["docx", "pdf"], default="docx", help="docx 或 pdf")
        bulletin.add_argument("--out", required=True, help="输出文件")
        bulletin.add_argument(
            "--keep", action="store_true", help="同时保存为该评价的新版本（网页与接口可下载）"
        )
        profile = sub.add_parser("profile", help="一县一档（Word）")
        profile.add_argument("--county", required=True, help="县（区）区划代码，如 360121")
        profile.add_argument("--period", type=int, help="年度（默认最近一次已发布）")
        profile.add_argument("--out", required=True, help="输出文件")
        assess = sub.add_parser("assessment", help="年度综合考核得分表（Excel）")
        assess.add_argument("--run", type=int, required=True, help="县级评价编号")
        assess.add_argument("--mode", choices=["rank", "linear"], default="rank", help="按名次赋分或线性折算")
        assess.add_argument("--points", default="", help="名次分值，如 10,9,8,7")
        assess.add_argument("--max", default="", help="线性折算的满分")
        assess.add_argument("--out", required=True, help="输出文件")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            content, what = getattr(self, f"_{options['document']}")(options)
        except DomainError as exc:
            raise CommandError("；".join([exc.message, *exc.problems])) from None
        out = Path(options["out"])
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入文件「{out}」：{exc.strerror}。") from None
        self.stdout.write(
            f"已写出{what}：{out}（{len(content):,} 字节，用时 {time.perf_counter() - started:.2f} 秒）"
        )

    @staticmethod
    def _run(run_id: int) -> EvaluationRun:
        run = EvaluationRun.objects.select_related("framework", "scope").filter(pk=run_id).first()
        if run is None:
            raise CommandError(
                f"评价 #{run_id} 不存在；可用 county-innovation shell 或网页「评价结果」查看编号。"
            )
        return run

    def _bulletin(self, options: dict[str, Any]) -> tuple[bytes, str]:
        run = self._run(options["run"])
        fmt = options["format"]
        if not options["keep"]:
            content, version = bulletin_render(run=run, fmt=fmt)
            return content, f"{run.period}年度通报（第{version}版，未保存）"
        rows = {b.format: b for b in bulletin_create_now(run=run, actor=system("命令行生成通报"))}
        kept = rows[fmt]
        if kept.status != Bulletin.Status.DONE:
            raise CommandError(f"第{kept.version}版通报（{fmt}）生成失败：{kept.error}")
        content = bytes(Bulletin.objects.get(pk=kept.pk).content)
        return content, f"{run.period}年度通报（第{kept.version}版，已保存）"

    def _profile(self, options: dict[str, Any]) -> tuple[bytes, str]:
        county = Region.objects.filter(code=options["county"], level=Region.Level.COUNTY).first()
        if county is None:
            raise CommandError(f"「{options['county']}」不是县（区）的区划代码。")
        profile = county_profile(county=county, period=options["period"], show_raw=True)
        if profile is None:
            raise CommandError(f"「{county.name}」尚无已发布的评价结果，暂不能建档。")
        return profile_docx(profile), f"{county.name}{profile.period}年度档案"

    def _assessment(self, options: dict[str, Any]) -> tuple[bytes, str]:
        run = self._run(options["run"])
        rule = assessment_rule_parse(
            mode=options["mode"], rank_points=options["points"], max_points=options["max"]
        )
        sheet = assessment_sheet(run=run, rule=rule)
        return assessment_xlsx(sheet), sheet.title
