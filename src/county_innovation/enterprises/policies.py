"""Who may do what with the enterprise registry and the cultivation pool.

Names and qualifications are a public directory for every signed-in user; a regional officer lists the
enterprises of their subtree. Yearly figures (and the change history that names who changed them) are seen and
entered only by the enterprise's own accounts, the officers of its county and the city admin: the figures are
reported to the county, and towns do not score enterprises. The registry entry itself (registration, changes,
qualifications, accounts, deregistration) is kept by the county bureau of the enterprise's town and the city
bureau. The cultivation pool holds results computed from the figures, so it is open to the city admin and the
county officers only; the city admin opens and closes the annual round.
"""

from __future__ import annotations

from django.db.models import Q

from county_innovation.accounts.models import Role
from county_innovation.accounts.permissions import in_scope, is_city_admin, scope_root
from county_innovation.common.policy import Policy
from county_innovation.enterprises.models import CultivationRound, Enterprise
from county_innovation.regions.models import Region

# The roles that work within a region subtree (the city, a county, a town); the others see the directory.
REGIONAL_ROLES = {Role.CITY_ADMIN, Role.DEPARTMENT, Role.COUNTY, Role.TOWN}


def _county_root(actor) -> Region | None:
    """The county a county officer keeps (their scope root); ``None`` for every other actor."""
    if getattr(actor, "role", None) != Role.COUNTY:
        return None
    return scope_root(actor)


def is_county_officer_of(actor, region: Region) -> bool:
    """A county officer whose county contains ``region`` (a town or the county itself)."""
    return _county_root(actor) is not None and in_scope(actor, region)


def is_enterprise_account(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "role", None) == Role.ENTERPRISE)


class EnterprisePolicy(Policy):
    model = Enterprise
    messages = {
        "view": "您无权查看该企业：该企业不在您的管辖范围内。",
        "register": "您无权登记企业：只有县（区）科技局和市科技局可以维护企业名录。",
        "import": "您无权批量导入企业：只有市科技局和县（区）科技局可以导入本辖区乡镇（街道）的企业。",
        "export": "您的账号没有管辖范围，无权导出企业名录：导出限于本辖区（或本企业）的企业。",
    }

    def message(self, action: str, obj=None) -> str:
        name = getattr(obj, "name", "")
        if action == "view_figures" and obj is not None:
            return f"您无权查看「{name}」的经营数据：企业数据只对企业本身、所在县（区）科技局和市科技局开放。"
        if action == "edit_figures" and obj is not None:
            return f"您无权填报「{name}」的经营数据：只有企业本身、所在县（区）科技局和市科技局可以填报。"
        if action in {"manage", "manage_members"} and obj is not None:
            return f"您无权登记或修改「{obj.town.name}」的企业：只有所在县（区）科技局和市科技局可以维护企业名录。"
        if action == "deregister" and obj is not None:
            return f"您无权注销「{name}」：只有企业所在县（区）科技局和市科技局可以注销企业。"
        return super().message(action, obj)

    # -- reading --------------------------------------------------------------------------------------------

    def rule_view(self, actor) -> bool | Q:
        """The directory: everyone but a regional officer sees it all; a regional officer their subtree."""
        if actor.is_superuser or actor.role not in REGIONAL_ROLES:
            return True
        root = scope_root(actor)
        return False if root is None else Q(town__code__startswith=root.prefix)

    def check_view(self, actor, enterprise: Enterprise) -> bool:
        root = scope_root(actor)
        return root is not None and enterprise.town.code.startswith(root.prefix)

    def rule_view_figures(self, actor) -> bool | Q:
        if is_city_admin(actor):
            return True
        county = _county_root(actor)
        if county is not None:
            return Q(town__code__startswith=county.prefix)
        if actor.role == Role.ENTERPRISE:
            return Q(users=actor)
        return False

    def check_view_figures(self, actor, enterprise: Enterprise) -> bool:
        if is_county_officer_of(actor, enterprise.town):
            return True
        return is_enterprise_account(actor) and enterprise.users.filter(pk=actor.pk).exists()

    # Entering a year's figures: the enterprise itself, its county officer (who collects them), the city admin.
    rule_edit_figures = rule_view_figures
    check_edit_figures = check_view_figures

    def rule_view_reminders(self, actor) -> bool:
        """The expiry reminders of the list are for the regional officers (and the superuser)."""
        return bool(actor.is_superuser or actor.role in REGIONAL_ROLES)

    def rule_list_own(self, actor) -> bool:
        """An enterprise account has its own enterprises to list (and export)."""
        return actor.role == Role.ENTERPRISE

    def rule_export(self, actor) -> bool:
        return scope_root(actor) is not None or actor.role == Role.ENTERPRISE

    # -- keeping the registry -------------------------------------------------------------------------------

    def rule_manage(self, actor) -> bool | Q:
        """Change the registry entry, add a qualification or an account: the county of its town, the city."""
        if is_city_admin(actor):
            return True
        county = _county_root(actor)
        return False if county is None else Q(town__code__startswith=county.prefix)

    def check_manage(self, actor, enterprise: Enterprise) -> bool:
        return is_county_officer_of(actor, enterprise.town)

    rule_manage_members = rule_manage
    check_manage_members = check_manage
    rule_deregister = rule_manage
    check_deregister = check_manage

    def rule_register(self, actor) -> bool:
        """Open the registration page at all: the city admin, or a county officer who has a county."""
        return is_city_admin(actor) or (actor.role == Role.COUNTY and actor.region is not None)

    def rule_import(self, actor) -> bool:
        """The city admin for the city; a county officer for its county's towns (each row is checked again)."""
        return is_city_admin(actor) or _county_root(actor) is not None


class EnterpriseRegionPolicy(Policy):
    """The registry's actions on a region: registering in a town, checking or viewing the pool of a county."""

    model = Region

    def message(self, action: str, obj=None) -> str:
        name = getattr(obj, "name", "")
        if action == "manage_enterprises" and obj is not None:
            return f"您无权登记或修改「{name}」的企业：只有所在县（区）科技局和市科技局可以维护企业名录。"
        if action == "batch_check" and obj is not None:
            return f"您无权对「{name}」的企业进行批量测评：只有该县（区）科技局和市科技局可以。"
        return super().message(action, obj)

    def rule_manage_enterprises(self, actor) -> bool | Q:
        """Register (or move) an enterprise in a town: the city admin anywhere, a county officer in its county."""
        if is_city_admin(actor):
            return True
        county = _county_root(actor)
        return False if county is None else Q(code__startswith=county.prefix)

    def check_manage_enterprises(self, actor, region: Region) -> bool:
        return is_county_officer_of(actor, region)

    # The batch check and the pool of a county: the same bureaus, since both show figure-derived results.
    rule_batch_check = rule_manage_enterprises
    check_batch_check = check_manage_enterprises


class PoolPolicy(Policy):
    model = CultivationRound
    messages = {
        "view": "您无权查看培育库：培育库含按企业经营数据测评的结果，只对县（区）科技局和市科技局开放。",
        "view_city": "您无权查看全市培育库：只有市科技局管理员可以。",
        "manage": "只有市科技局管理员可以开启或关闭年度遴选。",
        "select": "您无权调整重点培育企业：只有县（区）科技局和市科技局可以。",
    }

    def rule_view(self, actor) -> bool:
        return is_city_admin(actor) or (actor.role == Role.COUNTY and actor.region is not None)

    def rule_view_city(self, actor) -> bool:
        return is_city_admin(actor)

    def rule_manage(self, actor) -> bool:
        """Open and close a round: the city admin."""
        return is_city_admin(actor)

    def rule_select(self, actor) -> bool:
        """Mark entries for key cultivation (each entry is checked against the enterprise's county as well)."""
        return is_city_admin(actor) or actor.role == Role.COUNTY


enterprises = EnterprisePolicy()
regions = EnterpriseRegionPolicy()
pools = PoolPolicy()
