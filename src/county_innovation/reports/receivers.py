"""What reports does when evaluation publishes a run: queue the run's bulletin (connected in ``ReportsConfig``).

``evaluation.signals.run_published`` arrives once the publish has committed, in the context of the publish:
inside ``bulletins_deferred()`` nothing is queued, even when the transaction commits after the block (the demo
load publishes ten runs in one go; its command queues the bulletins afterwards). A town run whose county run of
the period is not published queues nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.services import bulletin_enqueue

log = logging.getLogger(__name__)

_deferred: ContextVar[bool] = ContextVar("bulletins_deferred", default=False)


@contextmanager
def bulletins_deferred() -> Iterator[None]:
    """Publishes inside this block queue no bulletin (the demo load; its command queues them afterwards)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def bulletin_after_publish(sender, *, run_id: int, **kwargs) -> None:
    """Queue a bulletin of the run just published, unless the publish happened inside ``bulletins_deferred``."""
    if _deferred.get():
        return
    run = EvaluationRun.objects.select_related("framework", "scope").get(pk=run_id)
    try:
        bulletin_enqueue(run=run, actor=system("发布评价后生成通报"))
    except DomainError as exc:
        log.info("No bulletin queued for run %s: %s", run_id, exc.message)
