"""The designation and supervision pages in a real browser: charts drawn under the content security policy,
no console error, no violation."""

import os

import pytest

from county_innovation.common.actors import system
from county_innovation.web.demo import demo_load

VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""
ALL_CHARTS_DRAWN = (
    "() => [...document.querySelectorAll('[data-chart]')].every(el => el.querySelector('canvas'))"
)


@pytest.mark.browser
def test_designation_and_task_pages_draw_their_charts_without_violations(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    from county_innovation.designation import services
    from county_innovation.designation.models import Designation
    from county_innovation.designation.tests.factory import CHECKLIST_OK

    pending = Designation.objects.get(region_id="360124101", status="recommended")
    services.formal_check(designation=pending, actor=system("测试"), checklist=CHECKLIST_OK)
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    problems: list[str] = []
    page.add_init_script(VIOLATION_LISTENER)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/workbench/")
    shots = os.environ.get("DESIGNATION_SCREENSHOTS")  # a folder, to look at the pages by eye
    for name, path, charts in [
        ("targets", "/designation/targets/", 2),
        ("detail", f"/designation/{pending.pk}/", 2),
        ("list", "/designation/", 0),
        ("tasks", "/tasks/", 0),
    ]:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        if charts:
            assert page.locator("[data-chart]").count() == charts, path
            page.wait_for_function(ALL_CHARTS_DRAWN, timeout=15000)
        assert page.get_by_test_id("demo-banner").is_visible()
        problems += [f"{path}: CSP {v}" for v in page.evaluate("window.__cspViolations || []")]
        if shots:
            page.wait_for_timeout(1200)  # chart animations
            page.screenshot(path=os.path.join(shots, f"{name}.png"), full_page=True)
    assert problems == []
