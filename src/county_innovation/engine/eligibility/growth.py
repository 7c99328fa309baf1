"""企业成长性: the growth-rate formula and its point bands from the 高企 工作指引 (国科发火〔2016〕195号).

Used by :mod:`.hightech` (the figure-decided part of the 创新能力评价) and :mod:`.innovation_score` (to check
that the experts' growth points lie in the band the figures give).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext

from .common import _CONTEXT, fmt_pct

__all__ = ["GROWTH_BANDS", "growth_band_reason", "growth_points", "growth_rate"]

# 国科发火〔2016〕195号 四（三）4 企业成长性评价: 净资产增长率 / 销售收入增长率 each ≤ 10 points, in bands
# A ≥35% 9–10, B ≥25% 7–8, C ≥15% 5–6, D ≥5% 3–4, E >0 1–2, F ≤0 0.
GROWTH_BANDS: tuple[tuple[Decimal, tuple[int, int]], ...] = (
    (Decimal("0.35"), (9, 10)),  # A: ≥35%
    (Decimal("0.25"), (7, 8)),  # B: ≥25%
    (Decimal("0.15"), (5, 6)),  # C: ≥15%
    (Decimal("0.05"), (3, 4)),  # D: ≥5%
)
GROWTH_POSITIVE_POINTS = (1, 2)  # E: >0 — 国科发火〔2016〕195号 四（三）4
GROWTH_NONE_POINTS = (0, 0)  # F: ≤0, or year 2 zero — 国科发火〔2016〕195号 四（三）4


def growth_rate(values: Sequence[Decimal]) -> Decimal | None:
    """The 工作指引's growth rate ½(Y2/Y1 + Y3/Y2) − 1 over three years, oldest first.

    Parameters
    ----------
    values : sequence of 3 Decimal
        净资产 or 销售收入 at the end of each of the last three fiscal years, in 万元.

    Returns
    -------
    Decimal or None
        The rate as a fraction (``0.35`` for 35 %). When year 1 is zero, the rate over the last two
        years, Y3/Y2 − 1 (国科发火〔2016〕195号: 第一年为0的按第二、三年计算). ``None`` when it cannot be
        computed and scores 0 points: year 2 is zero (第二年为0的按0分计算), or year 1 or year 2 is
        negative (negative 净资产; the texts give no rule, so the platform scores it 0, conservatively).
    """
    if len(values) != 3:
        raise ValueError("growth_rate needs three years, oldest first")
    first, second, third = values
    if second <= 0 or first < 0:
        return None
    with localcontext(_CONTEXT):
        if first == 0:
            return third / second - 1
        return (second / first + third / second) / 2 - 1


def growth_points(rate: Decimal | None) -> tuple[int, int]:
    """The (min, max) points of the band a growth rate falls in (one half of 企业成长性, ≤ 10 points).

    Lower band edges are inclusive (≥35 % is band A); a rate of exactly 0, a negative rate or ``None``
    scores 0.
    """
    if rate is None or rate <= 0:
        return GROWTH_NONE_POINTS
    for floor, points in GROWTH_BANDS:
        if rate >= floor:
            return points
    return GROWTH_POSITIVE_POINTS


def growth_band_reason(name: str, values: Sequence[Decimal]) -> str:
    """One Chinese sentence: the growth rate of ``name`` and the points it allows."""
    rate = growth_rate(values)
    low, high = growth_points(rate)
    first, second, _ = values
    if rate is None:
        why = "第二年为 0" if second == 0 else "出现负值" if second < 0 or first < 0 else "无法计算"
        return f"{name}增长率无法计算（{why}），按 0 分计"
    basis = "（第一年为 0，按第二、三年计算）" if first == 0 else ""
    if high == 0:
        return f"{name}增长率 {fmt_pct(rate)}{basis}，不大于 0，得 0 分"
    return f"{name}增长率 {fmt_pct(rate)}{basis}，可得 {low}–{high} 分"
