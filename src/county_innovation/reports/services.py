"""Writes of the reports app: bulletin versions queued, built and stored.

A published run (``evaluation.signals.run_published``, received in ``reports.receivers``) queues a bulletin for
the background worker (queue "reports"); the worker builds the Word file, converts it to PDF and stores both as
the next version. Each service takes the ``actor`` and asks ``reports.policies``: the city admin generates a
version from the bulletin page; the platform itself (``system(...)``) after a publish, after the demo load and
in the background worker.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.db import transaction
from django.utils import timezone

from county_innovation.common.actors import history_user
from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.regions.models import Region
from county_innovation.reports.documents import FORMATS, bulletin_next_version, bulletin_run_check
from county_innovation.reports.models import Bulletin
from county_innovation.reports.policies import bulletins
from county_innovation.reports.selectors import town_run_for

log = logging.getLogger(__name__)


@transaction.atomic
def bulletin_enqueue(*, run: EvaluationRun, actor) -> list[Bulletin]:
    """Queue the next bulletin version of ``run`` (a town run queues its period's county run).

    Nothing new is queued while a version of the same run still waits in the queue: that version reads the
    data when it is built, so it will already include whatever was published meanwhile.
    """
    bulletins.require(actor, "generate")
    county_run = bulletin_run_check(run)
    waiting = list(Bulletin.objects.filter(run=county_run, status=Bulletin.Status.QUEUED).defer("content"))
    if waiting:
        return waiting
    version = bulletin_next_version(county_run)
    rows = [
        Bulletin.objects.create(run=county_run, version=version, format=fmt, created_by=history_user(actor))
        for fmt in FORMATS
    ]

    def enqueue() -> None:
        from county_innovation.reports.tasks import bulletin_build

        result = bulletin_build.enqueue(county_run.pk, version)
        Bulletin.objects.filter(run=county_run, version=version).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return rows


def bulletins_queue_published(*, scope: Region, actor) -> int:
    """Queue a bulletin for every published county run of ``scope`` that has none (after the demo load)."""
    bulletins.require(actor, "generate")
    runs = EvaluationRun.objects.filter(
        scope=scope, framework__level="county", status=EvaluationRun.Status.PUBLISHED
    ).exclude(bulletins__isnull=False)
    queued = 0
    for run in runs.select_related("framework", "scope"):
        bulletin_enqueue(run=run, actor=actor)
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


def bulletin_build_now(*, run_id: int, version: int, actor) -> list[Bulletin]:
    """Build a queued version: the Word file, then the PDF from it. Failures are stored, not raised."""
    from county_innovation.reports.bulletin import bulletin_content, bulletin_document
    from county_innovation.reports.pdf import docx_to_pdf

    bulletins.require(actor, "generate")
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


def bulletin_create_now(*, run: EvaluationRun, actor) -> list[Bulletin]:
    """Queue and build a version in this process (the command line with --keep, tests)."""
    bulletins.require(actor, "generate")
    rows = bulletin_enqueue(run=run, actor=actor)
    return bulletin_build_now(run_id=rows[0].run_id, version=rows[0].version, actor=actor)
