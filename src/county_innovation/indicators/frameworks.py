"""Rules a framework version must satisfy before it is changed (pure: no query, no write)."""

from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import Framework


def framework_ensure_editable(framework: Framework) -> None:
    """A frozen version (used by a published evaluation) is never changed; a new version is made instead."""
    if framework.is_frozen:
        raise DomainError(f"「{framework}」已被已发布的评价使用，已冻结，不能修改；请基于它创建新版本。")
