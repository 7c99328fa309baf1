"""Journey: the city admin makes a new framework version with a changed weight, runs the evaluation on it,
publishes it over the year's official run (confirming, with a reason) and sees the dashboard name the version.

Through the pages only after the demo load, as the demo city admin. Screenshots of the key pages go to the
folder named by JOURNEY_SCREENSHOTS when it is set (desktop, 1280 px wide).
"""

import os
from pathlib import Path

import pytest

from county_innovation.web.demo import demo_load
from tests.browser.test_dashboard import CHARTS_DRAWN, PageWatch

FRAMEWORK = "县（区）创新驱动发展评价指标体系"


def _shot(page, name: str) -> None:
    folder = os.environ.get("JOURNEY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"framework-{name}.png"), full_page=True)


def _share(page, code: str) -> str:
    return page.locator(f'tr[data-dim="{code}"] [data-share]').inner_text().strip()


@pytest.mark.browser
def test_framework_journey_new_version_evaluated_published_and_named_on_the_dashboard(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = PageWatch(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workbench/")

    # 1. The framework page: doubling 企业创新's weight moves its share in the index from 0.25 to 0.4 as typed.
    page.goto(f"{live_server.url}/frameworks/")
    with page.expect_navigation():
        page.get_by_role("link", name=FRAMEWORK).first.click()
    page.wait_for_load_state("load")  # the live share column is drawn by a deferred script
    assert "v1" in page.locator("h1").inner_text()
    assert _share(page, "enterprise") == "0.25"
    page.fill('input[name="weight_enterprise"]', "2")
    assert _share(page, "enterprise") == "0.4" and _share(page, "input") == "0.2"
    page.fill('input[name="note"]', "提高企业创新维度权重")
    _shot(page, "1-new-version")
    page.get_by_role("button", name="另存为新版本").click()
    page.wait_for_load_state()
    assert f"已创建「{FRAMEWORK} v2」" in page.locator(".messages").inner_text()
    assert "v2" in page.locator("h1").inner_text() and "提高企业创新维度权重" in page.inner_text("body")
    assert page.locator('input[name="weight_enterprise"]').input_value() == "2"

    # 2. The evaluation on version 2 for 2024, published at once: 2024 already has an official run (v1), so
    #    the page asks to confirm the replacement and for a reason.
    page.goto(f"{live_server.url}/evaluation/")
    form = page.get_by_test_id("run-form")
    form.locator("select[name=framework]").select_option(label=f"{FRAMEWORK} v2")
    form.locator("input[name=period]").fill("2024")
    form.locator("input[name=publish]").check()
    form.get_by_role("button", name="开始评价").click()
    page.wait_for_load_state()
    confirm = page.get_by_test_id("replace-confirm")
    assert "第1版" in confirm.inner_text() and "第2版" in confirm.inner_text()
    assert "指标体系第1版→第2版" in page.get_by_test_id("method-differences").inner_text()
    page.fill("#replace-reason", "采用第2版指标体系，提高企业创新维度权重")
    _shot(page, "2-confirm-replacement")
    page.get_by_role("button", name="确认替换并发布").click()
    page.wait_for_load_state()
    assert "原正式结果已标为「已被替换」" in page.locator(".messages").inner_text()
    history = page.get_by_test_id("replacement-history").inner_text()
    assert "采用第2版指标体系，提高企业创新维度权重" in history
    _shot(page, "3-run-published")

    # 3. The dashboard: what a reader checks — the version the 2024 ranking comes from, and that the rank
    #    changes against 2023 are flagged as crossing a method change.
    page.goto(f"{live_server.url}/")
    page.wait_for_function(CHARTS_DRAWN, timeout=15000)
    page.wait_for_timeout(800)  # the chart animation, before the screenshot
    assert f"{FRAMEWORK}（第2版）· 2024年度" in page.locator(".page-head .sub").first.inner_text()
    note = page.get_by_test_id("method-change-note").inner_text()
    assert "指标体系第1版→第2版" in note and "不宜直接比较" in note
    _shot(page, "4-dashboard")
    assert watch.problems == []
