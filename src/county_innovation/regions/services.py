"""Loading the national division codes and the development zones laid over them (the platform's own jobs)."""

import time

from django.db import transaction

from county_innovation.common.actors import Actor, require_system
from county_innovation.common.errors import DomainError
from county_innovation.regions.divisions import BATCH_SIZE, DEFAULT_CITY, LoadReport, division_rows
from county_innovation.regions.models import Region, RegionGroup

# Development zones of Nanchang (domain README §4): a management layer over township-level units.
NANCHANG_ZONES = [
    (
        "nanchang-hitech",
        "南昌高新技术产业开发区",
        ["360121191", "360121192", "360111490"],
        "下辖昌东镇、麻丘镇（南昌县代管）与艾溪湖管理处（青山湖区）。",
    ),
    ("xiaolan-etdz", "小蓝经济技术开发区", ["360121403"], "南昌县 360121403。"),
    (
        "nanchang-etdz",
        "南昌经济技术开发区",
        ["360112461", "360112460", "360112481", "360112482"],
        "成员单位按公开资料推定，尚未经官方文件核实，请市科技局核对后调整。",
    ),
    ("qingyunpu-cluster", "江西青云谱新经济产业集聚区", ["360104400"], ""),
    ("qingshanhu-park", "江西青山湖高新技术产业园区", ["360111400"], ""),
    ("xinjian-edz", "江西新建经济开发区", ["360112404"], ""),
    ("anyi-park", "江西安义工业园区", ["360123402"], ""),
    ("jinxian-edz", "江西进贤经济开发区", ["360124401"], ""),
]


@transaction.atomic
def regions_load(*, actor: Actor, city: str | None = DEFAULT_CITY) -> LoadReport:
    """Load (or refresh) one city's subtree, or the whole country with ``city=None``; idempotent.

    Only the platform loads the national codes (the command line, the demo, the tests' setup).
    """
    require_system(actor, "载入行政区划")
    started = time.perf_counter()
    if city is not None and (len(city) != 6 or not city.isdigit() or not city.endswith("00")):
        raise DomainError(f"城市代码「{city}」无效：应为 6 位地级区划代码，如 360100（南昌市）。")
    rows = division_rows(city)
    if city is not None and not any(r.level == "city" for r in rows):
        raise DomainError(f"区划代码表中没有代码为「{city}」的地级单位。")
    Region.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "kind", "parent"],
    )
    report = LoadReport()
    for r in rows:
        report.counts[r.level] = report.counts.get(r.level, 0) + 1
    if city == "360100":
        region_groups_seed_nanchang(actor=actor)
    report.seconds = time.perf_counter() - started
    return report


def region_groups_seed_nanchang(*, actor: Actor) -> None:
    """Create Nanchang's development zones once; later edits by the city admin are kept."""
    require_system(actor, "预置南昌市开发区")
    city = Region.objects.get(code="360100")
    for code, name, members, note in NANCHANG_ZONES:
        group, created = RegionGroup.objects.get_or_create(
            code=code, defaults={"name": name, "city": city, "note": note}
        )
        if created:
            group.members.set(Region.objects.filter(code__in=members, level=Region.Level.TOWN))
