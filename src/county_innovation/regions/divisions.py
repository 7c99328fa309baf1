"""The national division codes (NBS 统计用区划代码) as rows of the region tree: reading the CSV files and the
pure rules that name a unit's kind. The loader that stores them is ``regions.services.regions_load``."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from county_innovation.regions.models import Region

DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions"
DEFAULT_CITY = "360100"
BATCH_SIZE = 2000

# NBS township code ranges (digits 7–9): 001–099 街道, 100–199 镇, 200–399 乡, 400–599 类乡级单位.
_TOWN_KIND_BY_RANGE = ((100, "街道"), (200, "镇"), (400, "乡"), (600, "类乡级单位"))


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


def division_rows(city: str | None) -> list[Region]:
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
