"""The one place that decides who may see or change what; every view, export and API endpoint asks here.

A user is scoped to a region subtree (their ``region``): the city admin and city departments to the city,
a county officer to their county and its towns, a town officer to their town. Published evaluation
results are readable by every signed-in user; data values and unpublished results only within scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from county_innovation.accounts.models import Role
from county_innovation.regions.models import Region

if TYPE_CHECKING:
    from county_innovation.accounts.models import User
    from county_innovation.collection.models import Submission
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


def indicator_owner_label(indicator: Indicator, region: Region | None = None) -> str:
    """Who fills ``indicator`` in Chinese: the department that owns it, or the region itself."""
    from county_innovation.accounts.models import Department

    if indicator.owner:
        return Department(indicator.owner).label
    return f"{region.name}（本级）" if region is not None else "区划本级"


# --- Raw values of a region on pages, documents and the API (issue 11, item 9) -----------------------------------
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


def can_edit_data(user: User, region: Region, indicator: Indicator | None = None) -> bool:
    """Enter or import a value of ``indicator`` for ``region``: whoever owns the indicator (issue 11, item 3).

    A region's own indicators (``owner == ""``) are entered by its officers: a town by its town officer or the
    officer of its county (who collects for it), a county by its county officer. A department's indicators
    are entered by that department, for every region of the city, and never by a county or town. The city
    admin may correct any value of the city. ``indicator=None`` asks about the region's own indicators.
    """
    if not in_scope(user, region):
        return False
    if user.is_superuser or user.role == Role.CITY_ADMIN:
        return True
    owner = indicator.owner if indicator is not None else ""
    if user.role == Role.DEPARTMENT:
        return bool(owner) and owner == user.department
    return user.role in {Role.COUNTY, Role.TOWN} and not owner


# Roles whose systems exchange data with the platform by the API (imports from statistics systems, the
# counties' own ledgers): the menu shows them the API docs. Others may still call the API with a session.
API_ROLES = {Role.CITY_ADMIN, Role.DEPARTMENT, Role.COUNTY}


def uses_api(user: User) -> bool:
    """Whether the user's role works with the API (the menu's 接口文档 link)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in API_ROLES))


def can_enter_data(user: User) -> bool:
    """Whether the user has a region scope to enter data for at all (experts and enterprises do not)."""
    return scope_root(user) is not None


# --- Collection rounds and submissions (collection app) --------------------------------------------------
# A region's own indicators are submitted by its own officers (a town by its town officer, or by its county's
# officer who collects for it); a department's indicators by that department, never by a county or town. Towns are approved by their
# county, counties and departments by the city (issue 4, item 2). Rounds are the city admin's.


def can_manage_rounds(user: User) -> bool:
    return is_city_admin(user)


def can_view_round(user: User) -> bool:
    """The round list and a round's progress: everyone who enters data."""
    return scope_root(user) is not None


def can_submit(user: User, submission: Submission) -> bool:
    """A department submits its own indicators; a region's own indicators are submitted by its officers."""
    if not in_scope(user, submission.region):
        return False
    if user.role == Role.DEPARTMENT:
        return bool(submission.owner) and user.department == submission.owner
    return user.role in {Role.COUNTY, Role.TOWN} and not submission.owner


def can_approve(user: User, submission: Submission) -> bool:
    """Towns' own submissions by the officers of their county; counties' and departments' by the city admin."""
    region = submission.region
    if not submission.owner and region.level == Region.Level.TOWN:
        return user.is_authenticated and user.role == Role.COUNTY and in_scope(user, region)
    return is_city_admin(user)


def can_view_submission(user: User, submission: Submission) -> bool:
    return in_scope(user, submission.region)


def require_submit(user: User, submission: Submission) -> None:
    require(
        can_submit(user, submission),
        f"您无权提交「{submission.region.name}」的{submission.owner_label if submission.owner else ''}数据："
        "数据由该区划（或其所属县区）及负责指标的市直部门提交。",
    )


def require_approve(user: User, submission: Submission) -> None:
    who = (
        "所属县（区）科技局"
        if submission.region.level == Region.Level.TOWN and not submission.owner
        else "市科技局"
    )
    require(can_approve(user, submission), f"您无权审核「{submission.region.name}」的填报：应由{who}审核。")


def require_view_submission(user: User, submission: Submission) -> None:
    require(
        can_view_submission(user, submission),
        f"您无权查看「{submission.region.name}」的填报：该区划不在您的管辖范围内。",
    )


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
        if indicator is not None:
            raise PermissionDenied(
                f"您无权填报{what}：该指标由{indicator_owner_label(indicator, region)}负责填报，您只能查看。"
            )
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


# --- Innovative county/town designations (designation app) and task supervision (supervision app) ----------
# A county officer applies for its county or one of its towns and sees those applications; a town officer
# sees its own town's; an expert sees only the applications assigned to them; the city admin runs the
# review, the decision, acceptance and funding. Decided designations are public to every signed-in user.
# The task tree is read by every regional role; a unit reports on the items it is assigned to.


def _is_assigned_expert(user: User, designation) -> bool:
    return bool(
        user.is_authenticated
        and user.role == Role.EXPERT
        and designation.reviews.filter(expert_id=user.pk).exists()
    )


def can_apply_designation(user: User, region: Region) -> bool:
    return is_city_admin(user) or is_county_officer_of(user, region)


def can_manage_designations(user: User) -> bool:
    return is_city_admin(user)


def can_view_designation(user: User, designation) -> bool:
    from county_innovation.designation.models import Designation

    if not user.is_authenticated:
        return False
    if is_city_admin(user) or _is_assigned_expert(user, designation):
        return True
    if user.role in {Role.COUNTY, Role.TOWN} and in_scope(user, designation.region):
        return True
    return designation.status in {
        Designation.Status.BUILDING,
        Designation.Status.ACCEPTED,
        Designation.Status.FAILED,
        Designation.Status.REVOKED,
    }


def can_view_designation_materials(user: User, designation) -> bool:
    return (
        is_city_admin(user)
        or is_county_officer_of(user, designation.region)
        or _is_assigned_expert(user, designation)
    )


def can_edit_designation(user: User, designation) -> bool:
    """Upload materials and yearly building reports: the applicant county's officer or the city admin."""
    return is_city_admin(user) or is_county_officer_of(user, designation.region)


def can_score_review(user: User, review) -> bool:
    return bool(user.is_authenticated and user.role == Role.EXPERT and review.expert_id == user.pk)


def require_apply_designation(user: User, region: Region) -> None:
    require(
        can_apply_designation(user, region),
        f"您无权为「{region.name}」申报创新型县（乡镇）：只有所在县（区）科技局和市科技局可以申报。",
    )


def require_manage_designations(user: User) -> None:
    require(
        can_manage_designations(user),
        "您无权办理该事项：形式审查、专家分配、公示、认定、验收、撤销和资金由市科技局办理，只有市科技局管理员可以操作。",
    )


def require_view_designation(user: User, designation) -> None:
    require(
        can_view_designation(user, designation),
        "您无权查看该申报：申报材料只对申报县（区）、分配的评审专家和市科技局开放。",
    )


def require_view_designation_materials(user: User, designation) -> None:
    require(
        can_view_designation_materials(user, designation),
        "您无权查看该申报的材料：只有申报县（区）科技局、分配的评审专家和市科技局可以下载。",
    )


def require_edit_designation(user: User, designation) -> None:
    require(
        can_edit_designation(user, designation),
        "您无权修改该申报：只有申报县（区）科技局和市科技局可以上传材料或报送建设进展。",
    )


def require_score_review(user: User, review) -> None:
    require(can_score_review(user, review), "您无权评分：只有分配到该申报的评审专家本人可以评分。")


def can_view_tasks(user: User) -> bool:
    return scope_root(user) is not None or is_city_admin(user)


def can_manage_tasks(user: User) -> bool:
    return is_city_admin(user)


def can_export_tasks(user: User) -> bool:
    """The leading group's meeting export: the city admin and the city departments (its members)."""
    return is_city_admin(user) or bool(user.is_authenticated and user.role == Role.DEPARTMENT)


def can_report_task(user: User, item) -> bool:
    if is_city_admin(user):
        return True
    if not user.is_authenticated:
        return False
    if user.role == Role.DEPARTMENT and user.department:
        return item.assignments.filter(department=user.department).exists()
    root = scope_root(user)
    if user.role == Role.COUNTY and root is not None:
        return item.assignments.filter(region=root).exists()
    return False


def require_view_tasks(user: User) -> None:
    require(can_view_tasks(user), "您无权查看重点任务督办：只有市、县（区）、乡镇和市直部门用户可以查看。")


def require_manage_tasks(user: User) -> None:
    require(can_manage_tasks(user), "您无权管理督办任务：只有市科技局管理员可以分解、分工和办结任务。")


def require_export_tasks(user: User) -> None:
    require(
        can_export_tasks(user), "您无权导出督办台账：只有市科技局和市直部门（领导小组成员单位）可以导出。"
    )


def require_report_task(user: User, item) -> None:
    require(
        can_report_task(user, item),
        f"您无权报送「{item.number} {item.title}」的进展：只有该任务的牵头或配合单位和市科技局可以报送。",
    )


# --- Bulletins, county profiles and assessment sheets (reports app) -----------------------------------------
# A bulletin is the published ranking in document form: readable wherever its run is (every signed-in user once
# published; the city admin before). A county profile (一县一档) holds the county's raw platform figures, so it is
# open to the city admin, the city departments, the county's own officers and, read-only, its towns' officers.
# The assessment sheet (年度综合考核) is the city's internal document: city admin and departments.


def can_view_bulletin(user: User, run: EvaluationRun) -> bool:
    return can_view_run(user, run)


def can_generate_bulletin(user: User) -> bool:
    return is_city_admin(user)


def can_view_county_profile(user: User, county: Region) -> bool:
    """The county profile (一县一档) holds the county's raw figures: the same rule as every raw value."""
    return is_city_admin(user) or (county.level == Region.Level.COUNTY and can_view_region_raw(user, county))


def can_view_assessment(user: User) -> bool:
    return is_city_admin(user) or bool(user.is_authenticated and user.role == Role.DEPARTMENT)


def require_view_bulletin(user: User, run: EvaluationRun) -> None:
    require(can_view_bulletin(user, run), "该评价结果尚未发布，其通报只有市科技局管理员可以查看。")


def require_generate_bulletin(user: User) -> None:
    require(can_generate_bulletin(user), "您无权生成通报：只有市科技局管理员可以生成新版本的通报。")


def require_view_county_profile(user: User, county: Region) -> None:
    require(
        can_view_county_profile(user, county),
        f"您无权查看「{county.name}」的档案：一县一档只对市科技局、市直部门和本县（区）及其乡镇用户开放。",
    )


def require_view_assessment(user: User) -> None:
    require(can_view_assessment(user), "您无权查看考核得分表：只有市科技局和市直部门可以查看。")


# --- Validation rules (collection/rules.py, rules_views.py) ---------------------------------------------------
# The rules of a framework decide what every county, town and department may save and submit, so only the
# city admin configures them; everyone else never sees the configuration pages.


def can_manage_rules(user: User) -> bool:
    return is_city_admin(user)


def require_manage_rules(user: User) -> None:
    require(can_manage_rules(user), "您无权维护校验规则：只有市科技局管理员可以配置指标体系的校验规则。")


# --- Enterprise registry pages (enterprises/views.py enterprise_new, enterprise_edit) -------------------------
# Registering one enterprise needs a town the user may manage (``can_manage_enterprises``): the city admin any
# town of the city, a county officer the towns of their county. Editing asks ``require_manage_enterprises``
# with the enterprise's town (and the service asks again for the new town when it moves).


def can_register_enterprises(user: User) -> bool:
    """Open the registration page at all: the city admin, or a county officer who has a county."""
    return is_city_admin(user) or bool(
        user.is_authenticated and user.role == Role.COUNTY and user.region is not None
    )


def require_register_enterprises(user: User) -> None:
    require(
        can_register_enterprises(user),
        "您无权登记企业：只有县（区）科技局和市科技局可以维护企业名录。",
    )
