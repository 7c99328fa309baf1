"""What evaluation tells the apps above it: a run was published.

``run_published`` is sent with ``run_id`` once the transaction that published the run has committed (never for
a publish that rolls back). Receivers run in the context variables of the publish itself, so a receiver can
tell whether the publish happened inside a block that asked it to hold back (``reports.receivers``'s
``bulletins_deferred``) even when the transaction commits after that block has ended.
"""

from __future__ import annotations

import contextvars

from django.db import transaction
from django.dispatch import Signal

from county_innovation.evaluation.models import EvaluationRun

run_published = Signal()


def run_published_on_commit(run: EvaluationRun) -> None:
    """Send ``run_published`` for ``run`` when the current transaction commits (at once outside one)."""
    context = contextvars.copy_context()
    run_id = run.pk

    def send() -> None:
        context.run(run_published.send, sender=EvaluationRun, run_id=run_id)

    transaction.on_commit(send)
