"""Migrations on a populated database: a copy of the demo database is taken back to the state before the
background-job base model, given rows written as that code wrote them, and migrated forward; each app whose
newest migration changes only the schema is rolled back one step and forward again. Nothing may be lost."""

import json
import os
import subprocess
import sys
from pathlib import Path

import county_innovation
from county_innovation.common.tests.session_file import session_database_write

SRC = Path(county_innovation.__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("migration_check.py")
# The newest migration of each of these apps only changes the schema; designation's and supervision's
# newest migrations seed reference rows, whose reversal would delete what the demo builds on.
ROUNDTRIP_APPS = ["evaluation", "reports", "collection", "indicators", "enterprises"]


def test_a_populated_database_migrates_forward_and_keeps_every_value(demo, tmp_path):
    session_database_write(tmp_path / "county_innovation.sqlite3")
    env = {**os.environ, "COUNTY_INNOVATION_VAR": str(tmp_path), "PYTHONPATH": str(SRC)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *ROUNDTRIP_APPS], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])

    latest = out["summary_latest"]
    assert latest["tables"]["indicators.DataValue"]["count"] > 1000
    assert latest["tables"]["indicators.HistoricalDataValue"]["count"] > 1000
    assert latest["tables"]["evaluation.RegionResult"]["count"] > 100

    legacy = out["legacy"]
    finished = legacy["done"]
    assert finished["status"] == "done" and finished["progress"] == "1.0" and finished["seconds"] == "1.5"
    assert (
        finished["rank_stats"] == str([{"uCode": "360121", "Nominal": 1}]) and finished["task_id"] == "t-done"
    )
    assert finished["heartbeat_at"] is None and finished["started_at"] is None
    bulletin = legacy["bulletin"]
    assert (
        bulletin["status"] == "done"
        and bulletin["content"] == "PK docx bytes"
        and bulletin["seconds"] == "2.0"
    )
    assert bulletin["progress"] == "1.0"  # the data migration: a finished version is complete
    assert legacy["stuck"]["status"] == "running"
    assert legacy["swept"]["evaluation.RobustnessAnalysis"] == 1
    assert legacy["stuck_after_sweep"]["status"] == "failed"
    assert "后台进程已中断" in legacy["stuck_after_sweep"]["error"]

    forward = out["summary_forward"]
    assert forward["tables"] == latest["tables"] and forward["sha256"] == latest["sha256"]
    for app, trip in out["roundtrips"].items():
        assert trip["changed_counts"] == [], (app, trip)
    assert set(out["roundtrips"]) == set(ROUNDTRIP_APPS)
    # The background-job migrations drop nothing when reversed: a rollback of this change keeps the data.
    assert out["roundtrips"]["evaluation"]["dropped"] == [] and out["roundtrips"]["reports"]["dropped"] == []
