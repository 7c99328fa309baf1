"""高企 创新能力评价 (国科发火〔2016〕32号 第十一条（七）, scored by the 工作指引 国科发火〔2016〕195号).

The experts' items are inputs; this module checks their ranges, caps the 知识产权 part at 30, adds the
parts and decides the pass (≥ 71). The growth items are checked against the bands the figures give in
:mod:`.hightech`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from county_innovation.engine.errors import EngineError

__all__ = ["INNOVATION_ITEMS", "INNOVATION_PASS", "innovation_score", "parse_items"]

# 国科发火〔2016〕195号 四（三）: 各级指标均按整数打分，满分为100分，综合得分达到70分以上（不含70分）为符合认定要求.
INNOVATION_PASS = 71
# 国科发火〔2016〕195号 四（三）1: 知识产权 ≤ 30 points, the standard bonus included.
IP_CAP = 30

# item → (maximum points, part, Chinese name); all from 国科发火〔2016〕195号 四（三）1–4.
INNOVATION_ITEMS: dict[str, tuple[int, str, str]] = {
    "ip_advancement": (8, "knowledge_property", "技术的先进程度"),
    "ip_core_support": (8, "knowledge_property", "对主要产品（服务）在技术上发挥核心支持作用"),
    "ip_quantity": (8, "knowledge_property", "知识产权数量"),
    "ip_acquisition": (6, "knowledge_property", "知识产权获得方式"),
    "ip_standard_bonus": (2, "knowledge_property", "参与编制国家标准、行业标准、检测方法、技术规范（加分）"),
    "conversion": (30, "conversion", "科技成果转化能力"),
    "rd_management_system": (6, "rd_management", "研发组织管理制度、研发投入核算体系、研发费用辅助账"),
    "rd_institution": (6, "rd_management", "内部研究开发机构、产学研合作"),
    "rd_conversion_incentive": (4, "rd_management", "成果转化组织实施与激励奖励制度、开放式创新创业平台"),
    "rd_talent": (4, "rd_management", "人才培养、培训、引进及人才绩效评价奖励制度"),
    "net_asset_growth": (10, "growth", "净资产增长率"),
    "sales_growth": (10, "growth", "销售收入增长率"),
}
OPTIONAL_ITEMS = ("ip_standard_bonus",)
PART_NAMES = {
    "knowledge_property": ("知识产权", 30),
    "conversion": ("科技成果转化能力", 30),
    "rd_management": ("研究开发组织管理水平", 20),
    "growth": ("企业成长性", 20),
}


def parse_items(value: Any) -> dict[str, int]:
    """Validate the experts' items: integers within each item's range; unknown or missing items refused.

    Raises
    ------
    EngineError
        Chinese message naming the item and its allowed range.
    """
    if not isinstance(value, Mapping):
        raise EngineError("「创新能力评价专家打分」（innovation）应为 JSON 对象，各项为整数分值")
    unknown = [str(k) for k in value if k not in INNOVATION_ITEMS]
    if unknown:
        raise EngineError(
            f"创新能力评价中有未知评分项「{'、'.join(unknown)}」，可用评分项见 docs/eligibility.md"
        )
    missing = [k for k in INNOVATION_ITEMS if k not in value and k not in OPTIONAL_ITEMS]
    if missing:
        names = "、".join(f"{INNOVATION_ITEMS[k][2]}（{k}）" for k in missing)
        raise EngineError(f"创新能力评价缺少评分项：{names}")
    items: dict[str, int] = {}
    for key, (maximum, _, name) in INNOVATION_ITEMS.items():
        points = value.get(key, 0)
        if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= maximum:
            raise EngineError(
                f"创新能力评价「{name}」（{key}）应为 0–{maximum} 的整数分（按整数打分），实际为「{points}」"
            )
        items[key] = points
    return items


def innovation_score(items: Mapping[str, Any]) -> dict[str, Any]:
    """Total and pass of the 创新能力评价 from the experts' items.

    Parameters
    ----------
    items : mapping
        Integer points per item of :data:`INNOVATION_ITEMS` (``ip_standard_bonus`` may be omitted).

    Returns
    -------
    dict
        ``{"total": int (0–100), "passed": bool (total ≥ 71), "parts": {part: points},
        "reasons": [str]}``. ``knowledge_property`` is capped at 30 with the bonus included.

    Raises
    ------
    EngineError
        An item out of range, not an integer, unknown or missing.
    """
    checked = parse_items(items)
    parts = dict.fromkeys(PART_NAMES, 0)
    for key, points in checked.items():
        parts[INNOVATION_ITEMS[key][1]] += points
    parts["knowledge_property"] = min(parts["knowledge_property"], IP_CAP)
    total = sum(parts.values())
    passed = total >= INNOVATION_PASS
    detail = "，".join(f"{PART_NAMES[p][0]} {parts[p]}/{PART_NAMES[p][1]}" for p in PART_NAMES)
    if passed:
        reasons = [f"创新能力评价 {total} 分，达到 70 分以上（不含 70 分）的要求（{detail}）"]
    else:
        reasons = [
            f"创新能力评价 {total} 分，未达到 70 分以上（不含 70 分，即至少 {INNOVATION_PASS} 分）的要求，"
            f"差 {INNOVATION_PASS - total} 分（{detail}）"
        ]
    return {"total": total, "passed": passed, "parts": parts, "reasons": reasons}
