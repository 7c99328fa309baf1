"""Official enterprise eligibility rules as pure functions: 科技型中小企业 (国科发政〔2017〕115号),
高新技术企业 (国科发火〔2016〕32号 with the 工作指引 国科发火〔2016〕195号), and configurable 瞪羚 / 独角兽 rule
sets. No Django; the registry app, the API and ``county-innovation eligibility`` call
:func:`evaluate_enterprise` (the JSON contract) or the typed checks. Rules and sources: docs/eligibility.md.
"""

from .common import DirectQualifications, EligibilityInputError, EnterpriseFigures
from .contract import evaluate_enterprise
from .gazelle_unicorn import (
    GazelleResult,
    GazelleRules,
    UnicornResult,
    UnicornRules,
    gazelle_check,
    unicorn_check,
)
from .growth import growth_points, growth_rate
from .hightech import HighTechResult, hightech_check, rd_ratio_required
from .innovation_score import INNOVATION_ITEMS, INNOVATION_PASS, innovation_score
from .tech_sme import TechSmeResult, tech_sme_check

__all__ = [
    "INNOVATION_ITEMS",
    "INNOVATION_PASS",
    "DirectQualifications",
    "EligibilityInputError",
    "EnterpriseFigures",
    "GazelleResult",
    "GazelleRules",
    "HighTechResult",
    "TechSmeResult",
    "UnicornResult",
    "UnicornRules",
    "evaluate_enterprise",
    "gazelle_check",
    "growth_points",
    "growth_rate",
    "hightech_check",
    "innovation_score",
    "rd_ratio_required",
    "tech_sme_check",
    "unicorn_check",
]
