"""Robustness analyses of an evaluation run: queued through django-tasks' database backend, computed by its
worker, shown with rank intervals and sensitivity indices."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun, RobustnessAnalysis
from county_innovation.evaluation.robustness import DEFAULT_ROBUSTNESS_SPEC
from county_innovation.evaluation.services import robustness_start


@pytest.fixture
def run(demo):
    return EvaluationRun.objects.get(
        framework__code="county", framework_version=1, period=2024, status="published"
    )


def _work():
    """Run every queued task in this process, through the task each queue row names.

    The worker command itself (`county-innovation db_worker`) closes database connections between tasks,
    which would end a test's transaction on PostgreSQL; it runs for real in
    test_the_database_worker_runs_a_queued_analysis, with committed transactions.
    """
    for row in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_analysis(demo_restored_afterwards, transactional_db, users):
    from county_innovation.web.demo import demo_load

    demo_load()
    run = EvaluationRun.objects.get(framework__code="county", period=2024, status="published")
    analysis = robustness_start(run=run, kind="uncertainty", spec={"replications": 50}, actor=system("测试"))
    assert DBTaskResult.objects.get().status == "READY"  # committed, so the worker can see it
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    analysis.refresh_from_db()
    assert analysis.status == "done" and len(analysis.rank_stats) == 9
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_uncertainty_runs_in_the_background_and_gives_rank_intervals(
    run, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        analysis = robustness_start(
            run=run, kind="uncertainty", spec=DEFAULT_ROBUSTNESS_SPEC, actor=users["city_admin"]
        )
    assert analysis.status == "queued"
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    _work()
    analysis.refresh_from_db()
    assert analysis.status == "done" and analysis.progress == 1.0
    assert analysis.replications == 500 and analysis.seconds is not None
    stats = {r["uCode"]: r for r in analysis.rank_stats}
    assert set(stats) == set(run.results.values_list("region_id", flat=True))
    for result in run.results.all():
        s = stats[result.region_id]
        assert s["Nominal"] == result.rank
        assert 1 <= s["Q5"] <= s["Median"] <= s["Q95"] <= 9


def test_sensitivity_gives_first_order_and_total_indices(run, users, django_capture_on_commit_callbacks):
    spec = {**DEFAULT_ROBUSTNESS_SPEC, "replications": 100, "bootstrap": 200}
    with django_capture_on_commit_callbacks(execute=True):
        analysis = robustness_start(run=run, kind="sensitivity", spec=spec, actor=users["city_admin"])
    _work()
    analysis.refresh_from_db()
    assert analysis.status == "done", analysis.error
    assert {r["Parameter"] for r in analysis.indices} == {"Weights", "Normalisation", "Aggregation"}
    assert analysis.replications == 100 * (3 + 2)
    assert analysis.output_variance > 0
    for r in analysis.indices:
        assert r["Si_q5"] <= r["Si_q95"] and r["STi_q5"] <= r["STi_q95"]


def test_sensitivity_of_choices_that_barely_move_ranks_is_flagged(
    run, client, django_capture_on_commit_callbacks
):
    spec = {
        "replications": 50,
        "bootstrap": 100,
        "weight_noise": {"1": 0.01},
        "normalisations": ["minmax:1,100", "minmax:0,100"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        analysis = robustness_start(run=run, kind="sensitivity", spec=spec, actor=system("测试"))
    _work()
    client.login(username="admin", password="demo-2025")
    page = client.get(reverse("evaluation:robustness_detail", args=[analysis.pk])).content.decode()
    assert 'data-testid="sensitivity-warning"' in page


def test_same_seed_same_result(run, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = robustness_start(run=run, kind="uncertainty", spec=DEFAULT_ROBUSTNESS_SPEC, actor=system("测试"))
        b = robustness_start(run=run, kind="uncertainty", spec=DEFAULT_ROBUSTNESS_SPEC, actor=system("测试"))
    _work()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.rank_stats == b.rank_stats


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"replications": 0}, "replications 0 无效"),
        ({"replications": 10, "aggregations": ["magic"]}, "未知的合成方法「magic」"),
        ({"replications": 10, "normalisations": ["nonsense"]}, "nonsense"),
        ({"replications": 100000}, "过大"),
    ],
)
def test_bad_analysis_specs_are_refused_and_nothing_is_queued(run, spec, message):
    with pytest.raises(DomainError, match=message):
        robustness_start(run=run, kind="uncertainty", spec=spec, actor=system("测试"))
    assert not RobustnessAnalysis.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_analysis_that_fails_in_the_engine_is_stored_with_its_reason(
    run, django_capture_on_commit_callbacks
):
    spec = {
        "replications": 20,
        "normalisations": ["minmax:0,100", "rank"],
        "aggregations": ["geometric", "arithmetic"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        analysis = robustness_start(run=run, kind="uncertainty", spec=spec, actor=system("测试"))
    _work()
    analysis.refresh_from_db()
    assert analysis.status == "failed"
    assert "几何平均要求标准化值为正数" in analysis.error


def test_city_admin_starts_an_analysis_and_watches_it(run, client, django_capture_on_commit_callbacks):
    client.login(username="admin", password="demo-2025")
    page = client.get(reverse("evaluation:run_detail", args=[run.pk])).content.decode()
    assert "稳健性分析" in page and 'data-testid="robustness-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evaluation:robustness_create", args=[run.pk]),
            {
                "kind": "uncertainty",
                "replications": "300",
                "seed": "7",
                "noise_indicators": "25",
                "noise_dimensions": "25",
                "normalisations": ["minmax:1,100", "zscore:10,2"],
                "aggregations": ["arithmetic", "geometric"],
            },
        )
    analysis = RobustnessAnalysis.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/robustness/{analysis.pk}/")
    assert analysis.spec["replications"] == 300 and analysis.spec["weight_noise"] == {"1": 0.25, "2": 0.25}
    waiting = client.get(reverse("evaluation:robustness_detail", args=[analysis.pk])).content.decode()
    assert "排队中" in waiting and 'hx-trigger="every 1s"' in waiting
    _work()
    status = client.get(reverse("evaluation:robustness_status", args=[analysis.pk]), HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true"
    done = client.get(reverse("evaluation:robustness_detail", args=[analysis.pk])).content.decode()
    assert 'data-chart="rankIntervals"' in done and "南昌县" in done and "演示数据" in done


def test_bad_form_input_is_refused_in_chinese(run, client):
    client.login(username="admin", password="demo-2025")
    response = client.post(
        reverse("evaluation:robustness_create", args=[run.pk]),
        {
            "kind": "uncertainty",
            "replications": "0",
            "seed": "1",
            "noise_indicators": "25",
            "noise_dimensions": "25",
        },
        follow=True,
    )
    assert "模拟次数至少为 1" in response.content.decode()
    assert not RobustnessAnalysis.objects.exists()


def test_officers_may_look_but_not_start(run, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        analysis = robustness_start(
            run=run, kind="uncertainty", spec={"replications": 10}, actor=system("测试")
        )
    client.login(username="nanchangxian", password="demo-2025")
    assert client.get(reverse("evaluation:robustness_detail", args=[analysis.pk])).status_code == 200
    response = client.post(reverse("evaluation:robustness_create", args=[run.pk]), {"kind": "uncertainty"})
    assert response.status_code == 403
    assert RobustnessAnalysis.objects.count() == 1
