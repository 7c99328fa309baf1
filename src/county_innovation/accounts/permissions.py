"""The scope primitives every app's policies build on: which region subtree a user stands for.

A user is scoped to a region subtree (their ``region``): the city admin and city departments to the city,
a county officer to their county and its towns, a town officer to their town; experts and enterprises to none.
Published evaluation results are readable by every signed-in user; a region's raw values only within the rule
below. What each role may do with each kind of object is stated once in the apps' ``policies.py``
(docs/architecture.md, "Actors and policies"); this module holds only what those policies share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from county_innovation.accounts.models import Role
from county_innovation.regions.models import Region

if TYPE_CHECKING:
    from county_innovation.accounts.models import User
    from county_innovation.indicators.models import Indicator

REGIONAL_ROLES = {Role.CITY_ADMIN, Role.DEPARTMENT, Role.COUNTY, Role.TOWN}


def is_city_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.CITY_ADMIN))


def scope_root(user: User) -> Region | None:
    """The root of the user's region subtree, or None when the user sees no region data."""
    if not user.is_authenticated or user.role not in REGIONAL_ROLES:
        return None
    return user.region


def in_scope(user: User, region: Region) -> bool:
    root = scope_root(user)
    return root is not None and region.code.startswith(root.prefix)


def scoped_regions(user: User, queryset: QuerySet[Region] | None = None) -> QuerySet[Region]:
    """The regions of ``queryset`` (default: all) that lie in the user's subtree."""
    queryset = Region.objects.all() if queryset is None else queryset
    root = scope_root(user)
    if root is None:
        return queryset.none()
    return queryset.filter(code__startswith=root.prefix)


def indicator_owner_label(indicator: Indicator, region: Region | None = None) -> str:
    """Who fills ``indicator`` in Chinese: the department that owns it, or the region itself."""
    from county_innovation.accounts.models import Department

    if indicator.owner:
        return Department(indicator.owner).label
    return f"{region.name}（本级）" if region is not None else "区划本级"


# --- Raw values of a region on pages, documents and the API ------------------------------------------------------
# Every signed-in user sees published ranks, composite and dimension scores of every county and town (the bulletin
# circulates them). A region's raw indicator values, and the rank-gain card computed from them, only: the users of
# the region's own subtree (its officers, and a town's officers for their own county), the officers above it (its
# county), the city (city admin) and the city departments (who own the indicators). Region pages (web), the county
# profile (reports) and the API's data endpoints ask these two functions, nothing else.


def can_view_region_raw(user: User, region: Region) -> bool:
    """Whether ``user`` may read ``region``'s raw indicator values (published scores are open to everyone)."""
    root = scope_root(user)
    if root is None:
        return False
    if region.code.startswith(root.prefix):
        return True  # own subtree; the city admin and departments have the whole city
    # A town's officers read their own county's figures (the county profile, the county page, the API).
    return region.level == Region.Level.COUNTY and root.code.startswith(region.prefix)


def raw_regions(user: User, queryset: QuerySet[Region] | None = None) -> QuerySet[Region]:
    """The regions of ``queryset`` (default: all) whose raw values the user may read: the list form of
    ``can_view_region_raw``."""
    queryset = Region.objects.all() if queryset is None else queryset
    root = scope_root(user)
    if root is None:
        return queryset.none()
    allowed = Q(code__startswith=root.prefix)
    if root.level == Region.Level.TOWN and root.parent_id:
        allowed |= Q(code=root.parent_id)
    return queryset.filter(allowed)


def require_view_region_raw(user: User, region: Region) -> None:
    require(
        can_view_region_raw(user, region),
        f"您无权查看「{region.name}」的原始指标数据：原始数据只对本区划及其上级县（区）、市科技局和市直部门开放；"
        "已发布的排名和得分可在监测总览中查看。",
    )


# Roles whose systems exchange data with the platform by the API (imports from statistics systems, the
# counties' own ledgers): the menu shows them the API docs. Others may still call the API with a session.
API_ROLES = {Role.CITY_ADMIN, Role.DEPARTMENT, Role.COUNTY}


def uses_api(user: User) -> bool:
    """Whether the user's role works with the API (the menu's 接口文档 link)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in API_ROLES))


def require(allowed: bool, message: str = "您没有权限执行此操作。") -> None:
    """Raise PermissionDenied (HTTP 403 with the Chinese message) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)
