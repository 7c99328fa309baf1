"""Bulletins queued after a publish, kept with versions, built by the background task."""

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.services import evaluation_run_create, evaluation_run_publish
from county_innovation.regions.models import Region
from county_innovation.reports.models import Bulletin
from county_innovation.reports.services import bulletin_enqueue


@pytest.fixture
def city(demo):
    return Region.objects.get(code="360100")


def _published(code: str, period: int = 2024) -> EvaluationRun:
    return EvaluationRun.objects.get(framework__code=code, period=period, status="published")


def _work() -> None:
    """Run the queued tasks in this process (see evaluation/tests/test_robustness.py for why not the worker)."""
    for row in DBTaskResult.objects.filter(status="READY", queue_name="reports").order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


def test_publishing_a_county_run_queues_a_bulletin_version_on_the_reports_queue(
    city, users, django_capture_on_commit_callbacks
):
    county = _published("county")
    run = evaluation_run_create(
        framework=county.framework, period=2024, actor=users["city_admin"], scope=city
    )
    before = Bulletin.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_run_publish(run=run, actor=users["city_admin"], replace_reason="重新评价")
    rows = Bulletin.objects.filter(run=run)
    assert sorted(rows.values_list("format", flat=True)) == ["docx", "pdf"]
    assert set(rows.values_list("version", "status")) == {(1, "queued")}
    assert Bulletin.objects.count() == before + 2
    task = DBTaskResult.objects.get(queue_name="reports", status="READY")
    assert task.args_kwargs["args"] == [run.pk, 1]
    assert rows.first().task_id == str(task.id)

    _work()
    done = {b.format: b for b in Bulletin.objects.filter(run=run)}
    assert done["docx"].status == "done" and done["docx"].size > 10000
    assert done["docx"].town_run == _published("town")


def test_publishing_a_town_run_queues_the_county_bulletin_once_while_one_waits(
    city, users, django_capture_on_commit_callbacks
):
    county, town = _published("county"), _published("town")
    with django_capture_on_commit_callbacks(execute=True):
        first = bulletin_enqueue(run=county, actor=system("测试"))
    run = evaluation_run_create(framework=town.framework, period=2024, actor=users["city_admin"], scope=city)
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_run_publish(run=run, actor=users["city_admin"], replace_reason="重新评价")
    assert not Bulletin.objects.filter(run=run).exists()
    waiting = Bulletin.objects.filter(run=county, status="queued")
    assert set(waiting.values_list("version", flat=True)) == {first[0].version}
    assert DBTaskResult.objects.filter(queue_name="reports").count() == 1


def test_each_generation_is_a_new_version_and_old_ones_are_kept(city, users):
    county = _published("county")
    from county_innovation.reports.services import bulletin_build_now

    v1 = bulletin_enqueue(run=county, actor=users["city_admin"])
    bulletin_build_now(run_id=county.pk, version=v1[0].version, actor=system("测试"))
    v2 = bulletin_enqueue(run=county, actor=users["city_admin"])
    assert v2[0].version == v1[0].version + 1
    assert Bulletin.objects.filter(run=county, version=v1[0].version, status="done").count() == 2


def test_a_town_run_without_its_county_run_is_refused_and_nothing_written(city, users):
    town = _published("town")
    EvaluationRun.objects.filter(framework__code="county", period=2024).update(status="draft")
    before = Bulletin.objects.count()
    with pytest.raises(DomainError) as caught:
        bulletin_enqueue(run=town, actor=system("测试"))
    assert "县（区）评价尚未发布，无法生成通报" in caught.value.message
    assert Bulletin.objects.count() == before


def test_the_demo_load_queues_no_bulletin_per_publish(demo):
    # demo_load publishes ten runs inside bulletins_deferred(); the demo command queues them afterwards
    assert not DBTaskResult.objects.filter(queue_name="reports").exists()
    assert not Bulletin.objects.exists()


def test_the_demo_command_queues_one_bulletin_per_published_county_period(demo):
    from county_innovation.reports.services import bulletins_queue_published

    assert bulletins_queue_published(scope=Region.objects.get(code="360100"), actor=system("测试")) == 5
    assert Bulletin.objects.filter(status="queued").count() == 10
    assert bulletins_queue_published(scope=Region.objects.get(code="360100"), actor=system("测试")) == 0


def test_command_writes_a_bulletin_and_keeps_it_only_when_asked(demo, tmp_path):
    run = _published("county")
    out = tmp_path / "通报.docx"
    call_command("report", "bulletin", "--run", str(run.pk), "--format", "docx", "--out", str(out))
    assert out.read_bytes()[:2] == b"PK" and not Bulletin.objects.filter(run=run).exists()
    call_command("report", "bulletin", "--run", str(run.pk), "--out", str(out), "--keep")
    kept = Bulletin.objects.get(run=run, format="docx")
    assert kept.status == "done" and bytes(kept.content) == out.read_bytes()


def test_command_refuses_an_unknown_run_in_chinese(demo, tmp_path):
    with pytest.raises(CommandError, match="评价 #999999 不存在"):
        call_command("report", "bulletin", "--run", "999999", "--out", str(tmp_path / "x.docx"))
    assert not (tmp_path / "x.docx").exists()


def test_command_writes_a_profile_and_an_assessment_sheet(demo, tmp_path):
    call_command("report", "profile", "--county", "360121", "--out", str(tmp_path / "p.docx"))
    assert (tmp_path / "p.docx").read_bytes()[:2] == b"PK"
    run = _published("county")
    call_command(
        "report",
        "assessment",
        "--run",
        str(run.pk),
        "--mode",
        "linear",
        "--max",
        "15",
        "--out",
        str(tmp_path / "a.xlsx"),
    )
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="不是县（区）的区划代码"):
        call_command("report", "profile", "--county", "360121100", "--out", str(tmp_path / "t.docx"))


def test_a_publish_inside_bulletins_deferred_queues_nothing_though_it_commits_after_the_block(
    city, users, django_capture_on_commit_callbacks
):
    from county_innovation.reports.receivers import bulletins_deferred

    county = _published("county")
    run = evaluation_run_create(
        framework=county.framework, period=2024, actor=users["city_admin"], scope=city
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with bulletins_deferred():
            evaluation_run_publish(run=run, actor=users["city_admin"], replace_reason="重新评价")
    assert callbacks  # run_published was sent on commit, after the block had ended
    assert not Bulletin.objects.filter(run=run).exists()
    assert not DBTaskResult.objects.filter(queue_name="reports").exists()
