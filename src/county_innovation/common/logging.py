"""Logging filters used by settings.LOGGING: a refused request is an expected event, not a program error."""

from __future__ import annotations

import logging


class PermissionDeniedOneLine(logging.Filter):
    """Log a 403 as one line (method, path, user, the Chinese reason) instead of a traceback.

    Django logs ``Forbidden (Permission denied): /path`` on ``django.request`` with the exception attached, so
    every refused URL fills the log with a stack trace. The refusal is the permission module doing its job;
    the reason it gives is all an operator needs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403 or not record.exc_info:
            return True
        exception = record.exc_info[1]
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        who = getattr(user, "username", "") or "匿名用户"
        method = getattr(request, "method", "")
        record.msg = f"{record.getMessage()} [{method} {who}] {exception or '无权限'}".replace("\n", " ")
        record.args = ()
        record.exc_info = None
        record.exc_text = None
        return True
