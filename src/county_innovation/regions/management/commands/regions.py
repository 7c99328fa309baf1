"""`county-innovation regions load [--city 360100 | --all]`: load the national division codes."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.regions.divisions import DEFAULT_CITY
from county_innovation.regions.services import regions_load


class Command(BaseCommand):
    help = "行政区划管理：load 载入国家统计局统计用区划代码（默认南昌市 360100，--all 载入全国）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="载入区划代码")
        load.add_argument("--city", default=DEFAULT_CITY, help="地级单位代码（6位），默认 360100 南昌市")
        load.add_argument("--all", action="store_true", help="载入全国所有区划（约 4.5 万个单位）")

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = regions_load(
                actor=system("命令行载入行政区划"), city=None if options["all"] else options["city"]
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
