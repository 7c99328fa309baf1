"""创新能力评价 (国科发火〔2016〕195号): integer items in range, the 知识产权 cap, pass at 71 not 70."""

from __future__ import annotations

import pytest

from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import INNOVATION_PASS, innovation_score

from .test_hightech import INNOVATION


def test_pass_mark_is_above_70_not_70():
    assert INNOVATION_PASS == 71
    assert innovation_score(INNOVATION)["passed"] is False
    assert innovation_score({**INNOVATION, "conversion": 21}) == {
        "total": 71,
        "passed": True,
        "parts": {"knowledge_property": 22, "conversion": 21, "rd_management": 15, "growth": 13},
        "reasons": [
            "创新能力评价 71 分，达到 70 分以上（不含 70 分）的要求"
            "（知识产权 22/30，科技成果转化能力 21/30，研究开发组织管理水平 15/20，企业成长性 13/20）"
        ],
    }


def test_70_says_the_missing_point():
    reason = innovation_score(INNOVATION)["reasons"][0]
    assert reason.startswith(
        "创新能力评价 70 分，未达到 70 分以上（不含 70 分，即至少 71 分）的要求，差 1 分"
    )


def test_knowledge_property_with_the_standard_bonus_is_capped_at_30():
    items = {**INNOVATION, "ip_advancement": 8, "ip_core_support": 8, "ip_quantity": 8, "ip_acquisition": 6}
    assert innovation_score(items)["parts"]["knowledge_property"] == 30
    with_bonus = innovation_score({**items, "ip_standard_bonus": 2})
    assert with_bonus["parts"]["knowledge_property"] == 30
    assert innovation_score({**INNOVATION, "ip_standard_bonus": 2})["total"] == 72


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"conversion": 31}, "「科技成果转化能力」（conversion）应为 0–30 的整数分"),
        ({"rd_talent": -1}, "「人才培养、培训、引进及人才绩效评价奖励制度」（rd_talent）应为 0–4 的整数分"),
        ({"ip_quantity": 5.5}, "「知识产权数量」（ip_quantity）应为 0–8 的整数分"),
        ({"sales_growth": True}, "「销售收入增长率」（sales_growth）应为 0–10 的整数分"),
        ({"patents": 3}, "未知评分项「patents」"),
    ],
)
def test_bad_items_are_refused_in_chinese(change, message):
    with pytest.raises(EngineError, match=message):
        innovation_score({**INNOVATION, **change})


def test_a_missing_item_is_named():
    items = dict(INNOVATION)
    del items["conversion"]
    with pytest.raises(EngineError, match="创新能力评价缺少评分项：科技成果转化能力（conversion）"):
        innovation_score(items)
