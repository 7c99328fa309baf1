"""Pure composite-index engine; imports nothing from Django or the apps."""

from .aggregate import aggregate, effective_weights
from .errors import EngineError
from .explain import strengths_weaknesses
from .hierarchy import Hierarchy, Node
from .normalise import degenerate_indicators, normalise
from .pipeline import EvaluationResult, MethodSpec, evaluate, input_hash
from .rank import rank_scores

__all__ = [
    "EngineError",
    "EvaluationResult",
    "Hierarchy",
    "MethodSpec",
    "Node",
    "aggregate",
    "degenerate_indicators",
    "effective_weights",
    "evaluate",
    "input_hash",
    "normalise",
    "rank_scores",
    "strengths_weaknesses",
]
