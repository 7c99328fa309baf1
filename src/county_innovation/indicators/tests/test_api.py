"""Indicators, frameworks and data values over the API: reads within scope, writes all-or-nothing."""

from decimal import Decimal

import pytest
from django.test import Client

from county_innovation.accounts.tests.api_sample import call, submission_versions, token_for
from county_innovation.indicators.models import DataValue, Framework, FrameworkNode, Indicator
from county_innovation.indicators.selectors import framework_indicators


def _values(region: str, period: int = 2024) -> dict[str, tuple[Decimal, str]]:
    return {
        code: (value, status)
        for code, value, status in DataValue.objects.filter(
            region_id=region, period=period, indicator__origin="reported"
        ).values_list("indicator__code", "value", "status")
    }


def _put(url: str, payload: dict, token: str) -> tuple[int, object]:
    """A PUT as a well-behaved client sends it: with the versions of the submissions it read before."""
    region, period = url.rstrip("/").split("/")[-2:]
    versions = submission_versions(region, int(period), payload.get("framework", "county"))
    return call(Client(), "put", url, {"submission_versions": versions} | payload, token=token)


# --- indicators and frameworks ------------------------------------------------------------------------------


def test_indicator_list_by_level(users):
    status, body = call(Client(), "get", "/api/indicators/?level=town", token=token_for(users["expert"]))
    assert status == 200
    assert [i["code"] for i in body] == list(
        Indicator.objects.filter(level="town").order_by("code").values_list("code", flat=True)
    )
    rd = Indicator.objects.get(code="town_hightech_enterprises")
    row = next(i for i in body if i["code"] == rd.code)
    assert (row["name"], row["unit"], row["value_kind"], row["direction"]) == (rd.name, rd.unit, "count", 1)


def test_framework_list_shows_versions_and_hides_drafts_from_non_admins(users, frameworks):
    Framework.objects.create(code="county", version=99, name="草稿体系", level="county", status="draft")
    _, seen_by_expert = call(Client(), "get", "/api/frameworks/", token=token_for(users["expert"]))
    _, seen_by_admin = call(Client(), "get", "/api/frameworks/", token=token_for(users["city_admin"]))
    assert ("county", 99) not in {(f["code"], f["version"]) for f in seen_by_expert}
    assert ("county", 99) in {(f["code"], f["version"]) for f in seen_by_admin}
    county = next(f for f in seen_by_expert if f["code"] == "county" and f["version"] == 1)
    assert county["method_spec"] == frameworks["county"].method_spec and county["level"] == "county"


def test_framework_detail_is_the_weighted_tree(users, frameworks):
    status, body = call(Client(), "get", "/api/frameworks/county/1", token=token_for(users["town"]))
    assert status == 200
    framework = frameworks["county"]
    root = FrameworkNode.objects.get(framework=framework, parent=None)
    assert body["tree"]["code"] == root.code
    dims = list(FrameworkNode.objects.filter(parent=root).order_by("position", "code"))
    assert [(d["code"], d["weight"]) for d in body["tree"]["children"]] == [
        (d.code, float(d.weight)) for d in dims
    ]
    leaves = [leaf["indicator"] for d in body["tree"]["children"] for leaf in d["children"]]
    assert leaves == [i.code for i in framework_indicators(framework)]


def test_unknown_framework_version_is_404_in_chinese(users):
    status, body = call(Client(), "get", "/api/frameworks/county/42", token=token_for(users["expert"]))
    assert status == 404 and body["detail"] == "评价指标体系「county」第42版不存在或尚未启用。"


# --- reading data values ------------------------------------------------------------------------------------


def test_county_officer_reads_their_county_values_as_stored(users):
    url = "/api/data/?framework=county&period=2024&region=360121"
    status, body = call(Client(), "get", url, token=token_for(users["county"]))
    assert status == 200
    stored = _values("360121")
    assert body["count"] == len(stored) > 0
    assert {v["indicator"]: v["value"] for v in body["items"]} == {
        k: float(v) for k, (v, _) in stored.items()
    }
    assert {v["region"] for v in body["items"]} == {"360121"}


def test_data_without_region_covers_the_callers_whole_scope_only(users):
    status, body = call(
        Client(), "get", "/api/data/?framework=town&period=2024&limit=1000", token=token_for(users["county"])
    )
    assert status == 200
    expected = DataValue.objects.filter(
        region__code__startswith="360121", period=2024, indicator__level="town", indicator__origin="reported"
    ).count()
    assert body["count"] == expected > 0
    assert all(v["region"].startswith("360121") for v in body["items"])


def test_town_officer_reads_only_their_town(users):
    token = token_for(users["town"])
    status, body = call(Client(), "get", "/api/data/?framework=town&limit=1000", token=token)
    assert status == 200 and body["count"] > 0
    assert {v["region"] for v in body["items"]} == {"360121100"}
    status, body = call(Client(), "get", "/api/data/?framework=town&region=360121101", token=token)
    assert status == 403
    assert body["detail"].startswith("您无权查看「向塘镇」的原始指标数据")


def test_county_officer_cannot_read_another_countys_data(users):
    status, body = call(
        Client(), "get", "/api/data/?framework=county&region=360124", token=token_for(users["county"])
    )
    assert status == 403 and "进贤县" in body["detail"]


def test_data_list_requires_a_framework(users):
    status, body = call(Client(), "get", "/api/data/", token=token_for(users["county"]))
    assert status == 422 and any("framework" in p for p in body["problems"])


# --- writing data values ------------------------------------------------------------------------------------


def test_county_officer_saves_values(users):
    payload = {
        "framework": "county",
        "values": {"outreach_funding": "12,345.6", "hightech_enterprises": 88},
    }
    status, body = _put("/api/data/360121/2025", payload, token=token_for(users["county"]))
    assert status == 200, body
    stored = _values("360121", 2025)
    assert stored["outreach_funding"] == (Decimal("12345.6"), "draft")
    assert stored["hightech_enterprises"] == (Decimal(88), "draft")
    returned = {v["indicator"]: (v["value"], v["status"]) for v in body["items"]}
    assert returned["outreach_funding"] == (12345.6, "draft")
    assert body["submitted"] is False and body["version"] == 1


def test_bad_values_are_all_reported_and_nothing_is_written(users):
    before = _values("360121", 2025)
    payload = {
        "framework": "county",
        "values": {
            "rd_expenditure": 999,
            "fiscal_st_share": 130,
            "hightech_enterprises": "约300家",
            "nope": 1,
        },
    }
    status, body = _put("/api/data/360121/2025", payload, token=token_for(users["city_admin"]))
    assert status == 400
    assert "均未保存" in body["detail"]
    assert len(body["problems"]) == 3
    assert any("比重不能超过 100%" in p for p in body["problems"])
    assert any("约300家" in p for p in body["problems"])
    assert any("nope" in p for p in body["problems"])
    assert _values("360121", 2025) == before


def test_county_officer_cannot_write_another_countys_data(users):
    before = _values("360124", 2025)
    payload = {"framework": "county", "values": {"rd_expenditure": 1}}
    status, body = _put("/api/data/360124/2025", payload, token=token_for(users["county"]))
    assert status == 403
    assert body["detail"] == "您无权填报「进贤县」的数据：该区划不在您的管辖范围内。"
    assert _values("360124", 2025) == before


def test_town_officer_cannot_write_their_countys_data(users):
    before = _values("360121", 2025)
    payload = {"framework": "county", "values": {"rd_expenditure": 1}}
    status, _ = _put("/api/data/360121/2025", payload, token=token_for(users["town"]))
    assert status == 403
    assert _values("360121", 2025) == before


def test_department_cannot_write_an_indicator_it_does_not_own(users):
    # 市统计局 owns rd_expenditure; fiscal_st_share belongs to 市财政局. One refusal stops the whole request.
    before = _values("360121", 2025)
    payload = {"framework": "county", "values": {"rd_expenditure": 1, "fiscal_st_share": 2}}
    status, body = _put("/api/data/360121/2025", payload, token=token_for(users["department"]))
    assert status == 403
    assert "本级财政科学技术支出" in body["detail"] and "由市财政局负责填报" in body["detail"]
    assert _values("360121", 2025) == before


def test_department_writes_its_own_indicator_for_any_county(users):
    payload = {"framework": "county", "values": {"rd_expenditure": 4321}}
    status, _ = _put("/api/data/360124/2025", payload, token=token_for(users["department"]))
    assert status == 200
    assert _values("360124", 2025)["rd_expenditure"][0] == Decimal(4321)


def test_null_clears_a_draft_value(users):
    token = token_for(users["county"])
    _put(
        "/api/data/360121/2025",
        {"framework": "county", "values": {"outreach_funding": 5}},
        token=token,
    )
    assert "outreach_funding" in _values("360121", 2025)
    status, body = _put(
        "/api/data/360121/2025",
        {"framework": "county", "values": {"outreach_funding": None}},
        token=token,
    )
    assert status == 200 and body["deleted"] == 1
    assert "outreach_funding" not in _values("360121", 2025)


@pytest.mark.parametrize(
    ("url", "payload", "detail"),
    [
        (
            "/api/data/360121/1999",
            {"framework": "county", "values": {"rd_expenditure": 1}},
            "不在可填报范围内",
        ),
        ("/api/data/360121100/2025", {"framework": "county", "values": {"rd_expenditure": 1}}, "不适用"),
        ("/api/data/360121/2025", {"framework": "nope", "values": {}}, "不存在"),
        ("/api/data/000000/2025", {"framework": "county", "values": {}}, "不存在"),
    ],
)
def test_write_errors_are_chinese_sentences(users, url, payload, detail):
    status, body = _put(url, payload, token=token_for(users["city_admin"]))
    assert status in {400, 404}
    assert detail in body["detail"]


def test_a_stale_version_is_refused_and_nothing_is_written(users):
    token = token_for(users["county"])
    payload = {"framework": "county", "values": {"outreach_funding": 100}}
    status, body = _put("/api/data/360121/2025", payload, token=token)
    assert status == 200
    own = next(s for s in body["submissions"] if s["owner"] == "")
    seen = {own["id"]: own["version"]}
    status, _ = _put(
        "/api/data/360121/2025",
        payload | {"values": {"outreach_funding": 200}, "submission_versions": seen},
        token=token,
    )
    assert status == 200
    status, body = _put(
        "/api/data/360121/2025",
        payload | {"values": {"outreach_funding": 300}, "submission_versions": seen},
        token=token,
    )
    assert status == 400 and "为避免覆盖他人的修改" in body["detail"]
    assert _values("360121", 2025)["outreach_funding"][0] == 200


def test_a_refused_submission_undoes_the_save(users):
    payload = {"framework": "county", "values": {"outreach_funding": 100}, "submit": True}
    status, body = _put("/api/data/360121/2025", payload, token=token_for(users["county"]))
    assert status == 400 and any("必填" in p for p in body["problems"])
    assert "outreach_funding" not in _values("360121", 2025)


# --- optimistic locking is required -----------------------------------------------------------------------


def test_a_write_without_the_version_is_refused_with_428_saying_how_to_get_it(users):
    before = _values("360121", 2025)
    payload = {"framework": "county", "values": {"outreach_funding": 777}}
    status, body = call(Client(), "put", "/api/data/360121/2025", payload, token=token_for(users["county"]))
    assert status == 428
    assert "GET /api/data/360121/2025?framework=county" in body["detail"]
    assert "submission_versions" in body["detail"] and "If-Match" in body["detail"]
    assert _values("360121", 2025) == before


def test_the_get_answer_carries_the_versions_and_an_etag_that_if_match_accepts(users):
    token = token_for(users["county"])
    headers = {"Authorization": f"Bearer {token}"}
    got = Client().get("/api/data/360121/2025?framework=county", headers=headers)
    assert got.status_code == 200
    body = got.json()
    assert {s["id"]: s["version"] for s in body["submissions"]} == {
        int(k): v for k, v in submission_versions("360121", 2025).items()
    }
    etag = got.headers["ETag"]
    saved = Client().put(
        "/api/data/360121/2025",
        {"framework": "county", "values": {"outreach_funding": 321}},
        content_type="application/json",
        headers=headers | {"If-Match": etag},
    )
    assert saved.status_code == 200, saved.content
    assert saved.headers["ETag"] != etag
    assert _values("360121", 2025)["outreach_funding"][0] == 321
    stale = Client().put(
        "/api/data/360121/2025",
        {"framework": "county", "values": {"outreach_funding": 322}},
        content_type="application/json",
        headers=headers | {"If-Match": etag},
    )
    assert stale.status_code == 400 and "为避免覆盖他人的修改" in stale.json()["detail"]
    assert _values("360121", 2025)["outreach_funding"][0] == 321


@pytest.mark.parametrize("header", ["*", "garbage", '"1.x"'])
def test_a_wildcard_or_malformed_if_match_is_refused_in_chinese(users, header):
    status_before = _values("360121", 2025)
    response = Client().put(
        "/api/data/360121/2025",
        {"framework": "county", "values": {"outreach_funding": 5}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(users['county'])}", "If-Match": header},
    )
    assert response.status_code == 400 and "If-Match" in response.json()["detail"]
    assert _values("360121", 2025) == status_before


def test_the_data_state_of_another_county_is_refused(users):
    status, body = call(
        Client(), "get", "/api/data/360124/2025?framework=county", token=token_for(users["county"])
    )
    assert status == 403 and not body["detail"].isascii()
