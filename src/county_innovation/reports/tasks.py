"""Background tasks of the reports app (django-tasks, queue "reports"; `county-innovation db_worker --queue-name '*'`)."""

from django_tasks import task

from county_innovation.common.actors import system
from county_innovation.common.jobs import job_fail, job_heartbeat
from county_innovation.reports.models import Bulletin
from county_innovation.reports.services import bulletin_build_now


@task(queue_name="reports")
def bulletin_build(run_id: int, version: int) -> str:
    """Build a queued version while renewing its lease, so a killed worker's version is seen as abandoned."""
    pks = list(Bulletin.objects.filter(run_id=run_id, version=version).values_list("pk", flat=True))
    with job_heartbeat(Bulletin, pks):
        try:
            rows = bulletin_build_now(run_id=run_id, version=version, actor=system("通报后台生成"))
        except Exception as exc:
            job_fail(Bulletin, pks, f"生成通报时发生意外错误：{exc}")
            raise
    return ",".join(f"{b.format}:{b.status}" for b in rows)
