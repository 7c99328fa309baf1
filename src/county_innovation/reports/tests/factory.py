"""Bulletin rows for tests that need one to exist without building a document (permission tables)."""

import hashlib

from django.db.models import Max

from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.models import Bulletin

STUB = b"PK\x03\x04 stub bulletin for permission tests"


def bulletin_stub(run: EvaluationRun, fmt: str = "docx") -> Bulletin:
    version = (Bulletin.objects.filter(run=run).aggregate(v=Max("version"))["v"] or 0) + 1
    return Bulletin.objects.create(
        run=run,
        version=version,
        format=fmt,
        status=Bulletin.Status.DONE,
        content=STUB,
        size=len(STUB),
        sha256=hashlib.sha256(STUB).hexdigest(),
    )


def bulletin_ids(published: EvaluationRun, draft: EvaluationRun) -> dict[str, int]:
    """{bulletin}: a stored version of a published run; {draft_bulletin}: one of an unpublished run."""
    return {"bulletin": bulletin_stub(published).pk, "draft_bulletin": bulletin_stub(draft).pk}
