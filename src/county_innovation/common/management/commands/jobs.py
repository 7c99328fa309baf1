"""`county-innovation jobs sweep`: mark running background jobs whose worker stopped renewing its lease as failed.

`county-innovation jobs list` shows the jobs not yet finished. Run the sweep from cron or after a reboot;
pages and the worker's start do the same for what they touch.
"""

from django.core.management.base import BaseCommand

from county_innovation.common.jobs import QUEUED, RUNNING, job_models, jobs_sweep, lease_seconds


class Command(BaseCommand):
    help = "后台任务：sweep 将心跳超时的运行中任务标记为失败；list 列出未完成的任务。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["sweep", "list"])

    def handle(self, *args, action: str, **options) -> None:
        if action == "sweep":
            expired = jobs_sweep()
            total = sum(expired.values())
            for label, n in expired.items():
                if n:
                    self.stdout.write(
                        f"{label}: {n} 个任务心跳超时（租期 {lease_seconds():g} 秒），已标记为失败"
                    )
            self.stdout.write(f"共标记 {total} 个任务为失败。")
            return
        for model in job_models():
            for job in model.objects.filter(status__in=[QUEUED, RUNNING]).order_by("pk"):
                self.stdout.write(
                    f"{model._meta.verbose_name} #{job.pk}\t{job.get_status_display()}\t"
                    f"{job.progress:.0%}\t心跳 {job.heartbeat_at or '—'}"
                )
