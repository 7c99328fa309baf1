"""Pure composite-index engine; imports nothing from Django or the apps.

Steps (each its own module, each usable alone): :func:`denominate`, :func:`screen_units`, :func:`impute` /
:func:`impute_panel`, :func:`treat`, :func:`normalise` / :func:`normalise_array`, :func:`node_weights`
(with :func:`ahp_weights`, :func:`entropy_weights`, :func:`critic_weights`, :func:`pca_weights`),
:func:`aggregate`, :func:`rank_scores`, :func:`performance_groups`, :func:`growth`. :func:`evaluate`
(alias :func:`run`) chains them under one :class:`MethodSpec` and records every step; :func:`regenerate`
reruns a result with one choice changed.
"""

from .aggregate import aggregate, effective_weights
from .denominate import denominate
from .errors import EngineError
from .explain import strengths_weaknesses
from .hierarchy import Hierarchy, Node
from .impute import impute, impute_panel
from .normalise import degenerate_indicators, normalise, normalise_array
from .pipeline import EvaluationResult, MethodSpec, Step, evaluate, input_hash, regenerate, run
from .rank import growth, performance_groups, rank_scores
from .screen import availability, screen_units
from .treat import TreatResult, check_skew_kurt, kurtosis, skewness, treat
from .weights import AHPResult, ahp_weights, critic_weights, entropy_weights, node_weights, pca_weights

__all__ = [
    "AHPResult",
    "EngineError",
    "EvaluationResult",
    "Hierarchy",
    "MethodSpec",
    "Node",
    "Step",
    "TreatResult",
    "aggregate",
    "ahp_weights",
    "availability",
    "check_skew_kurt",
    "critic_weights",
    "degenerate_indicators",
    "denominate",
    "effective_weights",
    "entropy_weights",
    "evaluate",
    "growth",
    "impute",
    "impute_panel",
    "input_hash",
    "kurtosis",
    "node_weights",
    "normalise",
    "normalise_array",
    "pca_weights",
    "performance_groups",
    "rank_scores",
    "regenerate",
    "run",
    "screen_units",
    "skewness",
    "strengths_weaknesses",
    "treat",
]
