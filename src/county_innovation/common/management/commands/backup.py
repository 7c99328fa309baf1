"""`county-innovation backup [--output FILE]`: one archive of the database, uploaded files and documents."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from county_innovation.common.backup import backup_create
from county_innovation.common.errors import DomainError


class Command(BaseCommand):
    help = "备份：数据库（SQLite 在线备份 / PostgreSQL pg_dump）、上传文件与生成的文档，打包为一个 tar.gz 并附清单。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", "-o", type=Path, help="备份文件路径（默认 var/backups/county-innovation-时间.tar.gz）"
        )

    def handle(self, *args, output: Path | None, **options) -> None:
        try:
            report = backup_create(output=output)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        rows = sum(t["count"] for t in report.manifest["tables"].values())
        self.stdout.write(
            f"已备份到 {report.path}：{len(report.manifest['tables'])} 张表，共 {rows} 行，"
            f"SHA-256 {report.manifest['sha256']}"
        )
