"""Documents built on request: the boundary that turns a build failure into a Chinese error, and bulletins built
now without being stored (a download before any version exists, the command line without --keep).

Nothing here writes to the database; the stored versions are made by ``reports.services``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db.models import Max

from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.models import Bulletin
from county_innovation.reports.selectors import county_run_for

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


def bulletin_next_version(county_run: EvaluationRun) -> int:
    """The version number the next stored bulletin of ``county_run`` gets."""
    return (Bulletin.objects.filter(run=county_run).aggregate(v=Max("version"))["v"] or 0) + 1


def bulletin_render(*, run: EvaluationRun, fmt: str) -> tuple[bytes, int]:
    """A bulletin of ``run`` built now and not stored: (content, version).

    The version printed on it is the one it would have as the next stored version.
    """
    from county_innovation.reports.bulletin import bulletin_docx
    from county_innovation.reports.pdf import docx_to_pdf

    if fmt not in FORMATS:
        raise DomainError(f"未知的通报格式「{fmt}」：应为 docx 或 pdf。")
    county_run = bulletin_run_check(run)
    version = bulletin_next_version(county_run)
    docx = document_build("通报 Word 文件", lambda: bulletin_docx(county_run, version=version))
    if fmt == "docx":
        return docx, version
    return document_build("通报 PDF 文件", lambda: docx_to_pdf(docx)), version
