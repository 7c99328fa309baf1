"""The import through the API (JSON, dry run) and the command line (`county-innovation data import`)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from county_innovation.accounts.tests.api_sample import call, token_for
from county_innovation.collection.models import ImportBatch
from county_innovation.collection.tests.importing_helpers import (
    LIANTANG,
    PERIOD,
    XIANGTANG,
    csv_bytes,
    nothing_written,
    open_round,
)
from county_innovation.indicators.models import DataValue


@pytest.fixture
def county_client(users):
    open_round(users["city_admin"], "town")
    return Client(), token_for(users["county"])


def body(values, **extra):
    return {"framework": "town", "period": PERIOD, "values": values, **extra}


GOOD = [
    {"region": LIANTANG, "indicator": "town_tech_smes", "value": 17, "comment": "新增孵化企业"},
    {"region": XIANGTANG, "indicator": "town_fiscal_st_spending", "value": "１，２３４．５"},
]


def test_api_import_writes_and_reports(county_client, users):
    client, token = county_client
    status, answer = call(client, "post", "/api/data/import", body(GOOD), token=token)
    assert status == 200, answer
    assert (answer["created"], answer["values"], answer["regions"], answer["dry_run"]) == (2, 2, 2, False)
    assert answer["batch"] == ImportBatch.objects.get().pk
    assert answer["summary"].startswith("已导入 2 个区划的 2 条数据")
    value = DataValue.objects.get(
        region_id=XIANGTANG, period=PERIOD, indicator__code="town_fiscal_st_spending"
    )
    assert (str(value.value.normalize()), value.channel) == ("1234.5", "api")
    assert value.history.get().history_user == users["county"]


def test_api_dry_run_returns_the_same_report_without_writing(county_client):
    client, token = county_client
    status, answer = call(client, "post", "/api/data/import", body(GOOD, dry_run=True), token=token)
    assert status == 200, answer
    assert (answer["created"], answer["dry_run"], answer["batch"]) == (2, True, None)
    assert nothing_written()


def test_api_dry_run_with_problems_lists_them_by_item(county_client):
    client, token = county_client
    values = [
        {"region": LIANTANG, "indicator": "town_tech_smes", "value": "约300万"},
        {"region": "360124100", "indicator": "town_tech_smes", "value": 1},
        {"region": LIANTANG, "indicator": "town_tech_smes", "value": 2},
    ]
    status, answer = call(client, "post", "/api/data/import", body(values, dry_run=True), token=token)
    assert status == 400
    assert answer["detail"] == "导入失败：发现 3 处问题，未导入任何数据。请改正后重新上传。"
    assert answer["problems"][0] == "第1条「科技型中小企业数」：应为数字，实际为「约300万」"
    assert "不在您的管辖范围内" in answer["problems"][1] and answer["problems"][1].startswith("第2条：")
    assert answer["problems"][2].startswith(
        "第3条：「莲塘镇」（360121100）的指标「科技型中小企业数」重复，已在第1条出现"
    )
    assert nothing_written()


def test_api_import_by_a_role_without_data_entry_is_forbidden(county_client, users):
    client, _ = county_client
    status, answer = call(client, "post", "/api/data/import", body(GOOD), token=token_for(users["expert"]))
    assert status == 403 and "没有数据填报权限" in answer["detail"]
    assert nothing_written()


def test_api_import_of_an_unknown_framework_is_404(county_client):
    client, token = county_client
    status, answer = call(
        client, "post", "/api/data/import", {**body(GOOD), "framework": "nope"}, token=token
    )
    assert status == 404 and "nope" in answer["detail"]


# --- the command line --------------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("data", "import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_imports_a_gbk_csv(users, tmp_path):
    open_round(users["city_admin"], "town")
    path = tmp_path / "乡镇.csv"
    path.write_bytes(csv_bytes([[LIANTANG, "town_tech_smes", 17]], encoding="gbk"))
    out, _ = run(
        str(path), "--framework", "town", "--period", str(PERIOD), "--user", users["county"].username
    )
    assert "已导入 1 个区划的 1 条数据（新增 1 条" in out and "导入记录 #" in out
    assert DataValue.objects.get(region_id=LIANTANG, period=PERIOD).history.get().history_change_reason == (
        "CSV导入：乡镇.csv"
    )


def test_cli_dry_run_writes_nothing(users, tmp_path):
    open_round(users["city_admin"], "town")
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"values": GOOD}, ensure_ascii=False), encoding="utf-8")
    out, _ = run(
        str(path), "--framework", "town", "--period", str(PERIOD), "--user", "t_nanchangxian", "--dry-run"
    )
    assert "检查通过（试导入，未写入）：可导入 2 个区划的 2 条数据" in out
    assert nothing_written()


def test_cli_refusal_prints_every_problem_and_exits_non_zero(users, tmp_path):
    open_round(users["city_admin"], "town")
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([[LIANTANG, "town_tech_smes", "约300万"], ["360124100", "town_tech_smes", 1]]))
    err = StringIO()
    with pytest.raises(CommandError, match="导入失败：发现 2 处问题") as caught:
        call_command(
            "data",
            "import",
            str(path),
            "--framework",
            "town",
            "--period",
            str(PERIOD),
            "--user",
            "t_nanchangxian",
            stderr=err,
        )
    assert caught.value.returncode == 1
    assert "第2行「数值」列「科技型中小企业数」：应为数字，实际为「约300万」" in err.getvalue()
    assert "第3行：" in err.getvalue()
    assert nothing_written()


def test_cli_refuses_an_unknown_user_or_framework(users, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([[LIANTANG, "town_tech_smes", 1]]))
    with pytest.raises(CommandError, match="用户「nobody」不存在"):
        run(str(path), "--framework", "town", "--period", str(PERIOD), "--user", "nobody")
    with pytest.raises(CommandError, match="评价指标体系「nope」不存在"):
        run(str(path), "--framework", "nope", "--period", str(PERIOD), "--user", "t_nanchangxian")


def test_cli_refuses_a_missing_file(users):
    with pytest.raises(CommandError, match=r"无法读取文件「/nonexistent\.csv」"):
        run("/nonexistent.csv", "--framework", "town", "--period", str(PERIOD), "--user", "t_nanchangxian")
