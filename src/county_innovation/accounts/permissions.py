"""The one place that decides who may see or change what; every view, export and API endpoint asks here.

A user is scoped to a region subtree (their ``region``): the city admin and city departments to the city,
a county officer to their county and its towns, a town officer to their town. Published evaluation
results are readable by every signed-in user; data values and unpublished results only within scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from county_innovation.accounts.models import Role
from county_innovation.regions.models import Region

if TYPE_CHECKING:
    from county_innovation.accounts.models import User
    from county_innovation.enterprises.models import Enterprise
    from county_innovation.evaluation.models import EvaluationRun
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


def can_view_data(user: User, region: Region) -> bool:
    """Raw data values (drafts included) of a region."""
    return in_scope(user, region)


def can_edit_data(user: User, region: Region, indicator: Indicator | None = None) -> bool:
    """Enter or import a value of ``indicator`` for ``region``.

    Counties and towns enter every indicator of their own subtree; a city department enters the
    indicators it owns, for every region of the city.
    """
    if not in_scope(user, region):
        return False
    if user.role == Role.DEPARTMENT:
        return indicator is not None and indicator.owner == user.department
    return user.role in {Role.CITY_ADMIN, Role.COUNTY, Role.TOWN} or user.is_superuser


def can_enter_data(user: User) -> bool:
    """Whether the user has a region scope to enter data for at all (experts and enterprises do not)."""
    return scope_root(user) is not None


def can_view_run(user: User, run: EvaluationRun) -> bool:
    if not user.is_authenticated:
        return False
    return run.is_published or is_city_admin(user)


def can_manage_frameworks(user: User) -> bool:
    return is_city_admin(user)


def can_run_evaluations(user: User) -> bool:
    return is_city_admin(user)


def can_manage_region_groups(user: User) -> bool:
    return is_city_admin(user)


def require(allowed: bool, message: str = "您没有权限执行此操作。") -> None:
    """Raise PermissionDenied (HTTP 403 with the Chinese message) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def require_view_data(user: User, region: Region) -> None:
    require(can_view_data(user, region), f"您无权查看「{region.name}」的填报数据：该区划不在您的管辖范围内。")


def require_edit_data(user: User, region: Region, indicator: Indicator | None = None) -> None:
    if not in_scope(user, region):
        raise PermissionDenied(f"您无权填报「{region.name}」的数据：该区划不在您的管辖范围内。")
    if not can_edit_data(user, region, indicator):
        what = f"指标「{indicator.name}」" if indicator is not None else "这些指标"
        raise PermissionDenied(f"您无权填报{what}：该指标不由您的部门负责。")


def require_enter_data(user: User) -> None:
    require(can_enter_data(user), "您的账号没有数据填报权限：数据由市直部门、县（区）和乡镇用户填报。")


def require_view_run(user: User, run: EvaluationRun) -> None:
    require(can_view_run(user, run), "该评价结果尚未发布，只有市科技局管理员可以查看。")


# --- Technology enterprises (enterprises app) -------------------------------------------------------------
# Names and qualifications are public to every signed-in user. Yearly figures are visible only to the
# enterprise's own accounts, the officers of its county (whose subtree holds its town) and the city admin
# (issue 6, item 7). A town officer sees the enterprises of its town listed, but not their figures: the
# figures are reported to the county, and towns do not score enterprises.


def is_enterprise_member(user: User, enterprise: Enterprise) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.ENTERPRISE
        and enterprise.users.filter(pk=user.pk).exists()
    )


def is_county_officer_of(user: User, region: Region) -> bool:
    """A county officer whose county contains ``region`` (a town or the county itself)."""
    return bool(user.is_authenticated and user.role == Role.COUNTY and in_scope(user, region))


def can_view_enterprise_figures(user: User, enterprise: Enterprise) -> bool:
    return (
        is_city_admin(user)
        or is_county_officer_of(user, enterprise.town)
        or is_enterprise_member(user, enterprise)
    )


def can_edit_enterprise_figures(user: User, enterprise: Enterprise) -> bool:
    """Enter a year's figures: the enterprise itself, its county officer (who collects them), the city admin."""
    return can_view_enterprise_figures(user, enterprise)


def can_manage_enterprises(user: User, town: Region) -> bool:
    """Register an enterprise in ``town``, change its registry entry or add a qualification."""
    return is_city_admin(user) or is_county_officer_of(user, town)


def can_batch_check_county(user: User, county: Region) -> bool:
    return is_city_admin(user) or is_county_officer_of(user, county)


def require_view_enterprise_figures(user: User, enterprise: Enterprise) -> None:
    require(
        can_view_enterprise_figures(user, enterprise),
        f"您无权查看「{enterprise.name}」的经营数据：企业数据只对企业本身、所在县（区）科技局和市科技局开放。",
    )


def require_edit_enterprise_figures(user: User, enterprise: Enterprise) -> None:
    require(
        can_edit_enterprise_figures(user, enterprise),
        f"您无权填报「{enterprise.name}」的经营数据：只有企业本身、所在县（区）科技局和市科技局可以填报。",
    )


def require_manage_enterprises(user: User, town: Region) -> None:
    require(
        can_manage_enterprises(user, town),
        f"您无权登记或修改「{town.name}」的企业：只有所在县（区）科技局和市科技局可以维护企业名录。",
    )


def require_batch_check_county(user: User, county: Region) -> None:
    require(
        can_batch_check_county(user, county),
        f"您无权对「{county.name}」的企业进行批量测评：只有该县（区）科技局和市科技局可以。",
    )


def can_import_enterprises(user: User) -> bool:
    """The city admin for the city; a county officer for its county's towns (each row is checked again)."""
    return is_city_admin(user) or (
        user.is_authenticated and user.role == Role.COUNTY and scope_root(user) is not None
    )


def require_import_enterprises(user: User) -> None:
    require(
        can_import_enterprises(user),
        "您无权批量导入企业：只有市科技局和县（区）科技局可以导入本辖区乡镇（街道）的企业。",
    )
