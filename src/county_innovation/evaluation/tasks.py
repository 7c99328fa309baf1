"""Background tasks (django-tasks; the database backend in deployment, a worker: `county-innovation db_worker`)."""

from django_tasks import task

from county_innovation.common.actors import system
from county_innovation.evaluation.services import robustness_execute_now


@task()
def robustness_execute(analysis_id: int) -> str:
    analysis = robustness_execute_now(analysis_id=analysis_id, actor=system("稳健性分析后台计算"))
    return analysis.status
