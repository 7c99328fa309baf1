"""Who may do what in data collection: rounds, submissions, data values and validation rules.

The rules, as the city's collection procedure states them:

- Rounds are opened, closed, reopened and published by the city admin (市科技局); everyone with a region scope
  (the city, its departments, counties and towns) sees the rounds and their progress.
- A region's own indicators (``owner == ""``) are entered and submitted by its officers (a town by its town
  officer or the officer of its county, who collects for it, a county by its county officer); a department's
  indicators by that department, for every region of the city, and never by a county or town. The city admin
  may correct any value of the city.
- A town's own submission is approved (or returned) by the officers of its county; counties' submissions and
  the departments' by the city admin. The approver is never the person who submitted it nor one who entered
  its values since it was last sent back (separation of duties: ``selectors.approval_conflict``).
- Only the city admin reopens an approved or submitted submission, and configures the validation rules.

Roles are compared here and in ``accounts.permissions`` (the scope primitives), nowhere else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from county_innovation.accounts.models import Role
from county_innovation.accounts.permissions import in_scope, indicator_owner_label, is_city_admin, scope_root
from county_innovation.collection.models import CollectionRound, Submission, ValidationRule
from county_innovation.common.actors import is_system
from county_innovation.common.policy import Policy
from county_innovation.indicators.models import DataValue, Indicator
from county_innovation.regions.models import Region


def _user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _role(actor) -> str:
    return getattr(actor, "role", "")


def _scope(actor, field: str = "region__code") -> Q | None:
    """The actor's region subtree as a filter on ``field``, or None without a scope."""
    root = scope_root(actor)
    return None if root is None else Q(**{f"{field}__startswith": root.prefix})


class RoundPolicy(Policy):
    """Collection rounds: the city admin manages them; everyone who enters data sees them."""

    model = CollectionRound
    messages = {
        "manage": "只有市科技局管理员可以管理填报任务。",
        "view": "您的账号不参与数据填报，无法查看填报任务。",
    }

    def rule_manage(self, actor) -> bool:
        return is_city_admin(actor)

    def rule_view(self, actor) -> bool:
        return scope_root(actor) is not None


class SubmissionPolicy(Policy):
    """One region's indicators of one owner in a round: who sees, follows, submits, approves and reopens it."""

    model = Submission
    messages = {"reopen": "只有市科技局管理员可以重新开放已审核的数据。"}

    def message(self, action: str, obj=None) -> str:
        if obj is None:
            return super().message(action, obj)
        name = obj.region.name
        if action == "submit":
            return (
                f"您无权提交「{name}」的{obj.owner_label if obj.owner else ''}数据："
                "数据由该区划（或其所属县区）及负责指标的市直部门提交。"
            )
        if action == "approve":
            own_town = obj.region.level == Region.Level.TOWN and not obj.owner
            who = "所属县（区）科技局" if own_town else "市科技局"
            return f"您无权审核「{name}」的填报：应由{who}审核。"
        if action in {"view", "track"}:
            return f"您无权查看「{name}」的填报：该区划不在您的管辖范围内。"
        return super().message(action, obj)

    # view: every submission of a region in the actor's subtree
    def rule_view(self, actor) -> bool | Q:
        return _scope(actor, "region__code") or False

    def check_view(self, actor, submission: Submission) -> bool:
        return in_scope(actor, submission.region)

    # track: the submissions listed on the round pages; a department follows its own indicators only
    def rule_track(self, actor) -> bool | Q:
        scope = _scope(actor, "region__code")
        if scope is None:
            return False
        return scope & Q(owner=actor.department) if _role(actor) == Role.DEPARTMENT else scope

    def check_track(self, actor, submission: Submission) -> bool:
        if not in_scope(actor, submission.region):
            return False
        return _role(actor) != Role.DEPARTMENT or submission.owner == actor.department

    # submit: a department its own indicators, a county or town officer the region's own ones
    def rule_submit(self, actor) -> bool | Q:
        scope = _scope(actor, "region__code")
        if scope is None:
            return False
        if _role(actor) == Role.DEPARTMENT:
            return scope & Q(owner=actor.department) & ~Q(owner="") if actor.department else False
        if _role(actor) in {Role.COUNTY, Role.TOWN}:
            return scope & Q(owner="")
        return False

    def check_submit(self, actor, submission: Submission) -> bool:
        if not in_scope(actor, submission.region):
            return False
        if _role(actor) == Role.DEPARTMENT:
            return bool(submission.owner) and actor.department == submission.owner
        return _role(actor) in {Role.COUNTY, Role.TOWN} and not submission.owner

    # approve (and return): a town's own submission by its county's officers, every other by the city admin
    def rule_approve(self, actor) -> bool | Q:
        own_town = Q(owner="", region__level=Region.Level.TOWN)
        allowed = Q(pk__in=[])
        if _role(actor) == Role.COUNTY:
            scope = _scope(actor, "region__code")
            if scope is not None:
                allowed |= own_town & scope
        if is_city_admin(actor):
            allowed |= ~own_town
        return allowed

    def check_approve(self, actor, submission: Submission) -> bool:
        region = submission.region
        if not submission.owner and region.level == Region.Level.TOWN:
            return _user(actor) and _role(actor) == Role.COUNTY and in_scope(actor, region)
        return is_city_admin(actor)

    def rule_reopen(self, actor) -> bool:
        return is_city_admin(actor)


class DataPolicy(Policy):
    """Data values of a region: read within the actor's subtree, entered by the indicator's owner.

    The entry pages ask about a region and an indicator before a value exists: ``can_view``, ``can_edit``
    and their ``require_`` forms take the pair; ``rule_view``/``rule_edit`` are the same rules as list filters.
    """

    model = DataValue
    messages = {"enter": "您的账号没有数据填报权限：数据由市直部门、县（区）和乡镇用户填报。"}

    def rule_enter(self, actor) -> bool:
        """Whether the actor has a region scope to enter data for at all (experts and enterprises do not)."""
        return scope_root(actor) is not None

    def rule_view(self, actor) -> bool | Q:
        return _scope(actor, "region__code") or False

    def check_view(self, actor, value: DataValue) -> bool:
        return in_scope(actor, value.region)

    def rule_edit(self, actor) -> bool | Q:
        scope = _scope(actor, "region__code")
        if scope is None:
            return False
        if actor.is_superuser or _role(actor) == Role.CITY_ADMIN:
            return scope
        if _role(actor) == Role.DEPARTMENT:
            return scope & Q(indicator__owner=actor.department) & ~Q(indicator__owner="")
        if _role(actor) in {Role.COUNTY, Role.TOWN}:
            return scope & Q(indicator__owner="")
        return False

    def check_edit(self, actor, value: DataValue) -> bool:
        return self.can_edit(actor, value.region, value.indicator)

    # --- a region (and an indicator) before any value exists ---------------------------------------------

    def can_view(self, actor, region: Region) -> bool:
        return is_system(actor) or in_scope(actor, region)

    def can_edit(self, actor, region: Region, indicator: Indicator | None = None) -> bool:
        """Enter or import a value of ``indicator`` (None: the region's own indicators) for ``region``."""
        if is_system(actor):
            return True
        if not in_scope(actor, region):
            return False
        if actor.is_superuser or _role(actor) == Role.CITY_ADMIN:
            return True
        owner = indicator.owner if indicator is not None else ""
        if _role(actor) == Role.DEPARTMENT:
            return bool(owner) and owner == actor.department
        return _role(actor) in {Role.COUNTY, Role.TOWN} and not owner

    def require_view(self, actor, region: Region) -> None:
        if not self.can_view(actor, region):
            raise PermissionDenied(f"您无权查看「{region.name}」的填报数据：该区划不在您的管辖范围内。")

    def require_edit(self, actor, region: Region, indicator: Indicator | None = None) -> None:
        if is_system(actor):
            return
        if not in_scope(actor, region):
            raise PermissionDenied(f"您无权填报「{region.name}」的数据：该区划不在您的管辖范围内。")
        if not self.can_edit(actor, region, indicator):
            if indicator is not None:
                raise PermissionDenied(
                    f"您无权填报指标「{indicator.name}」：该指标由{indicator_owner_label(indicator, region)}"
                    "负责填报，您只能查看。"
                )
            raise PermissionDenied("您无权填报这些指标：该指标不由您的部门负责。")


class RulePolicy(Policy):
    """Validation rules of a framework: configured by the city admin only."""

    model = ValidationRule
    messages = {"manage": "您无权维护校验规则：只有市科技局管理员可以配置指标体系的校验规则。"}

    def rule_manage(self, actor) -> bool:
        return is_city_admin(actor)


rounds = RoundPolicy()
submissions = SubmissionPolicy()
data = DataPolicy()
rules = RulePolicy()
