"""Writes of the reports app: bulletin versions queued, built and stored.

A publish (``evaluation.services.evaluation_run_publish``) queues a bulletin for the background worker
(queue "reports"); the worker builds the Word file, converts it to PDF and stores both as the next version.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.regions.models import Region
from county_innovation.reports.models import Bulletin
from county_innovation.reports.selectors import county_run_for, town_run_for

log = logging.getLogger(__name__)
FORMATS = ("docx", "pdf")


def document_build(what: str, build: Callable[[], bytes]) -> bytes:
    """Build a document now; any failure becomes a DomainError saying in Chinese what could not be built.

    The boundary for downloads built on request (a county profile, a bulletin not stored yet): a missing font,
    a LibreOffice failure or a bug must reach the user as a Chinese error page or JSON error, never a 500.
    """
    try:
        return build()
    except DomainError:
        raise
    except Exception as exc:  # the boundary: logged with its traceback, reported in Chinese
        log.exception("Building %s failed", what)
        raise DomainError(
            f"{what}生成失败（{type(exc).__name__}：{exc}）。请稍后重试；如仍失败，请将本信息告知系统管理员。"
        ) from None


def bulletin_run_check(run: EvaluationRun) -> EvaluationRun:
    """The county-level run a bulletin of ``run`` is about; DomainError in Chinese when there is none."""
    county_run = county_run_for(run)
    if county_run is None:
        raise DomainError(
            f"评价 #{run.pk} 是乡（镇、街道）评价，{run.period}年度的县（区）评价尚未发布，无法生成通报："
            "通报以县（区）评价为主体，请先发布同期县（区）评价。"
        )
    if not county_run.results.exists():
        raise DomainError(f"评价 #{county_run.pk} 没有任何评价结果，无法生成通报。")
    return county_run


@transaction.atomic
def bulletin_enqueue(*, run: EvaluationRun, user: User | None = None) -> list[Bulletin]:
    """Queue the next bulletin version of ``run`` (a town run queues its period's county run).

    Nothing new is queued while a version of the same run still waits in the queue: that version reads the
    data when it is built, so it will already include whatever was published meanwhile.
    """
    county_run = bulletin_run_check(run)
    waiting = list(Bulletin.objects.filter(run=county_run, status=Bulletin.Status.QUEUED).defer("content"))
    if waiting:
        return waiting
    version = (Bulletin.objects.filter(run=county_run).aggregate(v=Max("version"))["v"] or 0) + 1
    rows = [
        Bulletin.objects.create(run=county_run, version=version, format=fmt, created_by=user)
        for fmt in FORMATS
    ]

    def enqueue() -> None:
        from county_innovation.reports.tasks import bulletin_build

        result = bulletin_build.enqueue(county_run.pk, version)
        Bulletin.objects.filter(run=county_run, version=version).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return rows


_deferred: ContextVar[bool] = ContextVar("bulletins_deferred", default=False)


@contextmanager
def bulletins_deferred() -> Iterator[None]:
    """Publishes inside this block queue no bulletin (the demo load; its command queues them afterwards)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def bulletin_after_publish(*, run_id: int) -> Callable[[], None]:
    """The publish hook, for ``transaction.on_commit``: queue a bulletin of the run once the publish commits.

    Decided when the run is published (not when it commits): inside ``bulletins_deferred`` nothing is queued.
    A town run without its county run published queues nothing.
    """
    if _deferred.get():
        return lambda: None

    def schedule() -> None:
        run = EvaluationRun.objects.select_related("framework", "scope").get(pk=run_id)
        try:
            bulletin_enqueue(run=run)
        except DomainError as exc:
            log.info("No bulletin queued for run %s: %s", run_id, exc.message)

    return schedule


def bulletins_queue_published(*, scope: Region) -> int:
    """Queue a bulletin for every published county run of ``scope`` that has none (after the demo load)."""
    runs = EvaluationRun.objects.filter(
        scope=scope, framework__level="county", status=EvaluationRun.Status.PUBLISHED
    ).exclude(bulletins__isnull=False)
    queued = 0
    for run in runs.select_related("framework", "scope"):
        bulletin_enqueue(run=run)
        queued += 1
    return queued


def _store(bulletin: Bulletin, content: bytes, seconds: float, town_run: EvaluationRun | None) -> None:
    Bulletin.objects.filter(pk=bulletin.pk).update(
        status=Bulletin.Status.DONE,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        seconds=round(seconds, 3),
        town_run=town_run,
        includes_demo_data=bulletin.includes_demo_data,
        error="",
        finished_at=timezone.now(),
    )


def _fail(bulletin: Bulletin, message: str) -> None:
    Bulletin.objects.filter(pk=bulletin.pk).update(
        status=Bulletin.Status.FAILED, error=message, finished_at=timezone.now()
    )


def bulletin_build_now(*, run_id: int, version: int) -> list[Bulletin]:
    """Build a queued version: the Word file, then the PDF from it. Failures are stored, not raised."""
    from county_innovation.reports.bulletin import bulletin_content, bulletin_document
    from county_innovation.reports.pdf import docx_to_pdf

    rows = {b.format: b for b in Bulletin.objects.filter(run_id=run_id, version=version).defer("content")}
    if not rows:  # the run was deleted (a demo reset) after the task was queued
        return []
    Bulletin.objects.filter(pk__in=[b.pk for b in rows.values()]).update(status=Bulletin.Status.RUNNING)
    run = EvaluationRun.objects.select_related("framework", "scope").get(pk=run_id)
    started = time.perf_counter()
    try:
        content = bulletin_content(run)
        docx = bulletin_document(content, version=version).save()
    except Exception as exc:  # stored for the page; the worker must go on with the next task
        log.exception("Bulletin %s v%s failed", run_id, version)
        message = exc.message if isinstance(exc, DomainError) else f"生成 Word 文件时出错：{exc}"
        for b in rows.values():
            _fail(b, message)
        return list(Bulletin.objects.filter(run_id=run_id, version=version).defer("content"))
    town_run = town_run_for(run)
    for b in rows.values():
        b.includes_demo_data = content.demo
    if "docx" in rows:
        _store(rows["docx"], docx, time.perf_counter() - started, town_run)
    if "pdf" in rows:
        started = time.perf_counter()
        try:
            pdf = docx_to_pdf(docx)
        except DomainError as exc:
            _fail(rows["pdf"], exc.message)
        else:
            _store(rows["pdf"], pdf, time.perf_counter() - started, town_run)
    return list(Bulletin.objects.filter(run_id=run_id, version=version).defer("content"))


def bulletin_render(*, run: EvaluationRun, fmt: str) -> tuple[bytes, int]:
    """A bulletin of ``run`` built now and not stored (the command line without --keep): (content, version).

    The version printed on it is the one it would have as the next stored version.
    """
    from county_innovation.reports.bulletin import bulletin_docx
    from county_innovation.reports.pdf import docx_to_pdf

    if fmt not in FORMATS:
        raise DomainError(f"未知的通报格式「{fmt}」：应为 docx 或 pdf。")
    county_run = bulletin_run_check(run)
    version = (Bulletin.objects.filter(run=county_run).aggregate(v=Max("version"))["v"] or 0) + 1
    docx = document_build("通报 Word 文件", lambda: bulletin_docx(county_run, version=version))
    if fmt == "docx":
        return docx, version
    return document_build("通报 PDF 文件", lambda: docx_to_pdf(docx)), version


def bulletin_create_now(*, run: EvaluationRun, user: User | None = None) -> list[Bulletin]:
    """Queue and build a version in this process (the command line with --keep, tests)."""
    rows = bulletin_enqueue(run=run, user=user)
    return bulletin_build_now(run_id=rows[0].run_id, version=rows[0].version)
