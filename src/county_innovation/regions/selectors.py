"""Reads of the region tree and region groups."""

from django.conf import settings
from django.db.models import QuerySet

from county_innovation.regions.models import Region, RegionGroup


def city_region() -> Region | None:
    return Region.objects.filter(code=settings.COUNTY_INNOVATION_CITY).first()


def counties_of(city: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=city, level=Region.Level.COUNTY).order_by("code")


def towns_of(region: Region) -> QuerySet[Region]:
    """Township-level units inside ``region`` (a county, or a whole city)."""
    return Region.objects.filter(level=Region.Level.TOWN, code__startswith=region.prefix).order_by("code")


def region_groups_of(city: Region) -> QuerySet[RegionGroup]:
    return RegionGroup.objects.filter(city=city).prefetch_related("members")
