"""Background tasks (django-tasks; the database backend in deployment, a worker: `county-innovation db_worker`)."""

from django_tasks import task

from county_innovation.evaluation.services import robustness_execute_now


@task()
def robustness_execute(analysis_id: int) -> str:
    analysis = robustness_execute_now(analysis_id=analysis_id)
    return analysis.status
