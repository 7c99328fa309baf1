"""`county-innovation db_worker`: django-tasks' database worker, which first expires the jobs of dead workers.

A worker killed mid-task leaves its job rows running; a new worker starting is the natural moment to say so.
The app `common` is listed before `django_tasks_db` in INSTALLED_APPS, so this command takes its name.
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from county_innovation.common.jobs import jobs_sweep


class Command(DatabaseWorkerCommand):
    help = "运行后台任务进程（django-tasks 数据库后端）；启动时先将心跳超时的任务标记为失败。"

    def handle(self, *args, **options):
        expired = {label: n for label, n in jobs_sweep().items() if n}
        if expired and options.get("verbosity", 1):
            self.stdout.write(f"已将 {sum(expired.values())} 个心跳超时的后台任务标记为失败：{expired}")
        return super().handle(*args, **options)
