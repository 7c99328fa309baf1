"""Security settings of the platform (issue 4, item 8): the content security policy on pages and the API,
no inline script in any template, upload size and type limits, SQLite in WAL mode with immediate
transactions under concurrent writers, session cookies, password validation and the production settings."""

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from county_innovation.accounts.tests.api_sample import token_for
from county_innovation.collection.models import ImportBatch
from county_innovation.common import uploads
from county_innovation.enterprises.models import Enterprise
from county_innovation.indicators.models import DataValue

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "county_innovation"
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1024)  # the header of an Excel 97-2003 .xls


# --- content security policy ------------------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def _assert_strict(policy: dict[str, list[str]]) -> None:
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["style-src-elem"] == ["'self'"]  # no <style> elements, no foreign stylesheets
    assert not any("'unsafe-eval'" in sources for sources in policy.values())


def test_pages_carry_the_content_security_policy(client_for):
    _assert_strict(_policy(Client().get(reverse("accounts:login"))))
    client = client_for("county")
    for url in ["/", "/regions/360121/", reverse("collection:entry"), "/api/docs"]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_strict(_policy(response))


def test_api_answers_carry_the_content_security_policy(users):
    response = Client().get(
        "/api/regions/", headers={"Authorization": f"Bearer {token_for(users['county'])}"}
    )
    assert response.status_code == 200
    _assert_strict(_policy(response))
    assert Client().get("/api/regions/").headers["Content-Security-Policy"]  # refusals too (401)


TEMPLATE_RULES = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "内联 <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* 事件属性"),
    (re.compile(r"\bhx-on\b|\bhx-on:|\bdata-hx-on", re.I), "hx-on"),
    (re.compile(r"javascript:", re.I), "javascript: 链接"),
    (re.compile(r"<style\b", re.I), "<style> 元素"),
]


def test_no_template_has_inline_script_or_style_elements():
    """The policy refuses them, so the browser would silently drop them: every template is checked."""
    found = []
    for template in sorted(SRC.rglob("templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)  # template comments may mention them
        for pattern, what in TEMPLATE_RULES:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(SRC)}:{line} {what}")
    assert not found, "CSP 不允许：\n" + "\n".join(found)


def test_htmx_neither_injects_styles_nor_evaluates(client_for):
    page = client_for("county").get("/").content.decode()
    assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page


# --- upload limits ----------------------------------------------------------------------------------------


def _xlsx() -> bytes:
    from io import BytesIO

    out = BytesIO()
    Workbook().save(out)
    return out.getvalue()


def test_upload_check_names_the_size_and_the_limit():
    with pytest.raises(uploads.UploadRefused, match=r"文件大小 60\.0 MB，超过上限 20 MB"):
        uploads.content_check(bytes(60 * 1024 * 1024), kinds=[uploads.XLSX])


def test_upload_check_refuses_a_renamed_xls_and_tells_how_to_save_as_xlsx():
    with pytest.raises(uploads.UploadRefused, match="另存为") as refused:
        uploads.upload_check(SimpleUploadedFile("数据.xlsx", OLE2), kinds=[uploads.XLSX])
    assert "97-2003" in refused.value.message and ".xlsx" in refused.value.message


@pytest.mark.parametrize(
    ("content", "kinds", "kind"),
    [
        ("区划代码,值\n360121,1\n".encode("gbk"), [uploads.CSV], uploads.CSV),
        ("\ufeff区划代码,值\n360121,1\n".encode(), [uploads.CSV], uploads.CSV),
        (b'{"values": []}', [uploads.JSON], uploads.JSON),
        (b'{"values": []}', [uploads.CSV, uploads.JSON], uploads.JSON),
    ],
)
def test_upload_check_accepts_text_files_by_content(content, kinds, kind):
    assert uploads.content_check(content, kinds=kinds) == kind


@pytest.mark.parametrize(
    ("content", "kinds", "message"),
    [
        (b"%PDF-1.7\n", [uploads.CSV], "上传的是 PDF 文件（.pdf），不是 CSV"),
        (b"PK\x03\x04" + bytes(100), [uploads.XLSX], "无法读取该文件"),
        (OLE2, [uploads.CSV], "97-2003"),
        (b"\x00\x01\x02binary", [uploads.JSON], "只能上传 JSON"),
        (b"a,b\n1,2\n", [uploads.JSON], "上传的是 CSV 文本文件（.csv），不是 JSON"),
        (b"", [uploads.CSV], "是空的（0 字节）"),
    ],
)
def test_upload_check_refuses_what_the_content_is_not(content, kinds, message):
    with pytest.raises(uploads.UploadRefused, match=re.escape(message)):
        uploads.content_check(content, kinds=kinds)


def test_upload_check_reads_only_the_head_of_a_big_text_file():
    class Counting(SimpleUploadedFile):
        read_bytes = 0

        def read(self, size=-1):
            data = super().read(size)
            Counting.read_bytes += len(data)
            return data

    big = Counting("大.csv", b"a,b\n" + b"1,2\n" * (2 * 1024 * 1024))
    assert uploads.upload_check(big, kinds=[uploads.CSV]) == uploads.CSV
    assert Counting.read_bytes <= uploads.SNIFF_BYTES


def test_a_60_mb_upload_is_refused_with_413_before_it_is_read(client_for):
    client = client_for("county")
    before = DataValue.objects.count()
    body = {"file": SimpleUploadedFile("大.xlsx", bytes(60 * 1024 * 1024))}
    response = client.post(reverse("collection:import", args=["town", 2025]), body)
    assert response.status_code == 413
    page = response.content.decode()
    assert "上传内容大小 60.0 MB，超过上限 20 MB" in page
    assert not ImportBatch.objects.exists() and DataValue.objects.count() == before


def test_a_60_mb_api_body_gets_413_as_json(users):
    response = Client().put(
        "/api/data/360121/2025",
        data=b"{" + b" " * (60 * 1024 * 1024) + b"}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(users['county'])}"},
    )
    assert response.status_code == 413
    assert "超过上限 20 MB" in response.json()["detail"]


def test_a_file_just_over_the_limit_gets_the_forms_message(client_for, settings):
    settings.COUNTY_INNOVATION_UPLOAD_MAX_MB = 1
    client = client_for("county")
    content = _xlsx() + bytes(1_600_000)  # a zip with trailing bytes: still read as the workbook it holds
    response = client.post(
        reverse("collection:import", args=["town", 2025]), {"file": SimpleUploadedFile("大.xlsx", content)}
    )
    assert response.status_code == 200
    assert "文件大小 1.5 MB，超过上限 1 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_collection_import_refuses_an_xls_renamed_xlsx_and_writes_nothing(client_for):
    client = client_for("county")
    before = DataValue.objects.count()
    response = client.post(
        reverse("collection:import", args=["town", 2025]), {"file": SimpleUploadedFile("数据.xlsx", OLE2)}
    )
    page = response.content.decode()
    assert "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中「另存为」.xlsx 后再上传" in page
    assert not ImportBatch.objects.exists() and DataValue.objects.count() == before


def test_enterprise_import_refuses_an_xls_renamed_xlsx_and_writes_nothing(client_for):
    client = client_for("county")
    before = Enterprise.objects.count()
    response = client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile("企业.xlsx", OLE2)})
    assert response.status_code == 400
    assert "另存为" in response.content.decode()
    assert Enterprise.objects.count() == before


def test_enterprise_import_refuses_a_60_mb_file(client_for):
    before = Enterprise.objects.count()
    response = client_for("county").post(
        reverse("enterprises:import"), {"file": SimpleUploadedFile("企业.xlsx", bytes(60 * 1024 * 1024))}
    )
    assert response.status_code == 413 and "超过上限 20 MB" in response.content.decode()
    assert Enterprise.objects.count() == before


# --- SQLite: WAL, busy timeout, immediate transactions ----------------------------------------------------


def _sqlite(path: Path, options: dict) -> DatabaseWrapper:
    return DatabaseWrapper(
        {
            **connections["default"].settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": options,
            "TEST": {},
        },
        alias="wal_check",
    )


def _writers(path: Path, options: dict, *, hold: float = 0.3) -> list[str]:
    """Two threads, each reading then writing in one transaction while the other does the same."""
    errors: list[str] = []
    barrier = threading.Barrier(2, timeout=10)

    def work(n: int) -> None:
        connection = _sqlite(path, options)
        connections["wal_check"] = connection
        try:
            with transaction.atomic(using="wal_check"):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM item")
                    if options.get("transaction_mode") != "IMMEDIATE":
                        barrier.wait()  # both hold a read snapshot before either writes
                    cursor.execute("INSERT INTO item (n) VALUES (%s)", [n])
                    time.sleep(hold)
        except Exception as error:  # collected and asserted on by the caller
            errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


@pytest.fixture
def item_db(tmp_path, django_db_blocker):
    path = tmp_path / "wal.sqlite3"
    with django_db_blocker.unblock():
        setup = _sqlite(path, settings.SQLITE_OPTIONS)
        with setup.cursor() as cursor:
            cursor.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, n INTEGER)")
        setup.close()
        yield path


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(item_db, django_db_blocker):
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert settings.DATABASES["default"]["OPTIONS"] == settings.SQLITE_OPTIONS
    assert settings.SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    assert settings.SQLITE_OPTIONS["timeout"] >= 5
    with django_db_blocker.unblock():
        connection = _sqlite(item_db, settings.SQLITE_OPTIONS)
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20000
        connection.close()


def test_two_concurrent_writers_both_succeed(item_db, django_db_blocker):
    with django_db_blocker.unblock():
        assert _writers(item_db, settings.SQLITE_OPTIONS) == []
        connection = _sqlite(item_db, settings.SQLITE_OPTIONS)
        with connection.cursor() as cursor:
            assert cursor.execute("SELECT COUNT(*) FROM item").fetchone()[0] == 2
        connection.close()


def test_without_immediate_transactions_the_same_writers_see_database_is_locked(item_db, django_db_blocker):
    """The control: what the setting prevents (a stale read snapshot cannot be upgraded to a write)."""
    deferred = {**settings.SQLITE_OPTIONS, "transaction_mode": "DEFERRED"}
    with django_db_blocker.unblock():
        errors = _writers(item_db, deferred)
    assert errors and all("database is locked" in e for e in errors)


# --- sessions, passwords, production settings -----------------------------------------------------------


def test_session_cookie_is_http_only_same_site_lax_and_expires_within_a_working_day(users):
    client = Client()
    users["county"].set_password("a-long-pass-2025")
    users["county"].save()
    response = client.post(
        reverse("accounts:login"), {"username": users["county"].username, "password": "a-long-pass-2025"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert 0 < int(cookie["max-age"]) <= 8 * 60 * 60


@pytest.mark.parametrize("password", ["12345678", "password", "短"])
def test_weak_passwords_are_refused(password, users):
    with pytest.raises(ValidationError):
        validate_password(password, users["county"])


def _production_env(tmp_path, **extra) -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG"}
    }
    return {**env, "COUNTY_INNOVATION_VAR": str(tmp_path), "DJANGO_HTTPS": "true", **extra}


SECRET = "x" * 20 + "-production-secret-from-the-environment-" + "y" * 20


def test_production_settings_pass_the_deployment_check_with_the_policy_on(tmp_path):
    env = _production_env(tmp_path, DJANGO_SECRET_KEY=SECRET)
    done = subprocess.run(
        [sys.executable, "-m", "county_innovation.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, "
        f"len(s.AUTH_PASSWORD_VALIDATORS) >= 3, s.SECRET_KEY == {SECRET!r})"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "DJANGO_SETTINGS_MODULE": "county_innovation.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert shown.stdout.split() == ["False"] + ["True"] * 8, shown.stderr
    assert not (tmp_path / "secret_key").exists()  # the secret came from the environment only


def test_production_refuses_to_start_without_a_secret_key_from_the_environment(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "county_innovation.cli", "check"],
        env=_production_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr and "拒绝启动" in done.stderr
    assert not (tmp_path / "secret_key").exists()
