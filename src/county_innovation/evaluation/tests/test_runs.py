import pytest
from django.urls import reverse

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.selectors import evaluation_input
from county_innovation.evaluation.services import evaluation_run_create, evaluation_run_publish
from county_innovation.evaluation.snapshot import evaluation_run_recheck
from county_innovation.indicators.models import DataValue, Framework
from county_innovation.regions.models import Region


@pytest.fixture
def county_run(demo):
    framework = Framework.objects.get(code="county", version=1)
    return EvaluationRun.objects.get(framework=framework, period=2024, status="published")


def test_run_stores_version_period_method_and_hash(county_run):
    assert county_run.framework_version == 1
    assert county_run.period == 2024
    assert county_run.method_spec["normalisation"] == "minmax"
    assert len(county_run.input_hash) == 64
    assert county_run.includes_demo_data
    assert county_run.results.count() == 9
    assert sorted(r.rank for r in county_run.results.all()) == list(range(1, 10))


def test_rerunning_reproduces_the_same_numbers_and_hash(county_run):
    again = evaluation_run_create(
        framework=county_run.framework, period=2024, actor=system("测试"), scope=county_run.scope
    )
    assert again.input_hash == county_run.input_hash
    first = dict(county_run.results.values_list("region_id", "index"))
    second = dict(again.results.values_list("region_id", "index"))
    assert first == second


def test_recheck_from_the_stored_snapshot(county_run):
    report = evaluation_run_recheck(run=county_run)
    assert report.reproduced


def test_changed_data_changes_the_hash(county_run):
    value = DataValue.objects.filter(region_id="360123", period=2024).first()
    value.value += 1
    value.save()
    again = evaluation_run_create(
        framework=county_run.framework, period=2024, actor=system("测试"), scope=county_run.scope
    )
    assert again.input_hash != county_run.input_hash
    # the stored run still re-checks against its own snapshot
    assert evaluation_run_recheck(run=county_run).reproduced


def test_evaluation_input_has_one_row_per_county(county_run):
    frame = evaluation_input(framework=county_run.framework, scope=county_run.scope, period=2024)
    assert frame.shape == (9, 15)


def test_publishing_freezes_the_framework(demo, users):
    fw = Framework.objects.get(code="county", version=1)
    assert fw.is_frozen
    town_fw = Framework.objects.get(code="town", version=1)
    assert town_fw.is_frozen


def test_a_period_without_data_is_refused(demo):
    fw = Framework.objects.get(code="county", version=1)
    with pytest.raises(DomainError, match="尚无"):
        evaluation_run_create(
            framework=fw, period=2031, actor=system("测试"), scope=Region.objects.get(code="360100")
        )
    assert not EvaluationRun.objects.filter(period=2031).exists()


def test_publishing_twice_is_refused(county_run, users):
    with pytest.raises(DomainError, match="已经发布"):
        evaluation_run_publish(run=county_run, actor=users["city_admin"])


def test_city_admin_runs_through_the_page(demo, client):
    client.login(username="admin", password="demo-2025")
    fw = Framework.objects.get(code="county", version=1)
    response = client.post(
        reverse("evaluation:run_create"),
        {
            "framework": fw.pk,
            "period": 2023,
            "normalisation": "zscore",
            "aggregation": "arithmetic",
            "availability_threshold": "60",
        },
    )
    run = EvaluationRun.objects.order_by("-pk").first()
    assert response.status_code == 302 and run.method_spec["normalisation"] == "zscore"
    assert not run.is_published
    page = client.get(reverse("evaluation:run_detail", args=[run.pk])).content.decode()
    assert "演示数据" in page and run.input_hash in page


def test_geometric_mean_uses_a_positive_range(demo, client):
    client.login(username="admin", password="demo-2025")
    fw = Framework.objects.get(code="county", version=1)
    client.post(
        reverse("evaluation:run_create"),
        {
            "framework": fw.pk,
            "period": 2024,
            "normalisation": "minmax",
            "aggregation": "geometric",
            "availability_threshold": "60",
        },
    )
    run = EvaluationRun.objects.order_by("-pk").first()
    assert run.method_spec["minmax_range"] == [1.0, 100.0]
    assert run.results.filter(index__isnull=False).count() == 9


@pytest.mark.parametrize(("period", "message"), [("abc", "年度应为四位数字"), ("1900", "不早于 2000")])
def test_bad_run_form_is_refused(demo, client, period, message):
    client.login(username="admin", password="demo-2025")
    before = EvaluationRun.objects.count()
    fw = Framework.objects.get(code="county", version=1)
    response = client.post(
        reverse("evaluation:run_create"),
        {
            "framework": fw.pk,
            "period": period,
            "normalisation": "minmax",
            "aggregation": "arithmetic",
            "availability_threshold": "60",
        },
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert EvaluationRun.objects.count() == before


def test_only_city_admin_runs_and_publishes(demo, client, county_run):
    client.login(username="nanchangxian", password="demo-2025")
    fw = Framework.objects.get(code="county", version=1)
    before = EvaluationRun.objects.count()
    response = client.post(
        reverse("evaluation:run_create"),
        {
            "framework": fw.pk,
            "period": 2024,
            "normalisation": "minmax",
            "aggregation": "arithmetic",
            "availability_threshold": "60",
        },
    )
    assert response.status_code == 403
    assert EvaluationRun.objects.count() == before


def test_unpublished_runs_are_hidden_from_officers(demo, client):
    fw = Framework.objects.get(code="county", version=1)
    draft = evaluation_run_create(
        framework=fw, period=2024, actor=system("测试"), scope=Region.objects.get(code="360100")
    )
    client.login(username="nanchangxian", password="demo-2025")
    assert client.get(reverse("evaluation:run_detail", args=[draft.pk])).status_code == 403
    assert client.post(reverse("evaluation:run_publish", args=[draft.pk])).status_code == 403
    assert f"#{draft.pk}<" not in client.get(reverse("evaluation:run_list")).content.decode()
