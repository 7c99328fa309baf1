"""Who may apply for, see, change and decide designations, score reviews and keep the expert pool.

A county officer applies for its county or one of its towns and sees and edits those applications; a town
officer sees its own town's; an expert sees, downloads the materials of and scores only the applications
assigned to them; the city admin runs the review, the decision, acceptance and funding and keeps the expert
pool (国科发〔2018〕130号: the city organises the formal check, the expert review and the decision). Decided
designations (in building, accepted, failed, revoked) are public to every signed-in user.
"""

from __future__ import annotations

from django.db.models import Q

from county_innovation.accounts.models import Role
from county_innovation.accounts.permissions import in_scope, is_city_admin, scope_root
from county_innovation.common.policy import Policy
from county_innovation.designation.models import Designation, ExpertProfile, ExpertReview
from county_innovation.regions.models import Region

S = Designation.Status
# Decided designations every signed-in user may see (the decision and its outcome are published).
PUBLIC_STATUSES = (S.BUILDING, S.ACCEPTED, S.FAILED, S.REVOKED)


def is_expert(user) -> bool:
    """An expert account (the only kind that may join the pool, be assigned and score)."""
    return getattr(user, "role", None) == Role.EXPERT


def _is_county_officer(actor) -> bool:
    return actor.role == Role.COUNTY and scope_root(actor) is not None


def _assigned(actor) -> Q:
    return Q(pk__in=ExpertReview.objects.filter(expert_id=actor.pk).values("designation_id"))


def _is_assigned(actor, designation: Designation) -> bool:
    return is_expert(actor) and designation.reviews.filter(expert_id=actor.pk).exists()


def outside_own_county(actor, region: Region) -> bool:
    """A county officer naming a region of another county (refused as a wrong entry, not as a permission)."""
    own = getattr(actor, "region", None)
    return getattr(actor, "role", None) == Role.COUNTY and own is not None and not own.contains(region)


class ApplyPolicy(Policy):
    """推荐: for which regions an actor may apply (the city admin: any; a county officer: its county, its towns)."""

    model = Region
    messages = {"apply": "您无权申报创新型县（乡镇）：只有县（区）科技局和市科技局可以申报。"}

    def rule_apply(self, actor):
        if is_city_admin(actor):
            return True
        if _is_county_officer(actor):
            return Q(code__startswith=scope_root(actor).prefix)
        return False

    def check_apply(self, actor, region: Region) -> bool:
        return in_scope(actor, region)

    def message(self, action, obj=None):
        if action == "apply" and obj is not None:
            return f"您无权为「{obj.name}」申报创新型县（乡镇）：只有所在县（区）科技局和市科技局可以申报。"
        return super().message(action, obj)


class DesignationPolicy(Policy):
    model = Designation
    messages = {
        "view": "您无权查看该申报：申报材料只对申报县（区）、分配的评审专家和市科技局开放。",
        "view_materials": "您无权查看该申报的材料：只有申报县（区）科技局、分配的评审专家和市科技局可以下载。",
        "edit": "您无权修改该申报：只有申报县（区）科技局和市科技局可以上传材料或报送建设进展。",
        "manage": "您无权办理该事项：形式审查、专家分配、公示、认定、验收、撤销和资金由市科技局办理，"
        "只有市科技局管理员可以操作。",
    }

    def rule_view(self, actor):
        """The city admin: all of the city (a superuser without a region: all); an expert: the assigned ones; a county or town officer: its subtree's;
        everyone signed in: the decided ones."""
        public = Q(status__in=PUBLIC_STATUSES)
        if is_city_admin(actor):
            root = scope_root(actor)
            return True if root is None else public | Q(region__code__startswith=root.prefix)
        if is_expert(actor):
            return public | _assigned(actor)
        root = scope_root(actor)
        if root is not None and actor.role in {Role.COUNTY, Role.TOWN}:
            return public | Q(region__code__startswith=root.prefix)
        return public

    def check_view(self, actor, designation: Designation) -> bool:
        if designation.status in PUBLIC_STATUSES:
            return True
        if is_city_admin(actor):
            return in_scope(actor, designation.region)
        if is_expert(actor):
            return _is_assigned(actor, designation)
        return actor.role in {Role.COUNTY, Role.TOWN} and in_scope(actor, designation.region)

    def rule_view_materials(self, actor):
        """Download the materials: the applicant county's officer, the assigned experts, the city admin."""
        if is_city_admin(actor):
            return True
        if is_expert(actor):
            return _assigned(actor)
        if _is_county_officer(actor):
            return Q(region__code__startswith=scope_root(actor).prefix)
        return False

    def check_view_materials(self, actor, designation: Designation) -> bool:
        if is_expert(actor):
            return _is_assigned(actor, designation)
        return in_scope(actor, designation.region)

    def rule_edit(self, actor):
        """Change a draft, upload materials, report the building years: the applicant county's officer, the
        city admin."""
        if is_city_admin(actor):
            return True
        if _is_county_officer(actor):
            return Q(region__code__startswith=scope_root(actor).prefix)
        return False

    def check_edit(self, actor, designation: Designation) -> bool:
        return in_scope(actor, designation.region)

    def rule_manage(self, actor):
        """Formal check, experts, notice, decision, acceptance, revocation and funding: the city admin."""
        return is_city_admin(actor)


class ReviewPolicy(Policy):
    model = ExpertReview
    messages = {"score": "您无权评分：只有分配到该申报的评审专家本人可以评分。"}

    def rule_score(self, actor):
        """Only the assigned expert scores their own review."""
        return Q(expert_id=actor.pk) if is_expert(actor) else False

    def check_score(self, actor, review: ExpertReview) -> bool:
        return review.expert_id == actor.pk


class ExpertPolicy(Policy):
    """专家库: the city admin adds, links and changes experts."""

    model = ExpertProfile
    messages = {"manage": DesignationPolicy.messages["manage"]}

    def rule_manage(self, actor):
        return is_city_admin(actor)


applications = ApplyPolicy()
designations = DesignationPolicy()
reviews = ReviewPolicy()
experts = ExpertPolicy()
