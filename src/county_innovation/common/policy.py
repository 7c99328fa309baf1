"""An access policy per object kind: each action is stated once and gives both the list filter and the object check.

A policy subclass names its model and, for each action, a rule ``rule_<action>(actor)`` that returns:

- ``True`` or ``False``: the actor may, or may not, do the action on every object of the kind;
- a ``Q``: the actor may do it on the objects the ``Q`` selects.

``restrict(actor, action, queryset)`` filters a queryset with the rule (selectors list with it);
``allows(actor, action, obj)`` checks one object (services and views check with it): it evaluates the rule in
Python through ``check_<action>(actor, obj)`` when the policy defines one (no query), else by asking the
database whether the object is in the restricted set; ``require`` raises ``PermissionDenied`` with the action's
Chinese message. The platform itself (``system(purpose)``) is allowed every action. Roles are compared in the
policies and nowhere else (a test checks).
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet

from county_innovation.common.actors import is_system

DENIED = "您没有权限执行此操作。"


class Policy:
    """Subclass per object kind; see the module docstring."""

    model: ClassVar[type[Model] | None] = None
    # Chinese refusal per action; the default says only that the action is not allowed.
    messages: ClassVar[dict[str, str]] = {}

    def actions(self) -> list[str]:
        return sorted(name.removeprefix("rule_") for name in dir(self) if name.startswith("rule_"))

    def rule(self, actor, action: str) -> bool | Q:
        if actor is None:
            raise TypeError("A policy is asked about an actor: a user, or system(purpose).")
        if is_system(actor):
            return True
        if not getattr(actor, "is_authenticated", False):
            return False
        method = getattr(self, f"rule_{action}", None)
        if method is None:
            raise ImproperlyConfigured(f"{type(self).__name__} states no rule for action {action!r}.")
        return method(actor)

    def restrict(self, actor, action: str, queryset: QuerySet | None = None) -> QuerySet:
        """The objects of ``queryset`` (default: all of the model) on which ``actor`` may do ``action``."""
        if queryset is None:
            if self.model is None:
                raise ImproperlyConfigured(f"{type(self).__name__} has no model to list.")
            queryset = self.model._default_manager.all()
        allowed = self.rule(actor, action)
        if allowed is True:
            return queryset
        if allowed is False:
            return queryset.none()
        return queryset.filter(allowed)

    def allows(self, actor, action: str, obj: Model | None = None) -> bool:
        """Whether ``actor`` may do ``action`` (on ``obj`` when the action is about one object)."""
        allowed = self.rule(actor, action)
        if isinstance(allowed, bool):
            return allowed
        if obj is None:
            return True  # a filter: the actor may do it on some objects, which ones the list says
        check = getattr(self, f"check_{action}", None)
        if check is not None:
            return bool(check(actor, obj))
        return type(obj)._default_manager.filter(allowed, pk=obj.pk).exists()

    def message(self, action: str, obj: Model | None = None) -> str:
        return self.messages.get(action, DENIED)

    def require(self, actor, action: str, obj: Model | None = None, message: str | None = None) -> None:
        """Raise ``PermissionDenied`` (a Chinese message) unless ``actor`` may do ``action``."""
        if not self.allows(actor, action, obj):
            raise PermissionDenied(message or self.message(action, obj))
