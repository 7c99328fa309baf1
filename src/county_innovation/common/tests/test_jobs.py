"""Background jobs whose worker dies: the lease runs out and the job is marked failed with a Chinese reason,
on the polling pages, by the sweep command, and for a real `county-innovation db_worker` killed mid-task."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import county_innovation
from county_innovation.common.jobs import BackgroundJob, job_models, jobs_expire_stale
from county_innovation.common.protection import deletion_permitted
from county_innovation.common.tests.session_file import session_database_write
from county_innovation.evaluation.models import EvaluationRun, RobustnessAnalysis
from county_innovation.reports.models import Bulletin

SRC = Path(county_innovation.__file__).resolve().parent.parent


@pytest.fixture
def run(demo):
    return EvaluationRun.objects.get(
        framework__code="county", framework_version=1, period=2024, status="published"
    )


def _abandoned_analysis(run, seconds_ago: float) -> RobustnessAnalysis:
    """An analysis a worker started and then stopped renewing ``seconds_ago``."""
    beat = timezone.now() - timedelta(seconds=seconds_ago)
    return RobustnessAnalysis.objects.create(
        run=run,
        kind="uncertainty",
        spec={"replications": 10},
        status="running",
        progress=0.15,
        stage="蒙特卡洛模拟中（向量化计算全部重复）",
        started_at=beat - timedelta(seconds=5),
        heartbeat_at=beat,
    )


def test_both_job_kinds_share_one_base_model():
    assert set(job_models()) == {RobustnessAnalysis, Bulletin}
    base_fields = {f.name for f in BackgroundJob._meta.get_fields()}
    assert {
        "status",
        "progress",
        "error",
        "task_id",
        "started_at",
        "heartbeat_at",
        "finished_at",
    } <= base_fields
    for model in job_models():
        assert base_fields <= {f.name for f in model._meta.get_fields()}


def test_a_job_with_a_fresh_heartbeat_stays_running(run, settings):
    settings.COUNTY_INNOVATION_JOB_LEASE_SECONDS = 60
    analysis = _abandoned_analysis(run, seconds_ago=30)
    assert jobs_expire_stale(RobustnessAnalysis.objects.all()) == 0
    analysis.refresh_from_db()
    assert analysis.status == "running"


def test_the_polled_progress_says_the_worker_died_and_stops_polling(run, client, settings):
    settings.COUNTY_INNOVATION_JOB_LEASE_SECONDS = 60
    analysis = _abandoned_analysis(run, seconds_ago=61)
    client.login(username="admin", password="demo-2025")
    response = client.get(reverse("evaluation:robustness_status", args=[analysis.pk]), HTTP_HX_REQUEST="true")
    analysis.refresh_from_db()
    assert analysis.status == "failed" and analysis.finished_at is not None
    assert "后台进程已中断" in analysis.error and "超过 60 秒没有心跳" in analysis.error
    assert "请在评价详情页重新发起分析" in analysis.error
    page = response.content.decode()
    assert "后台进程已中断" in page and 'data-testid="robustness-error"' in page
    assert "hx-trigger" not in page and response["HX-Refresh"] == "true"
    detail = client.get(reverse("evaluation:robustness_detail", args=[analysis.pk])).content.decode()
    assert "失败" in detail and "hx-trigger" not in detail


def test_a_bulletin_whose_worker_died_is_shown_failed_and_the_page_stops_reloading(run, client, settings):
    settings.COUNTY_INNOVATION_JOB_LEASE_SECONDS = 60
    with deletion_permitted("test: a run without bulletins"):
        Bulletin.objects.filter(run=run).delete()
    old = timezone.now() - timedelta(minutes=5)
    for fmt in ("docx", "pdf"):
        Bulletin.objects.create(run=run, version=1, format=fmt, status="running", heartbeat_at=old)
    client.login(username="admin", password="demo-2025")
    page = client.get(reverse("reports:bulletin_run", args=[run.pk])).content.decode()
    assert "data-pending" not in page
    assert page.count("后台进程已中断") == 2 and "生成新版本」重新生成" in page
    assert set(Bulletin.objects.filter(run=run).values_list("status", flat=True)) == {"failed"}


def test_a_job_from_before_heartbeats_counts_from_its_start(run, settings):
    settings.COUNTY_INNOVATION_JOB_LEASE_SECONDS = 60
    analysis = _abandoned_analysis(run, seconds_ago=0)
    RobustnessAnalysis.objects.filter(pk=analysis.pk).update(
        heartbeat_at=None, started_at=None, created_at=timezone.now() - timedelta(hours=2)
    )
    assert jobs_expire_stale(RobustnessAnalysis.objects.all()) == 1


def test_the_sweep_command_expires_every_kind(run, settings, capsys):
    settings.COUNTY_INNOVATION_JOB_LEASE_SECONDS = 60
    stale = _abandoned_analysis(run, seconds_ago=120)
    alive = _abandoned_analysis(run, seconds_ago=1)
    queued = RobustnessAnalysis.objects.create(run=run, kind="uncertainty", spec={"replications": 10})
    call_command("jobs", "sweep")
    assert "共标记 1 个任务为失败" in capsys.readouterr().out
    statuses = dict(RobustnessAnalysis.objects.values_list("pk", "status"))
    assert statuses == {stale.pk: "failed", alive.pk: "running", queued.pk: "queued"}


# --- a real worker, killed -------------------------------------------------------------------------------------


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "county_innovation.cli", *args]


def _row(db: Path, pk: int) -> dict:
    with sqlite3.connect(db, timeout=20) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT status, progress, stage, error, started_at, heartbeat_at "
            "FROM evaluation_robustnessanalysis WHERE id = ?",
            [pk],
        ).fetchone()
    return dict(row)


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_analysis_leaves_a_failed_job_with_the_reason(run, tmp_path):
    """Copy the demo database to a file, queue a long analysis, start `db_worker`, SIGKILL it while computing.

    The analysis is queued as the service does, with far more replications than a user may ask for
    (a million model runs on the counties), so that it is surely still computing when the worker is killed.
    """
    db = tmp_path / "county_innovation.sqlite3"
    session_database_write(db)  # the session's demo database, as a file
    env = {
        **os.environ,
        "COUNTY_INNOVATION_VAR": str(tmp_path),
        "COUNTY_INNOVATION_JOB_LEASE_SECONDS": "2",
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "county_innovation.settings",
    }
    env.pop("DATABASE_URL", None)
    start = (
        "from county_innovation.engine.uncertainty import UncertaintySpec;"
        "from county_innovation.evaluation.models import RobustnessAnalysis;"
        "from county_innovation.evaluation.robustness import DEFAULT_ROBUSTNESS_SPEC;"
        "from county_innovation.evaluation.tasks import robustness_execute;"
        "spec = UncertaintySpec.from_dict({**DEFAULT_ROBUSTNESS_SPEC, 'replications': 200000, 'bootstrap': 100}).to_dict();"
        f"a = RobustnessAnalysis.objects.create(run_id={run.pk}, kind='sensitivity', spec=spec);"
        "r = robustness_execute.enqueue(a.pk);"
        "RobustnessAnalysis.objects.filter(pk=a.pk).update(task_id=str(r.id));"
        "print(a.pk)"
    )
    queued = subprocess.run(
        _cli("shell", "--no-imports", "-c", start), env=env, capture_output=True, text=True
    )
    assert queued.returncode == 0, queued.stderr
    pk = int(queued.stdout.split()[-1])
    worker = subprocess.Popen(
        _cli("db_worker", "--queue-name", "*", "--no-startup-delay", "--interval", "0.2"),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Running, and the lease renewed past its first term: a live worker is not mistaken for a dead one.
        row = _wait_for(
            lambda: (
                (r := _row(db, pk))["status"] == "running"
                and r["heartbeat_at"]
                and r["heartbeat_at"] > r["started_at"]
                and r["progress"] >= 0.15
                and r
            ),
            timeout=120,
            what="the worker to start the analysis and renew its heartbeat",
        )
        time.sleep(2.5)  # longer than the lease, while the worker computes
        assert _row(db, pk)["status"] == "running"
        sweep = subprocess.run(_cli("jobs", "sweep"), env=env, check=True, capture_output=True, text=True)
        assert "共标记 0 个任务为失败" in sweep.stdout
        assert worker.poll() is None, "the analysis finished before it could be killed"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    killed = _row(db, pk)
    assert killed["status"] == "running" and killed["progress"] == row["progress"]  # nobody can say otherwise
    time.sleep(2.5)
    sweep = subprocess.run(_cli("jobs", "sweep"), env=env, check=True, capture_output=True, text=True)
    assert "共标记 1 个任务为失败" in sweep.stdout
    failed = _row(db, pk)
    assert failed["status"] == "failed" and failed["stage"] == "已中断"
    assert "后台进程已中断" in failed["error"] and "超过 2 秒没有心跳" in failed["error"]
    with sqlite3.connect(db) as conn:
        (task_status,) = conn.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchone()
    assert task_status == "FAILED"
