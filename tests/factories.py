"""Small factories for tests that need a few regions and users of their own, not the Nanchang demo.

Unit tests build exactly the world they assert on (a city, its counties and towns, one user per role) with
codes of any city, so no test passes only because everything is 3601. The demo world (``demo`` fixture) is for
journeys and query budgets.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from county_innovation.accounts.models import Role, User
from county_innovation.regions.models import Region

_serial = itertools.count(1)
PASSWORD = "test-pass-2025"


@dataclass
class City:
    """A city with its counties and their towns, as created by ``city_tree``."""

    city: Region
    counties: list[Region]
    towns: dict[str, list[Region]] = field(default_factory=dict)  # county code -> its towns

    def towns_of(self, county: Region) -> list[Region]:
        return self.towns[county.code]


def city_tree(code: str = "990100", name: str = "测试市", counties: int = 2, towns: int = 2) -> City:
    """A city (6-digit code ending in 00), ``counties`` counties (code+02, +03, …) with ``towns`` towns each."""
    city = Region.objects.create(code=code, name=name, level=Region.Level.CITY, kind="")
    made = City(city=city, counties=[])
    for i in range(counties):
        county = Region.objects.create(
            code=f"{code[:4]}{i + 2:02d}",
            name=f"{name}第{i + 1}区",
            level=Region.Level.COUNTY,
            kind="区",
            parent=city,
        )
        made.counties.append(county)
        made.towns[county.code] = [
            Region.objects.create(
                code=f"{county.code}{100 + j:03d}",
                name=f"{county.name}第{j + 1}镇",
                level=Region.Level.TOWN,
                kind="镇",
                parent=county,
            )
            for j in range(towns)
        ]
    return made


def user(role: str, region: Region | None = None, *, department: str = "", username: str = "") -> User:
    """A user of ``role`` scoped to ``region`` (password ``PASSWORD``)."""
    username = username or f"{role}_{next(_serial)}"
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        region=region,
        department=department,
        display_name=username,
    )


def officers(world: City) -> dict[str, User]:
    """One user per regional role of ``world``: the city admin, a department, the first county and its first town,
    and the second county's officer to test scope against."""
    first, second = world.counties[0], world.counties[1]
    return {
        "city_admin": user(Role.CITY_ADMIN, world.city),
        "department": user(Role.DEPARTMENT, world.city, department="statistics"),
        "county": user(Role.COUNTY, first),
        "other_county": user(Role.COUNTY, second),
        "town": user(Role.TOWN, world.towns_of(first)[0]),
        "expert": user(Role.EXPERT),
    }
