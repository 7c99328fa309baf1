"""`county-innovation registry publish --period YEAR`: recompute the registry indicators of a year.

Every registered registry (the enterprise registry today) counts its records per town and county and publishes
them through collection.services.publishing; a year whose round has been published is locked and refused.
"""

from django.core.management.base import BaseCommand, CommandError

from county_innovation.collection.publishing import registries
from county_innovation.collection.services.publishing import registries_refresh
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError


class Command(BaseCommand):
    help = "发布登记名录（如科技企业名录）按区划和年度统计的指标值"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        publish = sub.add_parser("publish", help="重新统计并发布某一年度的名录指标")
        publish.add_argument("--period", type=int, required=True, help="年度，如 2025")

    def handle(self, *args, **options):
        period = options["period"]
        try:
            reports = registries_refresh(period=period, actor=system("命令行发布名录指标"))
        except DomainError as error:
            raise CommandError("\n".join([error.message, *error.problems])) from None
        for r in reports:
            self.stdout.write(
                f"{r.registry} {period}年：新增 {r.created}，更新 {r.updated}，未变 {r.unchanged}，移除 {r.removed}"
            )
        if not registries():
            self.stdout.write("没有已登记的名录。")
