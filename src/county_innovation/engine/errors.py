"""The one exception type the engine raises for input or settings it cannot evaluate."""

from __future__ import annotations

__all__ = ["EngineError"]


class EngineError(ValueError):
    """Input data, framework or method settings that the engine cannot evaluate.

    The message is Chinese and written for the platform's end users: it names what is wrong (which
    indicator, node or unit) and says how to fix it, so the Django side can show it verbatim. It
    subclasses ``ValueError`` so generic form/validation code that already catches ``ValueError``
    keeps working.
    """
