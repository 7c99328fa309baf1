"""Who acts: a signed-in user, or the platform itself doing a named job.

Every service that changes state takes ``actor`` and asks the app's policy whether the actor may do it. A user
acting through a page or the API is the actor. Work the platform does on its own (loading the demo, a scheduled
refresh, a background job finishing what a user started, the command line run by the operator) is done by
``system(purpose)``: an explicit actor that the policies allow and the history records as "系统：purpose",
instead of ``None`` that used to skip the check silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from county_innovation.accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """The platform acting on its own for ``purpose`` (a Chinese phrase shown in histories and logs)."""

    purpose: str

    # Enough of the user interface for code that reads an actor like a user (templates, history, policies).
    is_authenticated = True
    is_anonymous = False
    is_superuser = False
    is_system = True
    pk = None
    id = None
    role = "system"
    region = None
    region_id = None
    department = ""
    username = "system"

    def __str__(self) -> str:
        return f"系统：{self.purpose}"


Actor = Union["User", SystemActor]


def system(purpose: str) -> SystemActor:
    """The platform as the actor of a job it does by itself; ``purpose`` says which job, in Chinese."""
    if not purpose or not purpose.strip():
        raise ValueError("A system actor needs the purpose it acts for.")
    return SystemActor(purpose.strip())


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def history_user(actor: Actor | None) -> User | None:
    """The user to record in a history row or a ``created_by`` column: ``None`` for the platform itself."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor  # type: ignore[return-value]


def actor_required(actor: object) -> None:
    """Refuse a missing actor: a service is never called without saying who acts."""
    if actor is None:
        raise TypeError("A service that changes state needs an actor: a user, or system(purpose).")
    if not is_system(actor) and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录。")


def require_system(actor: object, what: str) -> None:
    """Refuse a user where only the platform itself may act (e.g. the demo loader)."""
    actor_required(actor)
    if not is_system(actor):
        raise PermissionDenied(f"{what}只能由平台自身执行。")
