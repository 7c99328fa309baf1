"""A refused action, said once: domain errors, permission refusals and form errors become Chinese messages.

Views call ``perform(request, act, done=...)``: it runs the service, shows the success message, or every problem
of a refusal (a ``DomainError`` with its problems, a ``PermissionDenied``, a Django ``ValidationError``), and
tells the view whether it succeeded. The API turns the same errors into its JSON answer (``common.api``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from county_innovation.common.errors import DomainError

T = TypeVar("T")
# A workflow refusal can list thousands of problems (every missing value of a round): the page shows the first.
MAX_PROBLEMS = 50


def domain_error_messages(error: Exception) -> list[str]:
    """The Chinese sentences of a refusal, the summary first, then each problem."""
    if isinstance(error, DomainError):
        problems = error.problems[:MAX_PROBLEMS]
        more = len(error.problems) - len(problems)
        tail = [f"……另有 {more} 个问题未列出。"] if more > 0 else []
        return [error.message, *problems, *tail]
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, PermissionDenied):
        return [str(error) or "您没有权限执行此操作。"]
    return [str(error)]


def form_error_messages(form) -> list[str]:
    """Every error of a bound form, each prefixed by its field's label."""
    out: list[str] = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        out.extend(f"{label}：{e}" if label else str(e) for e in errors)
    return out


def show_errors(request: HttpRequest, lines: list[str]) -> None:
    for line in lines:
        messages.error(request, line)


def perform(request: HttpRequest, act: Callable[[], T], *, done: str = "") -> tuple[bool, T | None]:
    """Run ``act``; on success show ``done``, on a refusal show its messages. Returns (succeeded, result)."""
    try:
        result = act()
    except (DomainError, ValidationError, PermissionDenied) as error:
        show_errors(request, domain_error_messages(error))
        return False, None
    if done:
        messages.success(request, done)
    return True, result
