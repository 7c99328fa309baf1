"""The designation procedure's pure rules: the formal checklist, building targets checked and cleaned, and the
expert score of an application.

国科发〔2018〕130号: applications state quantified, assessable building targets (建设目标量化、可考核); an
expert panel scores each application and the city decides after the public notice.
"""

from __future__ import annotations

from decimal import Decimal

from county_innovation.common.numbers import NumberProblem, number_parse
from county_innovation.designation.models import BUILD_YEARS, TRIM_FROM
from county_innovation.designation.selectors import target_indicators
from county_innovation.regions.models import Region

# 形式审查清单: what the city checks on every application before the data evaluation.
FORMAL_CHECKLIST = {
    "application_form": "申报书填写完整、加盖公章",
    "building_plan": "建设方案（含建设内容、进度安排）",
    "building_targets": "建设目标量化、可考核",
    "county_recommendation": "县（区）人民政府推荐意见",
    "supporting_data": "近三年创新主要指标及佐证材料",
}

TARGET_VALUE_LIMIT = Decimal("1e16")  # BuildingTarget values: max_digits=20, decimal_places=4


def _parse_number(raw: object) -> Decimal | None:
    """A building target's value through the one number parser; None when it is not a number the column holds."""
    try:
        return number_parse(raw, max_abs=TARGET_VALUE_LIMIT, places=4, round_excess_places=True)
    except NumberProblem:
        return None


def _parse_year(raw: object) -> int | None:
    try:
        year = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def _resolve_indicator(raw: object, region: Region):
    """An indicator given as an Indicator, its code, or (targets written before they were data) its name."""
    if raw is None or str(raw).strip() == "":
        return None
    if hasattr(raw, "code"):
        raw = raw.code
    candidates = list(target_indicators(region))
    text = str(raw).strip()
    return next((i for i in candidates if i.code == text), None) or next(
        (i for i in candidates if i.name == text), None
    )


def building_targets_parse(rows: list[dict], *, region: Region, year: int) -> tuple[list[dict], list[str]]:
    """Check building targets and return them clean with every problem, in Chinese.

    Each row: ``indicator`` (code, or an Indicator; ``name`` is accepted for the old free-text shape),
    ``baseline_year``, ``baseline_value``, ``target_year``, ``target_value`` (``baseline`` and ``target``
    accepted for the values; missing years default to the year before the application and the end of the
    building period). Empty rows are skipped.
    """
    clean, problems = [], []
    for i, row in enumerate(rows or [], start=1):
        ref = row.get("indicator") or row.get("name")
        values = [row.get(k) for k in ("baseline_value", "target_value", "baseline", "target")]
        if not ref and all(v in (None, "") for v in values):
            continue
        indicator = _resolve_indicator(ref, region)
        if indicator is None:
            problems.append(
                f"第{i}项建设目标的指标「{ref or '未选择'}」不在{region.name}适用的评价指标体系中，请从列表中选择指标。"
            )
            continue
        baseline_raw = row.get("baseline_value", row.get("baseline"))
        target_raw = row.get("target_value", row.get("target"))
        baseline, target = _parse_number(baseline_raw), _parse_number(target_raw)
        baseline_year = _parse_year(row.get("baseline_year") or year - 1)
        target_year = _parse_year(row.get("target_year") or year + BUILD_YEARS)
        label = f"第{i}项建设目标「{indicator.name}」"
        if baseline is None:
            problems.append(
                f"{label}的基期值应为数字（{indicator.unit}），实际为「{baseline_raw or '未填写'}」。"
            )
        if target is None:
            problems.append(
                f"{label}的目标值应为数字（{indicator.unit}），实际为「{target_raw or '未填写'}」。"
            )
        if baseline_year is None or target_year is None:
            problems.append(f"{label}的基期年度和目标年度应为 2000–2100 之间的年份。")
        elif target_year <= baseline_year:
            problems.append(f"{label}的目标年度（{target_year}）应晚于基期年度（{baseline_year}）。")
        if problems:
            continue
        clean.append(
            {
                "indicator": indicator,
                "baseline_year": baseline_year,
                "baseline_value": baseline,
                "target_year": target_year,
                "target_value": target,
            }
        )
    return clean, problems


def expert_score_of(totals: list[Decimal]) -> Decimal:
    """The mean of the experts' totals; with TRIM_FROM or more experts the highest and lowest are dropped."""
    ordered = sorted(totals)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return (sum(ordered, Decimal("0")) / len(ordered)).quantize(Decimal("0.01"))
