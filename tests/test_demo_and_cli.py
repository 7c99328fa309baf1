"""The demo command and the console script, as a new user runs them."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from county_innovation.accounts.models import User
from county_innovation.common.models import DemoDataset
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.indicators.models import DataValue
from county_innovation.regions.models import Region

ROOT = Path(__file__).resolve().parent.parent


def test_demo_no_serve_builds_everything_and_prints_the_accounts(no_demo):
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "nanchangxian" in text and "demo-2025" in text and "演示数据" in text
    assert DemoDataset.objects.count() == 1
    assert Region.objects.filter(level="county", code__startswith="3601").count() == 9
    assert set(DataValue.objects.values_list("period", flat=True)) == {2020, 2021, 2022, 2023, 2024}
    # every county and town has data, some values are missing on purpose
    assert DataValue.objects.values("region").distinct().count() == 9 + 139
    assert DataValue.objects.filter(indicator__origin="reported").count() < (9 * 15 + 139 * 8) * 5
    # the enterprise registry's counts are published for every demo year, and every demo year's round is locked
    assert DataValue.objects.filter(indicator__origin="registry", period=2024).exists()
    assert set(DataValue.objects.values_list("status", flat=True)) == {"locked"}
    assert EvaluationRun.objects.filter(status="published").count() == 10
    for username in ("admin", "tongji", "nanchangxian", "liantang", "expert", "enterprise"):
        assert User.objects.get(username=username).check_password("demo-2025")


def test_demo_values_have_plausible_magnitudes(demo):
    def values(code):
        return [
            float(v) for v in DataValue.objects.filter(indicator__code=code).values_list("value", flat=True)
        ]

    assert all(0 <= v <= 100 for v in values("fiscal_st_share"))
    assert all(v == int(v) and v >= 0 for v in values("hightech_enterprises"))
    assert 0.1 < min(values("energy_per_gdp")) and max(values("energy_per_gdp")) < 1.0


def test_demo_is_reproducible(no_demo):
    call_command("demo", "--no-serve", stdout=StringIO())
    first = sorted(DataValue.objects.values_list("region_id", "period", "indicator__code", "value"))
    call_command("demo", "--no-serve", stdout=StringIO())
    assert sorted(DataValue.objects.values_list("region_id", "period", "indicator__code", "value")) == first


def test_demo_refuses_a_database_with_real_data(no_demo, users):
    from county_innovation.indicators.models import Indicator

    DataValue.objects.create(
        region_id="360121",
        period=2024,
        indicator=Indicator.objects.get(code="tech_smes"),
        value=5,
        channel=DataValue.Channel.FORM,
    )
    with pytest.raises(Exception, match="已有真实填报数据"):
        call_command("demo", "--no-serve", stdout=StringIO())


def test_console_script_loads_regions_into_a_fresh_database(tmp_path):
    env = {
        **os.environ,
        "COUNTY_INNOVATION_VAR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "county_innovation.settings",
    }
    env.pop("DATABASE_URL", None)
    script = [sys.executable, "-m", "county_innovation.cli"]
    subprocess.run([*script, "migrate", "-v0"], env=env, check=True, cwd=ROOT, capture_output=True)
    done = subprocess.run(
        [*script, "regions", "load"], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    assert "县级 9" in done.stdout and "乡级 139" in done.stdout
    bad = subprocess.run(
        [*script, "regions", "load", "--city", "3601"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert bad.returncode != 0 and "城市代码「3601」无效" in bad.stderr


def test_production_settings_pass_the_deployment_check(tmp_path):
    env = {
        **os.environ,
        "COUNTY_INNOVATION_VAR": str(tmp_path),
        "DJANGO_HTTPS": "true",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-from-the-environment-" + "y" * 20,
    }
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "county_innovation.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout
