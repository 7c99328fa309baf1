"""Records that are never deleted: whatever has a history (django-simple-history) or a lock (a frozen framework,
a round and its submissions, an evaluation run and its results, an issued bulletin).

Taking such a record back is a recorded state with a reason (a withdrawn run, a revoked designation, a value
cleared through the collection service with its history); a deletion from the admin, a model's ``delete()``,
a queryset's ``.delete()`` or a cascade from a parent is refused with a ``DomainError`` in Chinese. The guard
is a ``pre_delete`` receiver, so every path through Django's deletion collector meets it.

``deletion_permitted(reason)`` opens it for one block: the demo reset (demo records only), a service that
removes a value while its history records the removal, and tests cleaning up their own rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.db.models.signals import pre_delete

from county_innovation.common.errors import DomainError

# Models locked by their state rather than by a history: frozen framework versions, collection rounds with
# their submissions and approval steps, evaluation runs with their results, issued bulletin versions.
LOCKED_MODELS = (
    "indicators.Framework",
    "indicators.FrameworkNode",
    "collection.CollectionRound",
    "collection.Submission",
    "collection.SubmissionEvent",
    "evaluation.EvaluationRun",
    "evaluation.RegionResult",
    "reports.Bulletin",
)

_permitted: ContextVar[str] = ContextVar("deletion_permitted", default="")


@contextmanager
def deletion_permitted(reason: str) -> Iterator[None]:
    """Allow deleting protected records inside this block; ``reason`` says why (kept for the error log)."""
    token = _permitted.set(reason or "unspecified")
    try:
        yield
    finally:
        _permitted.reset(token)


def _has_history(model: type[models.Model]) -> bool:
    from simple_history.models import registered_models

    return model._meta.label_lower in {m._meta.label_lower for m in registered_models.values()}


def _is_historical(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type") and hasattr(model, "history_object")


def protected_models() -> list[type[models.Model]]:
    """Every model whose rows may not be deleted: with a history, their historical records, and the locked."""
    locked = {label.lower() for label in LOCKED_MODELS}
    return [
        m for m in apps.get_models() if m._meta.label_lower in locked or _has_history(m) or _is_historical(m)
    ]


def is_protected(model: type[models.Model]) -> bool:
    return model in _PROTECTED


_PROTECTED: set[type[models.Model]] = set()


def _refuse(
    sender: type[models.Model], instance: models.Model, origin: object = None, **kwargs: object
) -> None:
    if _permitted.get():
        return
    # Name what was asked to be deleted (``origin``), not the first dependent row the collector reached.
    if isinstance(origin, models.Model):
        model, what = type(origin), f"「{origin}」"
    elif isinstance(origin, models.QuerySet):
        model, what = origin.model, ""
    else:
        model, what = sender, f"「{instance}」"
    name = model._meta.verbose_name
    if _is_historical(sender) and model is sender:
        raise DomainError(f"「{name}」是变更历史记录，不能删除：历史是审计依据，只能追加。")
    dependent = "" if model is sender else f"（其下的{sender._meta.verbose_name}同样受保护）"
    raise DomainError(
        f"不能删除{name}{what}{dependent}：该记录有变更历史或已锁定，删除会破坏审计链。"
        "如需撤回，请使用相应的撤回、撤销或注销操作并填写原因，系统会记录这一状态。"
    )


def protection_connect() -> None:
    """Connect the guard to every protected model (called once from the common app's ready())."""
    _PROTECTED.clear()
    _PROTECTED.update(protected_models())
    for model in _PROTECTED:
        pre_delete.connect(_refuse, sender=model, dispatch_uid=f"protect-{model._meta.label_lower}")


class NoDeleteAdminMixin:
    """For admins (and inlines) of protected models: no delete permission, no bulk delete action."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def admin_delete_leaks(site: admin.AdminSite | None = None) -> list[str]:
    """Registered admins (and their inlines) through which a superuser could delete a protected record."""
    site = site or admin.site
    leaks = []
    for model, model_admin in site._registry.items():
        if model in _PROTECTED and not isinstance(model_admin, NoDeleteAdminMixin):
            leaks.append(model._meta.label)
        for inline in model_admin.inlines:
            if inline.model in _PROTECTED and not issubclass(inline, NoDeleteAdminMixin):
                leaks.append(f"{model._meta.label} › {inline.model._meta.label}")
    return leaks
