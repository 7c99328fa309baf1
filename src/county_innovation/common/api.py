"""Pieces every app's API router shares: limit/offset pagination with a ceiling, and Chinese 404s."""

from typing import Any

from django.http import Http404
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 1000


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=``; the answer is ``{"items": [...], "count": total}``."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"每页条数（1–{MAX_LIMIT}）")
        offset: int = Field(0, ge=0, description="跳过的条数")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def not_found(message: str) -> Http404:
    """An Http404 whose message is shown to the client as ``detail`` (see county_innovation.api)."""
    return Http404(message)
