"""Background jobs, written once: the fields every job row carries and the heartbeat that proves a worker alive.

A job (a robustness analysis, a bulletin version) is a row the web pages poll while a django-tasks worker
(`county-innovation db_worker`) computes it. A worker that dies mid-task (SIGKILL, a reboot, the OOM killer)
cannot mark its row failed, so while it runs it renews a lease: ``job_heartbeat`` touches ``heartbeat_at``
from a side thread every quarter lease. A running row whose heartbeat is older than the lease
(``COUNTY_INNOVATION_JOB_LEASE_SECONDS``, 60 s by default) is stale: ``jobs_expire_stale`` marks it failed with
a Chinese reason when a page or the API reads it, when a worker starts, and from `county-innovation jobs sweep`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, models
from django.db.models.functions import Coalesce
from django.utils import timezone

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DEFAULT_LEASE_SECONDS = 60.0
STALE_STAGE = "已中断"


class BackgroundJob(models.Model):
    """Status, progress, error, timings, task id, heartbeat and starter of one background job.

    Subclasses keep their own ``Status`` choices (their labels differ: 计算中 / 生成中) over the same four
    values, redeclaring ``status`` with them, and say in ``job_restart_hint`` how a user starts it again.
    """

    class Status(models.TextChoices):
        QUEUED = QUEUED, "排队中"
        RUNNING = RUNNING, "进行中"
        DONE = DONE, "已完成"
        FAILED = FAILED, "失败"

    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField("进度", default=0.0)
    stage = models.CharField("当前步骤", max_length=100, blank=True)
    error = models.TextField("错误信息", blank=True)
    task_id = models.CharField("后台任务", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        "最近心跳", null=True, blank=True, help_text="后台进程运行期间定时更新；超时未更新即视为进程已中断"
    )
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    # Who started the job: a user, or nobody when the platform did (``history_user(actor)``).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    job_label = "后台任务"
    job_restart_hint = "请重新发起。"

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in {DONE, FAILED}

    @property
    def is_pending(self) -> bool:
        return self.status in {QUEUED, RUNNING}


def lease_seconds() -> float:
    """How long a running job may go without a heartbeat before it counts as abandoned."""
    return float(getattr(settings, "COUNTY_INNOVATION_JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def heartbeat_interval() -> float:
    return max(lease_seconds() / 4, 0.1)


def stale_reason(model: type[BackgroundJob], last_sign: datetime | None, lease: float) -> str:
    when = timezone.localtime(last_sign).strftime("%Y-%m-%d %H:%M:%S") if last_sign else "开始"
    return (
        f"后台进程已中断：该{model.job_label}自 {when} 起超过 {lease:g} 秒没有心跳，"
        f"计算进程可能已被终止或服务器已重启，任务已标记为失败。{model.job_restart_hint}"
    )


def jobs_expire_stale(queryset: models.QuerySet, *, now: datetime | None = None) -> int:
    """Mark every running job of ``queryset`` whose lease has run out as failed, with the reason; return how many.

    A row from before heartbeats existed counts from its start or creation time.
    """
    model = queryset.model
    lease = lease_seconds()
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease)
    stale = list(
        queryset.filter(status=RUNNING)
        .annotate(last_sign=Coalesce("heartbeat_at", "started_at", "created_at"))
        .filter(last_sign__lt=cutoff)
        .values_list("pk", "last_sign", "task_id")
    )
    expired = 0
    for pk, last_sign, task_id in stale:
        # Filtered again on status and time, so a heartbeat that arrived meanwhile keeps the job alive.
        expired += (
            model.objects.filter(pk=pk, status=RUNNING)
            .annotate(last_sign=Coalesce("heartbeat_at", "started_at", "created_at"))
            .filter(last_sign__lt=cutoff)
            .update(
                status=FAILED,
                stage=STALE_STAGE,
                error=stale_reason(model, last_sign, lease),
                finished_at=now,
            )
        )
        _task_result_abandon(task_id, now)
    if expired:
        log.warning("Marked %s stale %s job(s) failed", expired, model._meta.label)
    return expired


def _task_result_abandon(task_id: str, now: datetime) -> None:
    """The django-tasks row of a dead worker's task stays RUNNING too; mark it failed as well."""
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:  # no task recorded (or another backend's id): nothing to mark
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_uuid, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        exception_class_path="county_innovation.common.jobs.WorkerLost",
        traceback="后台进程已中断（心跳超时）",
    )


def job_models() -> list[type[BackgroundJob]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, BackgroundJob)]


def jobs_sweep() -> dict[str, int]:
    """Expire stale jobs of every kind (a worker's start, `county-innovation jobs sweep`)."""
    return {m._meta.label: jobs_expire_stale(m.objects.all()) for m in job_models()}


def job_start(model: type[BackgroundJob], pks: Iterable[int], **fields: object) -> None:
    now = timezone.now()
    model.objects.filter(pk__in=list(pks), status__in=[QUEUED, RUNNING]).update(
        status=RUNNING, started_at=now, heartbeat_at=now, error="", **fields
    )


def job_fail(model: type[BackgroundJob], pks: Iterable[int], message: str) -> None:
    """Store a failure with its Chinese reason (only on jobs not already finished)."""
    model.objects.filter(pk__in=list(pks), status__in=[QUEUED, RUNNING]).update(
        status=FAILED, error=message, finished_at=timezone.now()
    )


@contextmanager
def job_heartbeat(model: type[BackgroundJob], pks: Iterable[int]) -> Iterator[None]:
    """Mark the jobs running and renew their lease from a side thread until the block ends.

    The thread writes through its own database connection and only while the jobs are still running; a
    failed write (a busy database) is logged and retried at the next beat rather than ending the job.
    """
    pks = list(pks)
    job_start(model, pks)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(heartbeat_interval()):
                try:
                    model.objects.filter(pk__in=pks, status=RUNNING).update(heartbeat_at=timezone.now())
                except Exception:  # the next beat tries again; the lease allows several misses
                    log.warning("Heartbeat of %s %s failed", model._meta.label, pks, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"heartbeat-{model._meta.model_name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
