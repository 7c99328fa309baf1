"""The JSON contract (``evaluate_enterprise``) and ``county-innovation eligibility FILE.json``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from county_innovation.engine import EngineError
from county_innovation.engine.eligibility import evaluate_enterprise

from .factory import payload
from .test_hightech import INNOVATION


def test_output_has_exactly_the_contract_keys_and_is_plain_json():
    result = evaluate_enterprise(payload())
    assert set(result) == {"tech_sme", "high_tech"}
    assert set(result["tech_sme"]) == {
        "eligible",
        "score",
        "staff_points",
        "rd_points",
        "ip_points",
        "direct",
        "reasons",
        "failures",
    }
    assert set(result["high_tech"]) == {
        "conditions_met",
        "failed",
        "rd_ratio",
        "rd_ratio_required",
        "growth_points",
        "reasons",
        "failures",
    }
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result


def test_hand_computed_values_through_the_contract():
    result = evaluate_enterprise(payload(rd_expense=[300, 300, 336], rd_expense_domestic=[300, 300, 336]))
    sme, high = result["tech_sme"], result["high_tech"]
    # 科小: staff 20 % → 12; 336 / 10,000 = 3.36 % → 20 (3.73 % of cost → 0); 5 Ⅱ类 → 24: 56 < 60.
    assert (sme["eligible"], sme["score"], sme["staff_points"], sme["rd_points"], sme["ip_points"]) == (
        False,
        56,
        12,
        20,
        24,
    )
    assert sme["direct"] is False
    assert sme["reasons"][0] == "第六条（五）：综合评价得分 56 分，低于 60 分的要求，差 4 分"
    # 高企: 936 / 24,000 = 3.9 % against 4 % (last year 10,000 万元).
    assert high["conditions_met"] is False
    assert high["failed"] == [5]
    assert high["rd_ratio"] == 0.039
    assert high["rd_ratio_required"] == 0.04
    assert high["growth_points"] == [12, 14]


def test_innovation_items_add_the_score_to_high_tech():
    result = evaluate_enterprise(payload(innovation=INNOVATION))
    assert result["high_tech"]["innovation_score"]["total"] == 70
    assert result["high_tech"]["innovation_score"]["passed"] is False


def test_bad_payload_raises_engine_error():
    with pytest.raises(EngineError, match="不能为负数"):
        evaluate_enterprise(payload(total_cost=-5))


def test_command_prints_the_contract_json(tmp_path):
    path = tmp_path / "enterprise.json"
    # Decimal fractions written as JSON numbers: 0.7 + 0.1 must reach exactly 5 % of 16.
    data = payload(sales_revenue=[6, 5, 5], rd_expense=[0.7, 0.1, 0], rd_expense_domestic=[0.7, 0.1, 0])
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("eligibility", str(path), stdout=out)
    printed = out.getvalue()
    assert "\n  " in printed  # indent=2
    result = json.loads(printed)
    assert result["high_tech"]["rd_ratio"] == 0.05
    assert result["high_tech"]["rd_ratio_required"] == 0.05
    assert 5 not in result["high_tech"]["failed"]
    # 科小 on the last year: R&D 0 → 0 points; 12 + 0 + 24 = 36.
    assert (result["tech_sme"]["score"], result["tech_sme"]["eligible"]) == (36, False)
    assert "第六条（二）：职工总数 200 人，不超过 500 人" in printed  # ensure_ascii=False


def test_command_refuses_bad_data_in_chinese(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload(employees="两百")), encoding="utf-8")
    with pytest.raises(CommandError, match="「职工总数」（employees）应为非负整数，实际为「两百」"):
        call_command("eligibility", str(path))


def test_command_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"founded": ', encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 JSON：第 1 行"):
        call_command("eligibility", str(path))


def test_command_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("eligibility", str(tmp_path / "none.json"))


def test_failures_are_empty_exactly_when_the_verdict_passes():
    for overrides in [
        {},
        {"employees": 600, "tech_staff": 150},
        {"rd_expense": [300, 300, 336], "rd_expense_domestic": [300, 300, 336]},
        {"hightech_revenue": 100},
    ]:
        result = evaluate_enterprise(payload(**overrides))
        sme, high = result["tech_sme"], result["high_tech"]
        assert (sme["failures"] == []) is sme["eligible"], overrides
        assert (high["failures"] == []) is high["conditions_met"], overrides
        # failures come first in the reasons, in the same order
        assert sme["reasons"][: len(sme["failures"])] == sme["failures"]
        assert high["reasons"][: len(high["failures"])] == high["failures"]
