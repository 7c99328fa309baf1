"""Chinese fonts for the documents' charts, found the way the system finds them.

The failure these guard against: fonts-noto-cjk installed after matplotlib first ran. matplotlib's font cache
(written on its first run) then lacks the font, and every bulletin and county profile failed for good with
"未找到中文字体". Now the font files are looked up through fontconfig and the known directories, added, and the
cache rewritten; and when there is truly no font, every download answers a Chinese error, never a 500.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from docx import Document
from matplotlib import font_manager

from county_innovation.accounts.tests.api_sample import call, token_for
from county_innovation.common.actors import system
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports import charts
from county_innovation.reports.bulletin import bulletin_docx
from county_innovation.reports.models import Bulletin
from county_innovation.reports.services import bulletin_build_now, bulletin_enqueue

SRC = Path(__file__).resolve().parents[3]
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
needs_noto = pytest.mark.skipif(
    not any(NOTO_DIR.glob("*CJK*")), reason="Debian 软件包 fonts-noto-cjk 未安装（make system-deps）"
)


def _is_cjk(entry: dict | font_manager.FontEntry) -> bool:
    name = entry["name"] if isinstance(entry, dict) else entry.name
    return any(name == n for n in charts.CJK_FONT_NAMES) or "CJK" in name or "WenQuanYi" in name


def _python(code: str, mplconfig: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "MPLCONFIGDIR": str(mplconfig),
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "county_innovation.settings",
    }
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


@needs_noto
def test_a_font_installed_after_matplotlibs_cache_was_written_is_found_and_cached(tmp_path):
    mplconfig = tmp_path / "mpl"
    mplconfig.mkdir()
    # 1. matplotlib runs once and writes its font cache in a fresh config dir.
    built = _python("import matplotlib.font_manager", mplconfig)
    assert built.returncode == 0, built.stderr
    (cache,) = mplconfig.glob("fontlist-v*.json")
    # 2. The cache as it stood before fonts-noto-cjk was installed: no CJK font in it.
    data = json.loads(cache.read_text())
    data["ttflist"] = [e for e in data["ttflist"] if not _is_cjk(e)]
    cache.write_text(json.dumps(data))
    # 3. A new process (the worker after the install) draws a chart with Chinese labels.
    drawn = _python(
        "import django; django.setup()\n"
        "from county_innovation.reports import charts\n"
        "print(charts.cjk_font_name())\n"
        "png = charts.radar_chart(title='南昌县', axes=['创新投入', '企业创新', '创新环境'],"
        " series={'南昌县': [60, 70, 80]}, maximum=100)\n"
        "assert png[:4] == b'\\x89PNG'\n",
        mplconfig,
    )
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.strip() in charts.CJK_FONT_NAMES
    # 4. The cache now holds the font, so later processes find it without looking again.
    assert any(_is_cjk(e) for e in json.loads(cache.read_text())["ttflist"])


@pytest.fixture
def stale_font_cache(monkeypatch):
    """This process's matplotlib font list without any CJK font (a cache from before the install).

    Restored afterwards; the lookup's memo is cleared before and after.
    """
    original = list(font_manager.fontManager.ttflist)
    font_manager.fontManager.ttflist[:] = [e for e in original if not _is_cjk(e)]
    font_manager.fontManager._findfont_cached.cache_clear()
    charts.cjk_font_name.cache_clear()
    yield
    font_manager.fontManager.ttflist[:] = original
    font_manager.fontManager._findfont_cached.cache_clear()
    charts.cjk_font_name.cache_clear()


@pytest.fixture
def no_font_on_the_system(stale_font_cache, monkeypatch, tmp_path):
    """Nothing anywhere: fontconfig configured with no font directory, no known directory present."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    monkeypatch.setattr(charts, "KNOWN_FONT_DIRS", ())
    monkeypatch.delenv("REPORT_FONT_DIRS", raising=False)


@pytest.fixture
def run(demo):
    return EvaluationRun.objects.get(framework__code="county", period=2024, status="published")


@needs_noto
def test_the_bulletin_builds_with_a_stale_font_cache(stale_font_cache, run):
    document = Document(io.BytesIO(bulletin_docx(run)))
    assert len(document.inline_shapes) >= 1  # the charts are drawn
    assert charts.cjk_font_name() in charts.CJK_FONT_NAMES


@needs_noto
def test_without_any_font_every_document_is_a_chinese_error_then_installing_mends_it(
    no_font_on_the_system, run, client_for, users, monkeypatch
):
    county = "360121"
    # The county profile's download: a Chinese page, not a 500.
    response = client_for("city_admin").get(f"/reports/profiles/{county}/docx/")
    assert response.status_code == 409
    assert "未找到中文字体" in response.content.decode() and "fonts-noto-cjk" in response.content.decode()
    # The API: a JSON error in Chinese.
    token = token_for(users["city_admin"])
    status, body = call(Client(), "get", f"/api/reports/profiles/{county}/docx", token=token)
    assert status == 400 and "未找到中文字体" in body["detail"]
    Bulletin.objects.filter(run=run).delete()
    status, body = call(Client(), "get", f"/api/reports/runs/{run.pk}/bulletin?format=docx", token=token)
    assert status == 400 and "未找到中文字体" in body["detail"]
    # A bulletin built by the worker is stored as failed, and the reports list says so.
    rows = bulletin_enqueue(run=run, actor=system("测试"))
    built = bulletin_build_now(run_id=run.pk, version=rows[0].version, actor=system("测试"))
    assert {b.status for b in built} == {"failed"} and "未找到中文字体" in built[0].error
    page = client_for("city_admin").get("/reports/").content.decode()
    assert 'data-testid="bulletin-failed"' in page and "生成失败" in page

    # The font appears (installed now, in a directory REPORT_FONT_DIRS names): no restart needed.
    monkeypatch.setenv("REPORT_FONT_DIRS", str(NOTO_DIR))
    response = client_for("city_admin").get(f"/reports/profiles/{county}/docx/")
    assert response.status_code == 200
    assert len(Document(io.BytesIO(response.content)).inline_shapes) >= 1
