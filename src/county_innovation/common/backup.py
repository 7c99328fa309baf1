"""Backup and restore of an installation: the database, the uploaded files and the generated documents, as one
archive (`county-innovation backup` / `county-innovation restore`).

The archive is a tar.gz holding ``manifest.json`` (format, platform version, engine, applied migrations, per
table row count and SHA-256 of the values, one overall hash), the database (``database.sqlite3``, copied with
SQLite's online backup API, or ``database.pgdump``, pg_dump's custom format) and ``media/`` (MEDIA_ROOT).
Bulletins and attachments live in the database, so the database copy holds every document issued.

Consistency: on SQLite the manifest is computed from the copy itself; on PostgreSQL the hash is computed in
a repeatable-read transaction whose snapshot pg_dump is given (``--snapshot``), so both see one instant.
A restore goes only into an empty installation with the same migrations, and checks the hashes afterwards.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from county_innovation import __version__
from county_innovation.common.errors import DomainError

FORMAT = "county-innovation-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
# A target holding rows in these (or any history) has been used: a restore would overwrite its data.
USE_TABLES = {
    "accounts.User",
    "indicators.DataValue",
    "collection.CollectionRound",
    "evaluation.EvaluationRun",
    "enterprises.Enterprise",
    "designation.Designation",
    "reports.Bulletin",
}
PG_DUMP = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
# --clean drops the empty tables `migrate` made in the target; one transaction: all restored or nothing.
PG_RESTORE = ["pg_restore", "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction"]


# --- what a database holds: counts and a hash of every value -------------------------------------------------


def _canonical(value: object) -> object:
    """One spelling per value, whatever the database driver returned (so SQLite and PostgreSQL agree)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview | bytearray):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def _models() -> list:
    return sorted(
        (m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy and m._meta.managed),
        key=lambda m: m._meta.label,
    )


def database_summary(alias: str = "default") -> dict:
    """Row count and SHA-256 of the values of every table (history included), and the applied migrations."""
    tables = {}
    overall = hashlib.sha256()
    existing = set(connections[alias].introspection.table_names())
    for model in _models():
        if model._meta.db_table not in existing:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        rows = model._base_manager.using(alias).order_by("pk").values_list(*fields)
        for row in rows.iterator(chunk_size=2000):
            digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False).encode())
            digest.update(b"\n")
            count += 1
        tables[model._meta.label] = {"count": count, "sha256": digest.hexdigest()}
        overall.update(f"{model._meta.label}:{count}:{digest.hexdigest()}\n".encode())
    return {"migrations": applied_migrations(alias), "tables": tables, "sha256": overall.hexdigest()}


def applied_migrations(alias: str = "default") -> list[str]:
    if "django_migrations" not in connections[alias].introspection.table_names():
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


def code_migrations() -> list[str]:
    """The migrations this version of the platform defines (what a restored database must have applied)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{app}.{name}" for app, name in loader.disk_migrations)


def user_data_tables(alias: str = "default") -> list[str]:
    """Tables of the target holding what only use produces: accounts, any history, values, rounds, runs.

    Reference rows that migrations seed (score sheets, targets, the supervised task list) and the region
    tree (`regions load`) are part of a fresh installation and are replaced by the restore.
    """
    existing = set(connections[alias].introspection.table_names())
    full = []
    for model in _models():
        if model._meta.db_table not in existing:
            continue
        if not (model._meta.label in USE_TABLES or model._meta.model_name.startswith("historical")):
            continue
        if model._base_manager.using(alias).exists():
            full.append(f"{model._meta.verbose_name}（{model._meta.label}）")
    return full


# --- backup ----------------------------------------------------------------------------------------------------


@dataclass
class BackupReport:
    path: Path
    manifest: dict


def _vendor(alias: str = "default") -> str:
    return connections[alias].vendor


@contextmanager
def _sqlite_alias(path: Path) -> Iterator[str]:
    """A temporary database alias onto a SQLite file, for reading the copy through the models."""
    alias = f"backup_{uuid.uuid4().hex[:8]}"
    config = dict(connections.settings["default"])
    config.update(NAME=str(path), OPTIONS={"timeout": 20}, CONN_MAX_AGE=0)
    connections.settings[alias] = config
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def _pg_env(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    db = connections[alias].settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise DomainError(
            f"找不到 {command[0]}：{what}需要 PostgreSQL 客户端工具（Debian 包 postgresql-client）。"
        ) from None
    if done.returncode != 0:
        raise DomainError(f"{what}失败：{done.stderr.strip()[-500:]}")


def backup_create(*, output: Path | None = None) -> BackupReport:
    """Write one archive of the database, MEDIA_ROOT and a manifest; return its path and the manifest."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    output = Path(output or Path(settings.VAR_DIR) / "backups" / f"county-innovation-{stamp}.tar.gz")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ci-backup-") as tmp:
        tmp = Path(tmp)
        vendor = _vendor()
        if vendor == "sqlite":
            database = tmp / SQLITE_FILE
            source = sqlite3.connect(str(connections["default"].settings_dict["NAME"]), timeout=20)
            target = sqlite3.connect(database)
            try:
                source.backup(target)  # the online backup API: a consistent copy while others write
            finally:
                target.close()
                source.close()
            with _sqlite_alias(database) as alias:
                summary = database_summary(alias)
        elif vendor == "postgresql":
            database = tmp / PG_FILE
            args, env = _pg_env()
            with transaction.atomic():
                with connections["default"].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cursor.execute("SELECT pg_export_snapshot()")
                    (snapshot,) = cursor.fetchone()
                _run(
                    [*PG_DUMP, f"--snapshot={snapshot}", "--file", str(database), *args],
                    env,
                    "导出数据库（pg_dump）",
                )
                summary = database_summary()
        else:
            raise DomainError(f"不支持备份 {vendor} 数据库：仅支持 SQLite 与 PostgreSQL。")
        manifest = {
            "format": FORMAT,
            "platform_version": __version__,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "database_file": database.name,
            **summary,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(tmp / MANIFEST, arcname=MANIFEST)
            archive.add(database, arcname=database.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, arcname="media")
        partial.replace(output)  # never a half-written archive under the final name
    return BackupReport(path=output, manifest=manifest)


# --- restore ---------------------------------------------------------------------------------------------------


def backup_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.loads(member.read().decode("utf-8")) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError):
        raise DomainError(f"「{path}」不是本平台的备份文件（无法读取 {MANIFEST}）。") from None
    if not manifest or manifest.get("format") != FORMAT:
        raise DomainError(f"「{path}」不是本平台的备份文件，或格式版本不符（应为 {FORMAT}）。")
    return manifest


def restore_check(manifest: dict) -> None:
    """Refuse, in Chinese, a target that holds data, another database engine, or another schema."""
    vendor = _vendor()
    if manifest["database"] != vendor:
        raise DomainError(
            f"备份来自 {manifest['database']} 数据库，当前安装使用 {vendor}：只能恢复到同类数据库。"
        )
    expected = code_migrations()
    backed = sorted(manifest["migrations"])
    if backed != expected:
        missing = sorted(set(expected) - set(backed))
        extra = sorted(set(backed) - set(expected))
        detail = "；".join(
            part
            for part in (
                f"备份缺少本版本的迁移 {', '.join(missing[:5])}" if missing else "",
                f"备份含有本版本没有的迁移 {', '.join(extra[:5])}" if extra else "",
            )
            if part
        )
        raise DomainError(
            f"备份的数据库结构与当前版本不一致（{detail}）。请用与备份相同的平台版本"
            f"（{manifest.get('platform_version', '未知')}）恢复，再升级并执行 migrate。"
        )
    applied = applied_migrations()
    if applied and applied != expected:
        raise DomainError(
            "目标数据库的迁移状态与当前版本不一致：请先执行 county-innovation migrate，或使用全新的空数据库。"
        )
    full = user_data_tables()
    if full:
        raise DomainError(
            f"目标安装不是空的：{', '.join(full[:5])}{' 等' if len(full) > 5 else ''}已有数据。"
            "恢复只能在全新的空安装中进行，以免覆盖现有数据；请新建数据库（和 MEDIA 目录）后再恢复。"
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise DomainError(f"目标安装的上传文件目录「{media}」不是空的：请使用空目录后再恢复。")


def backup_restore(*, path: Path) -> dict:
    """Restore an archive into this (empty) installation; return the manifest after checking the hashes."""
    path = Path(path)
    manifest = backup_manifest(path)
    restore_check(manifest)
    with tempfile.TemporaryDirectory(prefix="ci-restore-") as tmp:
        tmp = Path(tmp)
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(tmp, filter="data")  # refuses absolute paths and "..", links outside
        database = tmp / manifest["database_file"]
        if manifest["database"] == "sqlite":
            connections["default"].close()
            source = sqlite3.connect(database)
            target = sqlite3.connect(str(connections["default"].settings_dict["NAME"]), timeout=20)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            args, env = _pg_env()
            connections["default"].close()
            _run(
                [*PG_RESTORE, *args, str(database)],
                env,
                "恢复数据库（pg_restore）",
            )
        if (tmp / "media").is_dir():
            shutil.copytree(tmp / "media", settings.MEDIA_ROOT, dirs_exist_ok=True)
    connections["default"].close()
    restored = database_summary()
    differing = [
        label for label, table in manifest["tables"].items() if restored["tables"].get(label) != table
    ]
    if differing or restored["sha256"] != manifest["sha256"]:
        raise DomainError(
            f"恢复后的数据与备份清单不一致（{', '.join(differing[:5]) or '总哈希'}）：备份文件可能已损坏，"
            "请勿使用该安装，换用另一份备份重新恢复。"
        )
    return manifest
