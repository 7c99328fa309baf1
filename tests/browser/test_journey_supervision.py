"""Journey (issue #11): task supervision through the pages by the demo accounts alone.

The city breaks a key task down into a work item due at the end of 2030, names its lead department and two
supporting counties with their own deadlines (one already past, which the page makes the user confirm) →
南昌县 reports progress → the overview lists as overdue only what is overdue: the work item keeps its own
2030 deadline and is not overdue; 进贤县, late on its own deadline, is listed as a late unit.

Screenshots go to the folder named by JOURNEY_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from county_innovation.web.demo import demo_load

PASSWORD = "demo-2025"
TITLE = "建立县域创新券跨县通用机制"


def _login(browser, base: str, username: str, width: int = 1280):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    assert "/accounts/login/" not in page.url
    return page


def _shot(page, name: str) -> None:
    folder = os.environ.get("JOURNEY_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"supervision-{name}.png"), full_page=True)


def _assign(page, role: str, unit: tuple[str, str], deadline: datetime.date, confirm: bool = False) -> None:
    form = page.locator("form[action$='/assign/']")
    form.locator("select[name=role]").select_option(role)
    form.locator(f"select[name={unit[0]}]").select_option(unit[1])
    form.locator("input[name=deadline]").fill(deadline.isoformat())
    if confirm:
        form.locator("input[name=confirm_past]").check()
    form.get_by_role("button", name="添加").click()
    page.wait_for_load_state("load")


@pytest.mark.browser
def test_supervision_journey_assign_report_and_overdue(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    base = live_server.url
    today = timezone.localdate()
    end_2030 = datetime.date(2030, 12, 31)

    # 1. the city breaks 三（五） down into a work item due 2030-12-31
    admin = _login(browser, base, "admin")
    admin.goto(f"{base}/tasks/")
    admin.locator("[data-testid=task-tree] tr", has_text="三（五）").first.locator("a").first.click()
    admin.wait_for_load_state("load")
    parent_url = admin.url
    child = admin.locator("form[action$='/add/']")
    child.locator("input[name=title]").fill(TITLE)
    child.locator("textarea[name=deliverables]").fill("印发通用办法，各县（区）互认创新券。")
    child.locator("input[name=deadline]").fill(end_2030.isoformat())
    child.get_by_role("button", name="添加").click()
    admin.wait_for_load_state("load")
    admin.get_by_role("link", name=TITLE).click()
    admin.wait_for_load_state("load")
    item_url = admin.url

    # 2. a lead department, a supporting county due in two months, another whose deadline is already past
    _assign(admin, "lead", ("department", "science"), end_2030)
    _assign(admin, "support", ("region", "360121"), today + datetime.timedelta(days=60))
    assert "完成时限 2030-12-31" in admin.locator(".page-head").inner_text()
    past = today - datetime.timedelta(days=10)
    _assign(admin, "support", ("region", "360124"), past)
    assert "早于今天" in admin.content()  # asked to confirm, nothing saved yet
    assert "进贤县" not in admin.locator("table.data").first.inner_text()
    _assign(admin, "support", ("region", "360124"), past, confirm=True)
    head = admin.locator(".page-head").inner_text()
    assert "完成时限 2030-12-31" in head and "逾期" not in head  # the item's own deadline stays
    units = admin.locator("section.card", has_text="责任单位").first.inner_text()
    assert "进贤县" in units and "单位逾期" in units
    _shot(admin, "01-item-units")

    # 3. 南昌县 reports progress on its item
    county = _login(browser, base, "nanchangxian", width=390)
    county.goto(item_url)
    report = county.locator("form[action$='/report/']")
    report.locator("input[name=percent]").fill("30")
    report.locator("textarea[name=text]").fill("已起草创新券跨县通用办法，征求各县（区）意见。")
    report.get_by_role("button", name="报送").click()
    county.wait_for_load_state("load")
    assert "征求各县（区）意见" in county.get_by_test_id("reports").inner_text()
    _shot(county, "02-report-390")

    # 4. the overview: overdue lists only what is overdue
    admin.goto(f"{base}/tasks/")
    overdue = admin.get_by_test_id("overdue").inner_text()
    assert TITLE not in overdue
    assert "编制县域特色产业集群培育清单" in overdue  # the demo's item due 2025-12-31 at 60 %
    late_units = admin.get_by_test_id("overdue-units").inner_text()
    assert TITLE in late_units and f"进贤县（{past.isoformat()}）" in late_units
    row = admin.locator("[data-testid=task-tree] tr", has_text=TITLE).inner_text()
    assert "2030-12-31" in row and "30%" in row and "逾期" not in row
    _shot(admin, "03-overview")
    admin.goto(parent_url)
    assert TITLE in admin.inner_text("body")
