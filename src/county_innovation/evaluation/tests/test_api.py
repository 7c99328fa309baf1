"""Evaluation runs over the API: published results for everyone signed in, unpublished for the admin only,
running and publishing for the admin only; every payload says whether it holds demo data."""

import pytest
from django.test import Client

from county_innovation.accounts.tests.api_sample import api_sample_create, call, token_for
from county_innovation.collection.services.entry import data_values_save
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.services import evaluation_run_create
from county_innovation.indicators.selectors import framework_indicators
from county_innovation.regions.selectors import city_region, counties_of

NOTICE = "演示数据，非真实统计"


@pytest.fixture
def sample(users, frameworks):
    return api_sample_create(users, frameworks)


def test_non_admin_lists_only_published_runs(sample, users):
    status, body = call(Client(), "get", "/api/evaluations/?limit=1000", token=token_for(users["expert"]))
    assert status == 200
    published = set(EvaluationRun.objects.filter(status="published").values_list("pk", flat=True))
    assert {r["id"] for r in body["items"]} == published
    assert sample.draft.pk not in published
    assert all(r["demo_data"] is True and r["notice"] == NOTICE for r in body["items"])


def test_admin_lists_unpublished_runs_too_and_filters(sample, users):
    url = "/api/evaluations/?period=2024&framework=county"
    status, body = call(Client(), "get", url, token=token_for(users["city_admin"]))
    assert status == 200
    assert {r["id"] for r in body["items"]} == {sample.published.pk, sample.draft.pk}
    assert body["count"] == 2


def test_run_detail_carries_method_hash_and_versions(sample, users):
    run = sample.published
    status, body = call(Client(), "get", f"/api/evaluations/{run.pk}", token=token_for(users["town"]))
    assert status == 200
    assert body["framework"] == "county" and body["framework_version"] == run.framework_version == 1
    assert body["period"] == 2024 and body["published"] is True and body["scope"] == "360100"
    assert body["input_hash"] == run.input_hash and len(body["input_hash"]) == 64
    assert body["engine_version"] == run.engine_version and body["method_spec"] == run.method_spec
    assert body["includes_demo_data"] is True and body["demo_data"] is True and body["notice"] == NOTICE
    assert [d["code"] for d in body["dimensions"]] == list(run.results.first().dimension_scores)


def test_results_are_the_stored_numbers(sample, users):
    run = sample.published
    status, body = call(
        Client(), "get", f"/api/evaluations/{run.pk}/results", token=token_for(users["enterprise"])
    )
    assert status == 200
    assert body["demo_data"] is True and body["notice"] == NOTICE
    stored = {r.region_id: r for r in run.results.all()}
    assert body["count"] == len(stored) == len(counties_of(city_region()))
    for item in body["items"]:
        result = stored[item["region"]]
        assert item["index"] == result.index and item["rank"] == result.rank
        assert item["dimension_scores"] == result.dimension_scores
        assert item["dimension_ranks"] == result.dimension_ranks
    ranks = [i["rank"] for i in body["items"] if i["rank"] is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1


def test_results_are_paginated(sample, users):
    token = token_for(users["city_admin"])
    url = f"/api/evaluations/{sample.published.pk}/results"
    _, whole = call(Client(), "get", url, token=token)
    _, page = call(Client(), "get", url + "?limit=3&offset=2", token=token)
    assert page["count"] == whole["count"] and page["items"] == whole["items"][2:5]


@pytest.mark.parametrize("suffix", ["", "/results"])
def test_unpublished_run_is_hidden_from_non_admins(sample, users, suffix):
    for role in ("county", "department", "town", "expert"):
        status, body = call(
            Client(), "get", f"/api/evaluations/{sample.draft.pk}{suffix}", token=token_for(users[role])
        )
        assert status == 403
        assert body["detail"] == "该评价结果尚未发布，只有市科技局管理员可以查看。"


def test_unknown_run_is_404_in_chinese(users):
    status, body = call(Client(), "get", "/api/evaluations/987654", token=token_for(users["city_admin"]))
    assert status == 404 and body["detail"] == "评价运行 #987654 不存在。"


def test_admin_runs_an_evaluation_over_the_city(users):
    before = EvaluationRun.objects.count()
    status, body = call(
        Client(),
        "post",
        "/api/evaluations/",
        {"framework": "town", "period": 2023},
        token=token_for(users["city_admin"]),
    )
    assert status == 201, body
    run = EvaluationRun.objects.get(pk=body["id"])
    assert EvaluationRun.objects.count() == before + 1
    assert run.scope_id == "360100" and run.framework.code == "town" and run.period == 2023
    assert body["published"] is False and run.status == "draft"
    assert run.created_by == users["city_admin"]
    assert body["unit_count"] == run.unit_count > 0


def test_non_admin_cannot_run_or_publish(sample, users):
    before = list(EvaluationRun.objects.values_list("pk", "status"))
    for role in ("county", "department", "expert"):
        token = token_for(users[role])
        status, body = call(
            Client(), "post", "/api/evaluations/", {"framework": "county", "period": 2024}, token=token
        )
        assert status == 403 and body["detail"] == "只有市科技局管理员可以执行或发布评价。"
        status, _ = call(Client(), "post", f"/api/evaluations/{sample.draft.pk}/publish", token=token)
        assert status == 403
    assert list(EvaluationRun.objects.values_list("pk", "status")) == before


def test_evaluation_of_a_year_without_data_is_a_400_in_chinese(users):
    status, body = call(
        Client(),
        "post",
        "/api/evaluations/",
        {"framework": "county", "period": 2011},
        token=token_for(users["city_admin"]),
    )
    assert status == 400 and "尚无" in body["detail"] and body["problems"] == []


def test_replacing_the_official_run_over_the_api_needs_a_reason(sample, users):
    token = token_for(users["city_admin"])
    status, body = call(Client(), "post", f"/api/evaluations/{sample.draft.pk}/publish", token=token)
    assert status == 409 and body["official"] == sample.published.pk and "替换理由" in body["detail"]
    sample.published.refresh_from_db()
    assert sample.published.status == "published"
    status, body = call(
        Client(),
        "post",
        f"/api/evaluations/{sample.draft.pk}/publish",
        {"replace_reason": "更正数据后重新评价"},
        token=token,
    )
    assert status == 200 and body["published"] is True and body["published_at"]
    sample.published.refresh_from_db()
    assert sample.published.status == "replaced"
    assert sample.published.replacements.get().reason == "更正数据后重新评价"
    status, body = call(Client(), "post", f"/api/evaluations/{sample.draft.pk}/publish", token=token)
    assert status == 400 and body["detail"] == "该评价结果已经发布。"


def test_run_without_demo_data_carries_no_notice(no_demo, users, frameworks):
    framework = frameworks["county"]
    from datetime import date

    from county_innovation.collection.services.rounds import round_create

    round_create(
        actor=users["city_admin"],
        framework=framework,
        period=2024,
        opens_on=date(2025, 1, 1),
        deadline=date(2025, 3, 31),
    )
    for i, county in enumerate(counties_of(city_region())):
        values = {ind.code: i + j + 1 for j, ind in enumerate(framework_indicators(framework))}
        data_values_save(
            actor=users["city_admin"],
            region=county,
            period=2024,
            framework=framework,
            values=values,
            submit=False,
            channel="api",
        )
    run = evaluation_run_create(
        framework=framework, period=2024, actor=users["city_admin"], scope=city_region()
    )
    token = token_for(users["city_admin"])
    _, detail = call(Client(), "get", f"/api/evaluations/{run.pk}", token=token)
    _, results = call(Client(), "get", f"/api/evaluations/{run.pk}/results", token=token)
    assert detail["demo_data"] is False and detail["notice"] is None
    assert results["demo_data"] is False and results["notice"] is None
