"""`county-innovation restore FILE`: restore a backup into an empty installation, then check its hashes."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from county_innovation.common.backup import backup_restore
from county_innovation.common.errors import DomainError


class Command(BaseCommand):
    help = "从备份文件恢复到一个全新的空安装（数据库为空、上传目录为空，迁移状态与备份一致），并核对清单中的行数与哈希。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("archive", type=Path, help="county-innovation backup 生成的 .tar.gz 文件")

    def handle(self, *args, archive: Path, **options) -> None:
        try:
            manifest = backup_restore(path=archive)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        rows = sum(t["count"] for t in manifest["tables"].values())
        self.stdout.write(
            f"已从 {archive} 恢复（备份于 {manifest['created_at']}，平台版本 {manifest['platform_version']}）："
            f"{rows} 行，哈希一致。"
        )
