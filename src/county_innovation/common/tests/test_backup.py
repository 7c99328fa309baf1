"""`county-innovation backup` / `restore`: the demo database with its history and an uploaded file go into one
archive and come back identical (counts and a hash of every value) in an empty installation; a used target,
another schema or a damaged archive is refused in Chinese. The commands run as subprocesses on real files."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import county_innovation
from county_innovation.common.backup import MANIFEST, database_summary
from county_innovation.common.tests.session_file import session_database_write

SRC = Path(county_innovation.__file__).resolve().parent.parent
SUMMARY = (
    "import json; from county_innovation.common.backup import database_summary;"
    "print(json.dumps(database_summary()))"
)


def _env(var: Path, database_url: str | None = None) -> dict[str, str]:
    env = {**os.environ, "COUNTY_INNOVATION_VAR": str(var), "PYTHONPATH": str(SRC)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "county_innovation.cli", *args], env=env, capture_output=True, text=True
    )


def _summary(env: dict[str, str]) -> dict:
    done = _cli(env, "shell", "--no-imports", "-c", SUMMARY)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def installation(demo, tmp_path):
    """The session's demo database as a file installation, with one uploaded file."""
    var = tmp_path / "source"
    (var / "media" / "materials").mkdir(parents=True)
    (var / "media" / "materials" / "申报书.pdf").write_bytes(b"%PDF-1.4 demo attachment")
    session_database_write(var / "county_innovation.sqlite3")
    return var


def test_a_backup_restores_into_an_empty_installation_with_the_same_values_and_history(
    installation, tmp_path
):
    expected = database_summary()  # the session's database, read in this process
    assert expected["tables"]["indicators.HistoricalDataValue"]["count"] > 1000
    archive = tmp_path / "backup.tar.gz"
    made = _cli(_env(installation), "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    assert "已备份到" in made.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    assert {"manifest.json", "database.sqlite3", "media/materials/申报书.pdf"} <= set(names)
    assert manifest["sha256"] == expected["sha256"] and manifest["tables"] == expected["tables"]
    assert "evaluation.0004_robustness_background_job_heartbeat" in manifest["migrations"]

    empty = tmp_path / "target"
    empty.mkdir()
    restored = _cli(_env(empty), "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "哈希一致" in restored.stdout
    after = _summary(_env(empty))
    assert after["tables"] == expected["tables"] and after["sha256"] == expected["sha256"]
    assert (empty / "media" / "materials" / "申报书.pdf").read_bytes() == b"%PDF-1.4 demo attachment"


def test_restore_refuses_an_installation_in_use(installation, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert _cli(_env(installation), "backup", "--output", str(archive)).returncode == 0
    refused = _cli(_env(installation), "restore", str(archive))
    assert refused.returncode != 0
    assert "目标安装不是空的" in refused.stderr and "用户" in refused.stderr


def test_restore_refuses_another_schema_and_a_foreign_file(installation, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert _cli(_env(installation), "backup", "--output", str(archive)).returncode == 0
    # The same archive with a manifest from a version that lacked the newest migration.
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    manifest["migrations"].remove("evaluation.0004_robustness_background_job_heartbeat")
    older = tmp_path / "older.tar.gz"
    with tarfile.open(older, "w:gz") as tar:
        for member, data in members:
            if member.name == MANIFEST:
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)
    empty = tmp_path / "target"
    empty.mkdir()
    refused = _cli(_env(empty), "restore", str(older))
    assert refused.returncode != 0 and "数据库结构与当前版本不一致" in refused.stderr
    assert "evaluation.0004_robustness_background_job_heartbeat" in refused.stderr
    foreign = tmp_path / "foreign.tar.gz"
    foreign.write_bytes(b"not a backup")
    refused = _cli(_env(empty), "restore", str(foreign))
    assert refused.returncode != 0 and "不是本平台的备份文件" in refused.stderr


POSTGRES = os.environ.get("COUNTY_INNOVATION_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def _psql(sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", f"{POSTGRES}/postgres", "-tAc", sql], capture_output=True, text=True)


@pytest.fixture
def scratch_postgres():
    """Two uniquely named scratch databases on the local PostgreSQL, dropped afterwards."""
    try:
        reachable = _psql("SELECT 1").returncode == 0
    except FileNotFoundError:
        reachable = False
    if not reachable:
        pytest.skip("PostgreSQL is not reachable at " + POSTGRES)
    names = [f"ci_backup_{os.getpid()}_source", f"ci_backup_{os.getpid()}_target"]
    for name in names:
        _psql(f"DROP DATABASE IF EXISTS {name}")
        assert _psql(f"CREATE DATABASE {name}").returncode == 0
    yield [f"{POSTGRES}/{name}" for name in names]
    for name in names:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_postgresql_backup_with_pg_dump_restores_into_a_migrated_empty_database(scratch_postgres, tmp_path):
    source_url, target_url = scratch_postgres
    source = _env(tmp_path / "source", source_url)
    target = _env(tmp_path / "target", target_url)
    for env in (source, target):
        Path(env["COUNTY_INNOVATION_VAR"]).mkdir()
        done = _cli(env, "migrate", "-v", "0")
        assert done.returncode == 0, done.stderr
    seed = (
        "from decimal import Decimal;"
        "from county_innovation.common.actors import system;"
        "from county_innovation.regions.services import regions_load;"
        "from county_innovation.indicators.services import default_frameworks_ensure;"
        "from county_innovation.indicators.models import DataValue, Indicator;"
        "from county_innovation.accounts.models import User;"
        "regions_load(actor=system('测试'), city='360100'); default_frameworks_ensure(actor=system('测试'));"
        "u = User.objects.create_user('pg_admin', password='pg-pass-2025', role='city_admin');"
        "i = Indicator.objects.filter(level='county').first();"
        "v = DataValue.objects.create(region_id='360121', indicator=i, period=2024, value=Decimal('12.50'));"
        "v.value = Decimal('13.75'); v.save()"
    )
    done = _cli(source, "shell", "--no-imports", "-c", seed)
    assert done.returncode == 0, done.stderr
    expected = _summary(source)
    assert expected["tables"]["indicators.HistoricalDataValue"]["count"] == 2
    archive = tmp_path / "pg.tar.gz"
    made = _cli(source, "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    with tarfile.open(archive) as tar:
        assert "database.pgdump" in tar.getnames()
    restored = _cli(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    after = _summary(target)
    assert after["tables"] == expected["tables"] and after["sha256"] == expected["sha256"]
    again = _cli(target, "restore", str(archive))
    assert again.returncode != 0 and "目标安装不是空的" in again.stderr
