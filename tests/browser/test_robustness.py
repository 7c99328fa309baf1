"""The robustness page in a real browser: the city admin starts an analysis, watches the progress bar while
the background worker computes it, and sees the rank intervals and sensitivity indices drawn."""

import pytest
from django.core.management import call_command

from county_innovation.evaluation.models import EvaluationRun
from county_innovation.web.demo import demo_load
from tests.browser.test_dashboard import CHARTS_DRAWN, SCREENSHOTS, PageWatch

RANK_AXIS_LABELS = """() => echarts.getInstanceByDom(document.getElementById('interval-chart'))
  .getModel().getComponent('xAxis').axis.getViewLabels().map((label) => label.formattedLabel)"""


def _start(page, live_server, run_pk: int, kind: str) -> None:
    page.goto(f"{live_server.url}/evaluation/{run_pk}/")
    page.select_option("select[name=kind]", kind)
    page.click("[data-testid=robustness-form] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/evaluation/robustness/**")
    assert "排队中" in page.get_by_test_id("robustness-progress").inner_text()


def _work_and_wait(page) -> None:
    # What `county-innovation db_worker` does in a deployment; the page polls every second and reloads.
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page.wait_for_function(CHARTS_DRAWN, timeout=20000)
    page.wait_for_timeout(800)


@pytest.mark.browser
def test_city_admin_runs_an_uncertainty_and_a_sensitivity_analysis(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    run = EvaluationRun.objects.get(framework__code="county", period=2024, status="published")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = PageWatch(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workbench/")

    _start(page, live_server, run.pk, "uncertainty")
    _work_and_wait(page)
    assert page.locator("#interval-chart canvas").count() == 1
    assert page.locator("table[data-testid=rank-stats] tbody tr").count() == 9
    # Nine counties: the rank axis labels every rank, 1 to 9 (ECharts alone skipped every other one).
    assert page.evaluate(RANK_AXIS_LABELS) == [str(r) for r in range(1, 10)]
    page.screenshot(path=str(SCREENSHOTS / "robustness.png"), full_page=True)

    _start(page, live_server, run.pk, "sensitivity")
    _work_and_wait(page)
    assert page.locator("#sensitivity-chart canvas").count() == 1
    assert page.locator("table[data-testid=sensitivity-table] tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "sensitivity.png"), full_page=True)

    assert watch.problems == []
