"""Who may see and do what with evaluation runs and their robustness analyses.

A run is the city's ranking: running, publishing and analysing one is the city admin's work (市科技局). A
published run is read by every signed-in user (the monitoring pages and the bulletin circulate it city-wide);
a run not yet published, and its analyses, only by the city admin.
"""

from __future__ import annotations

from django.db.models import Q

from county_innovation.accounts.models import Role
from county_innovation.common.policy import Policy
from county_innovation.evaluation.models import EvaluationRun, RobustnessAnalysis

PUBLISHED = EvaluationRun.Status.PUBLISHED
UNPUBLISHED = "该评价结果尚未发布，只有市科技局管理员可以查看。"


def _city_admin(actor) -> bool:
    return bool(actor.is_superuser or actor.role == Role.CITY_ADMIN)


class RunPolicy(Policy):
    """Evaluation runs: view (published ones city-wide), create (compute a run), publish, analyse (robustness)."""

    model = EvaluationRun
    messages = {
        "view": UNPUBLISHED,
        "create": "只有市科技局管理员可以执行评价。",
        "publish": "只有市科技局管理员可以发布评价结果。",
        "analyse": "只有市科技局管理员可以发起稳健性分析。",
    }

    def rule_view(self, actor) -> bool | Q:
        return True if _city_admin(actor) else Q(status=PUBLISHED)

    def check_view(self, actor, run: EvaluationRun) -> bool:
        return run.status == PUBLISHED

    def rule_create(self, actor) -> bool:
        return _city_admin(actor)

    def rule_publish(self, actor) -> bool:
        return _city_admin(actor)

    def rule_analyse(self, actor) -> bool:
        return _city_admin(actor)


class RobustnessPolicy(Policy):
    """Robustness analyses are read wherever their run is."""

    model = RobustnessAnalysis
    messages = {"view": UNPUBLISHED}

    def rule_view(self, actor) -> bool | Q:
        return True if _city_admin(actor) else Q(run__status=PUBLISHED)

    def check_view(self, actor, analysis: RobustnessAnalysis) -> bool:
        return analysis.run.status == PUBLISHED


runs = RunPolicy()
analyses = RobustnessPolicy()
