"""The official run of a framework and period: publishing another asks for confirmation and a reason, kept in
the history; the rank changes are flagged across a method change; every page describes the run's own method."""

import pytest
from django.urls import reverse

from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun, OfficialRunReplacement
from county_innovation.evaluation.services import (
    ReplacementNeedsReason,
    evaluation_run_create,
    evaluation_run_publish,
)
from county_innovation.indicators.models import Framework
from county_innovation.regions.models import Region

ENTROPY = {"normalisation": "zscore", "weighting": "entropy", "aggregation": "arithmetic"}


@pytest.fixture
def official(demo):
    return EvaluationRun.objects.get(framework__code="county", period=2024, status="published")


@pytest.fixture
def entropy_run(official, users):
    framework = Framework.objects.get(code="county", version=1)
    return evaluation_run_create(
        framework=framework,
        period=2024,
        actor=users["city_admin"],
        scope=Region.objects.get(code="360100"),
        method_spec={**framework.method_spec, **ENTROPY},
    )


def test_publishing_over_the_official_run_needs_a_reason_and_changes_nothing_without_one(
    official, entropy_run, users
):
    with pytest.raises(ReplacementNeedsReason) as caught:
        evaluation_run_publish(run=entropy_run, actor=users["city_admin"])
    assert caught.value.official == official and "替换理由" in caught.value.message
    with pytest.raises(DomainError):
        evaluation_run_publish(run=entropy_run, actor=users["city_admin"], replace_reason="   ")
    official.refresh_from_db()
    entropy_run.refresh_from_db()
    assert official.status == "published" and entropy_run.status == "draft"
    assert not OfficialRunReplacement.objects.exists()


def test_replacing_keeps_the_reason_in_the_history(official, entropy_run, users):
    evaluation_run_publish(run=entropy_run, actor=users["city_admin"], replace_reason="改用熵权法")
    official.refresh_from_db()
    assert official.status == "replaced" and official.get_status_display() == "已被替换"
    record = OfficialRunReplacement.objects.get()
    assert (record.previous, record.replacement, record.reason) == (official, entropy_run, "改用熵权法")
    assert record.replaced_by == users["city_admin"]
    assert (
        EvaluationRun.objects.filter(framework__code="county", period=2024, status="published").get()
        == entropy_run
    )


def test_the_publish_button_asks_to_confirm_then_publishes_with_the_reason(client_for, official, entropy_run):
    client = client_for("city_admin")
    url = reverse("evaluation:run_publish", args=[entropy_run.pk])
    page = client.post(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="replace-confirm"' in body
    assert f"#{official.pk}" in body and "熵权法" in body and "Z 分数标准化" in body
    assert "赋权由「按指标体系权重」改为「熵权法」" in body  # the method difference, in words
    entropy_run.refresh_from_db()
    assert entropy_run.status == "draft"

    refused = client.post(url, {"confirm_replace": "1", "replace_reason": ""})
    assert refused.status_code == 400 and "请填写替换理由" in refused.content.decode()

    done = client.post(url, {"confirm_replace": "1", "replace_reason": "改用熵权法"}, follow=True)
    body = done.content.decode()
    assert "原正式结果已标为「已被替换」" in body
    assert 'data-testid="replacement-history"' in body and "改用熵权法" in body
    official.refresh_from_db()
    assert official.status == "replaced"
    old_page = client.get(reverse("evaluation:run_detail", args=[official.pk])).content.decode()
    assert "已被替换" in old_page and f"#{entropy_run.pk}" in old_page


def test_run_and_publish_at_once_stops_at_the_confirmation_and_keeps_the_run(client_for, official):
    framework = Framework.objects.get(code="county", version=1)
    before = EvaluationRun.objects.count()
    response = client_for("city_admin").post(
        reverse("evaluation:run_create"),
        {
            "framework": framework.pk,
            "period": 2024,
            "normalisation": "minmax",
            "aggregation": "arithmetic",
            "weighting": "entropy",
            "availability_threshold": "60",
            "publish": "on",
        },
    )
    assert response.status_code == 200 and 'data-testid="replace-confirm"' in response.content.decode()
    assert EvaluationRun.objects.count() == before + 1
    new = EvaluationRun.objects.latest("pk")
    assert new.status == "draft" and new.method_spec["weighting"] == "entropy"
    official.refresh_from_db()
    assert official.status == "published"


def test_the_dashboard_describes_the_official_runs_method_and_flags_the_rank_change(
    client_for, official, entropy_run, users
):
    evaluation_run_publish(run=entropy_run, actor=users["city_admin"], replace_reason="改用熵权法")
    page = client_for("town").get(reverse("web:dashboard")).content.decode()
    assert "Z 分数标准化（均值 0，标准差 1） · 熵权法 · 加权算术平均" in page
    assert 'data-testid="method-change-note"' in page
    assert "本期评价方法与2023年度不同" in page and "不宜直接比较" in page


def test_rank_changes_are_not_flagged_when_the_method_is_the_same(client_for, official):
    page = client_for("town").get(reverse("web:dashboard")).content.decode()
    assert "排名变化与 2023 年相比" in page and 'data-testid="method-change-note"' not in page
