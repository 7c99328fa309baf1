"""The registry of registries: the one interface through which registry apps publish indicator values.

A registry app (enterprises today; platforms, talent, the technology market later) registers, from its
AppConfig.ready(), a function that computes its figures for a year; ``services.publishing.registry_publish``
writes them as DataValues of the indicators whose origin is "registry" and whose ``registry`` names it.
Nobody types these values: the grid shows them read-only, the imports refuse them, and a published (locked)
year is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

# registry name → function(period) returning {(region code, indicator code): value}
Publisher = Callable[[int], dict[tuple[str, str], Decimal]]
_PUBLISHERS: dict[str, Publisher] = {}


def registry_register(name: str, publisher: Publisher) -> None:
    """Called from a registry app's AppConfig.ready()."""
    _PUBLISHERS[name] = publisher


def registries() -> list[str]:
    return sorted(_PUBLISHERS)


def publisher(name: str) -> Publisher:
    return _PUBLISHERS[name]


@dataclass
class PublishReport:
    registry: str
    period: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    indicators: list[str] = field(default_factory=list)
