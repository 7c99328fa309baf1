"""Which sections of the 工作台 (workbench) a user sees, by the kind of work their role does.

The workbench lists what waits for the user; each section belongs to one kind of work (filling in data, reviewing
submissions, scoring designations, following tasks, watching certificates). This policy states per role which
of them concern the user, until the owning apps state it in their own policies. What each section then lists is
decided by the owning app's selectors and permissions.
"""

from __future__ import annotations

from county_innovation.accounts import permissions
from county_innovation.accounts.models import Role
from county_innovation.common.policy import Policy


def _role(actor) -> str:
    return "city_admin" if permissions.is_city_admin(actor) else actor.role


class WorkbenchPolicy(Policy):
    """Each action is one section of the workbench (``rule_<section>``), plus how a section is narrowed."""

    def rule_fill(self, actor) -> bool:
        """待填报: the units that hand in data (a department, a county, a town)."""
        return _role(actor) in {Role.DEPARTMENT, Role.COUNTY, Role.TOWN}

    def rule_fill_any_region(self, actor) -> bool:
        """A city department hands in its own indicators for every region; the others their own region's."""
        return _role(actor) == Role.DEPARTMENT

    def rule_approve(self, actor) -> bool:
        """待审核: the city administration and the county officers (their towns' submissions)."""
        return _role(actor) in {"city_admin", Role.COUNTY}

    def rule_review(self, actor) -> bool:
        """待评审: the experts scoring designations."""
        return _role(actor) == Role.EXPERT

    def rule_designation(self, actor) -> bool:
        """待处理的创新型县乡申报: the city administration handles the applications."""
        return _role(actor) == "city_admin"

    def rule_tasks(self, actor) -> bool:
        """到期任务: the units tasks are assigned to (city administration, departments, counties)."""
        return _role(actor) in {"city_admin", Role.COUNTY, Role.DEPARTMENT}

    def rule_certificates(self, actor) -> bool:
        """即将到期的资质: whoever looks after enterprises (city, county) and the enterprises themselves."""
        return _role(actor) in {"city_admin", Role.COUNTY, Role.ENTERPRISE}

    def rule_enterprises(self, actor) -> bool:
        """我的企业, and the certificates of one's own enterprises only: an enterprise's account."""
        return _role(actor) == Role.ENTERPRISE


workbench = WorkbenchPolicy()
