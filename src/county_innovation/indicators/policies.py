"""Who may see and change the evaluation frameworks (评价指标体系).

Every signed-in user reads the frameworks in use (active or frozen); drafts are the city administration's
work in progress. Only the city administration (市科技局) makes new versions of a framework and freezes a
version, which happens when a published evaluation uses it.
"""

from __future__ import annotations

from django.db.models import Q

from county_innovation.accounts import permissions
from county_innovation.common.policy import Policy
from county_innovation.indicators.models import Framework


class FrameworkPolicy(Policy):
    model = Framework
    messages = {
        "view": "评价指标体系不存在或尚未启用。",
        "manage": "只有市科技局管理员可以修改评价指标体系。",
        "freeze": "只有市科技局管理员可以冻结评价指标体系。",
    }

    def rule_view(self, actor) -> Q | bool:
        if permissions.is_city_admin(actor):
            return True
        return ~Q(status=Framework.Status.DRAFT)

    def check_view(self, actor, framework: Framework) -> bool:
        return permissions.is_city_admin(actor) or framework.status != Framework.Status.DRAFT

    def rule_manage(self, actor) -> bool:
        return permissions.is_city_admin(actor)

    def rule_freeze(self, actor) -> bool:
        return permissions.is_city_admin(actor)


frameworks = FrameworkPolicy()
