"""Background tasks of the reports app (django-tasks, queue "reports"; `county-innovation db_worker --queue-name '*'`)."""

from django_tasks import task

from county_innovation.reports.services import bulletin_build_now


@task(queue_name="reports")
def bulletin_build(run_id: int, version: int) -> str:
    rows = bulletin_build_now(run_id=run_id, version=version)
    return ",".join(f"{b.format}:{b.status}" for b in rows)
