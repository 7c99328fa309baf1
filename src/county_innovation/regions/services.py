"""Loading the national division codes and editing the region groups (development zones) laid over them."""

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from county_innovation.common.errors import DomainError
from county_innovation.regions.models import Region, RegionGroup

DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions"
DEFAULT_CITY = "360100"
BATCH_SIZE = 2000

# NBS township code ranges (digits 7–9): 001–099 街道, 100–199 镇, 200–399 乡, 400–599 类乡级单位.
_TOWN_KIND_BY_RANGE = ((100, "街道"), (200, "镇"), (400, "乡"), (600, "类乡级单位"))

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


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"{label} {self.counts.get(level, 0):,}" for level, label in Region.Level.choices]
        return "已载入行政区划：" + "，".join(parts) + f"（用时 {self.seconds:.1f} 秒）"


def county_kind(name: str) -> str:
    for suffix, kind in (("区", "区"), ("县", "县"), ("市", "县级市"), ("旗", "旗")):
        if name.endswith(suffix):
            return kind
    return "其他"


def town_kind(code: str, name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix):
            return suffix
    number = int(code[6:9])
    return next((kind for upper, kind in _TOWN_KIND_BY_RANGE if number < upper), "类乡级单位")


def _read(name: str) -> list[dict[str, str]]:
    with open(DIVISIONS_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _division_rows(city: str | None) -> list[Region]:
    """Region objects, parents before children, for one city (6-digit code) or for the whole country."""
    city_prefix = city[:4] if city else None
    province_prefix = city[:2] if city else None
    rows: list[Region] = []
    for r in _read("provinces.csv"):
        if province_prefix is None or r["code"] == province_prefix:
            rows.append(Region(code=r["code"] + "0000", name=r["name"], level="province", kind="省"))
    for r in _read("cities.csv"):
        if city_prefix is None or r["code"] == city_prefix:
            rows.append(
                Region(
                    code=r["code"] + "00",
                    name=r["name"],
                    level="city",
                    kind="市",
                    parent_id=r["provinceCode"] + "0000",
                )
            )
    for r in _read("areas.csv"):
        if city_prefix is None or r["cityCode"] == city_prefix:
            rows.append(
                Region(
                    code=r["code"],
                    name=r["name"],
                    level="county",
                    kind=county_kind(r["name"]),
                    parent_id=r["cityCode"] + "00",
                )
            )
    for r in _read("streets.csv"):
        if city_prefix is None or r["cityCode"] == city_prefix:
            rows.append(
                Region(
                    code=r["code"],
                    name=r["name"],
                    level="town",
                    kind=town_kind(r["code"], r["name"]),
                    parent_id=r["areaCode"],
                )
            )
    return rows


@transaction.atomic
def regions_load(*, city: str | None = DEFAULT_CITY) -> LoadReport:
    """Load (or refresh) one city's subtree, or the whole country with ``city=None``; idempotent."""
    started = time.perf_counter()
    if city is not None and (len(city) != 6 or not city.isdigit() or not city.endswith("00")):
        raise DomainError(f"城市代码「{city}」无效：应为 6 位地级区划代码，如 360100（南昌市）。")
    rows = _division_rows(city)
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
        region_groups_seed_nanchang()
    report.seconds = time.perf_counter() - started
    return report


def region_groups_seed_nanchang() -> None:
    """Create Nanchang's development zones once; later edits by the city admin are kept."""
    city = Region.objects.get(code="360100")
    for code, name, members, note in NANCHANG_ZONES:
        group, created = RegionGroup.objects.get_or_create(
            code=code, defaults={"name": name, "city": city, "note": note}
        )
        if created:
            group.members.set(Region.objects.filter(code__in=members, level=Region.Level.TOWN))


@transaction.atomic
def region_group_save(
    *,
    group: RegionGroup | None,
    code: str,
    name: str,
    kind: str,
    city: Region,
    member_codes: list[str],
    note: str = "",
) -> RegionGroup:
    """Create or change a region group; every member must be a township of ``city``."""
    members = list(
        Region.objects.filter(code__in=member_codes, level=Region.Level.TOWN, code__startswith=city.prefix)
    )
    missing = sorted(set(member_codes) - {m.code for m in members})
    if missing:
        raise DomainError(f"以下代码不是{city.name}的乡级单位：{'、'.join(missing)}。")
    if not members:
        raise DomainError("区域组至少要包含一个乡级单位。")
    clash = RegionGroup.objects.filter(name=name).exclude(pk=group.pk if group else None)
    if clash.exists():
        raise DomainError(f"已有名为「{name}」的区域组。")
    if group is None:
        if RegionGroup.objects.filter(code=code).exists():
            raise DomainError(f"已有代码为「{code}」的区域组。")
        group = RegionGroup(code=code, city=city)
    group.name, group.kind, group.note = name, kind, note
    group.save()
    group.members.set(members)
    return group
