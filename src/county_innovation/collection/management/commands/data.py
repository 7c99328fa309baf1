"""`county-innovation data import FILE --framework CODE --period YEAR --user USERNAME [--dry-run] [--submit]`.

The same import as the web page and the API (``collection.services.imports``): the Excel template, CSV (UTF-8 or GBK)
or JSON, checked whole; anything refused prints every problem and exits with status 1, writing nothing.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.accounts.models import User
from county_innovation.collection.services.imports import data_import_path
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import Framework
from county_innovation.indicators.selectors import framework_latest


class Command(BaseCommand):
    help = (
        "指标数据管理：import 导入填报模板（.xlsx）、CSV（区划代码,指标代码,数值[,说明]；UTF-8 或 GBK）"
        "或 JSON 文件。整份文件检查通过才写入；有问题时列出全部问题并以状态 1 退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="导入一个数据文件")
        load.add_argument("file", help="文件路径：.xlsx 模板、.csv 或 .json（按内容识别）")
        load.add_argument("--framework", required=True, help="评价指标体系代码，如 county、town")
        load.add_argument("--version", type=int, help="体系版本；省略时为最新的非草稿版本")
        load.add_argument("--period", type=int, required=True, help="数据年度，如 2025")
        load.add_argument(
            "--user",
            required=True,
            help="以哪个用户的身份导入（用户名）：管辖范围、负责的指标和修改记录都按该用户",
        )
        load.add_argument("--dry-run", action="store_true", help="只检查并报告将会发生的变化，不写入")
        load.add_argument("--submit", action="store_true", help="写入后提交所涉及的填报")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"用户「{options['user']}」不存在或已停用。")
        code, version = str(options["framework"]), options["version"]
        if version is None:
            framework = framework_latest(code)
        else:
            framework = Framework.objects.filter(code=code, version=version).first()
        if framework is None:
            raise CommandError(
                f"评价指标体系「{code}」{f'第{version}版' if version else ''}不存在或尚未启用。"
            )
        try:
            report = data_import_path(
                actor=user,
                framework=framework,
                period=int(options["period"]),
                path=str(options["file"]),
                submit=bool(options["submit"]),
                dry_run=bool(options["dry_run"]),
            )
        except DomainError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"  提示 {warning}"))
        if report.batch is not None:
            self.stdout.write(f"导入记录 #{report.batch.pk}，文件 SHA-256 {report.batch.file_sha256[:12]}…")
