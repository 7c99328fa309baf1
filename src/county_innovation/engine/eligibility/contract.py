"""The JSON contract shared by the self-check page, the API and ``county-innovation eligibility``.

In: one enterprise's figures (docs/eligibility.md); out: JSON-ready values only (numbers, strings,
booleans, lists), so every caller serialises the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .common import EnterpriseFigures
from .hightech import hightech_check
from .tech_sme import tech_sme_check

__all__ = ["evaluate_enterprise", "json_number"]

RATIO_PLACES = Decimal("0.000001")


def json_number(value: Decimal | None) -> float | int | None:
    """A Decimal ratio as a JSON number with at most six decimals (``0.04`` → ``0.04``).

    Only the output is converted; every comparison was made on the exact Decimal.
    """
    if value is None:
        return None
    shown = value.quantize(RATIO_PLACES).normalize()
    return int(shown) if shown == shown.to_integral_value() else float(shown)


def evaluate_enterprise(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate one enterprise against 科技型中小企业 and 高新技术企业 by the JSON contract.

    Parameters
    ----------
    payload : mapping
        The contract's input object (amounts in 万元 as numbers or strings; lists are the last three
        fiscal years, oldest first). Optional ``innovation`` holds the experts' items of the 创新能力评价.

    Returns
    -------
    dict
        ``{"tech_sme": {...}, "high_tech": {...}}`` as in docs/eligibility.md; ``high_tech`` also has
        ``"innovation_score"`` when ``innovation`` was given.

    Raises
    ------
    EngineError
        (:class:`EligibilityInputError`) Chinese messages for every bad field.
    """
    figures = EnterpriseFigures.from_payload(payload)
    sme = tech_sme_check(figures)
    high = hightech_check(figures)
    high_tech: dict[str, Any] = {
        "conditions_met": high.conditions_met,
        "failed": list(high.failed),
        "rd_ratio": json_number(high.rd_ratio),
        "rd_ratio_required": json_number(high.rd_ratio_required),
        "growth_points": list(high.growth_points),
        "reasons": list(high.reasons),
        "failures": list(high.failures),
    }
    if high.innovation_score is not None:
        high_tech["innovation_score"] = high.innovation_score
    return {
        "tech_sme": {
            "eligible": sme.eligible,
            "score": sme.score,
            "staff_points": sme.staff_points,
            "rd_points": sme.rd_points,
            "ip_points": sme.ip_points,
            "direct": sme.direct,
            "reasons": list(sme.reasons),
            "failures": list(sme.failures),
        },
        "high_tech": high_tech,
    }
