"""The content security policy in a real browser: the main pages (dashboard, county page, data entry, the
enterprise pool, the API docs, the admin) load under the enforced policy with no violation and no console
error, and the confirmation dialog that replaced an inline onclick still asks before a round is closed."""

import pytest

from county_innovation.web.demo import demo_load

# Registered before any page script runs; collects every violation the browser reports.
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} ` +
                              `(${e.sourceFile || ''}:${e.lineNumber || ''}) ${e.sample || ''}`);
});
"""


# True when the chart element holds a visible ECharts tooltip (a div with text beside the canvas).
TOOLTIP_SHOWN = """(el) => [...el.querySelectorAll('div')].some(
  (d) => !d.querySelector('canvas') && d.innerText.trim() && getComputedStyle(d).display !== 'none'
    && getComputedStyle(d).opacity !== '0' && getComputedStyle(d).visibility !== 'hidden')"""


class Watch:
    """Console errors, page errors and CSP violations of one page."""

    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(VIOLATION_LISTENER)
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, f"{url}: HTTP {response and response.status}"
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), url
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(300)  # deferred scripts and charts run after load
        self.collect(url)

    def collect(self, url: str) -> None:
        violations = self.page.evaluate("window.__cspViolations || []")
        self.problems += [f"{url}: CSP {v}" for v in violations]


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/workbench/")


@pytest.mark.browser
def test_main_pages_load_under_the_policy_without_violations(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    from county_innovation.enterprises.models import CultivationRound

    open_round = CultivationRound.objects.order_by("-year").first()
    assert open_round is not None and open_round.is_open
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    base = live_server.url
    _sign_in(page, base, "admin")

    for path in [
        "/",
        "/regions/360121/",
        "/data/",
        "/data/360121/2024/",
        "/enterprises/pool/",
        f"/enterprises/pool/{open_round.year}/",
        "/enterprises/pool/flows/",
        "/api/docs",
    ]:
        watch.visit(base + path)

    # Charts are drawn: echarts ran under script-src 'self'.
    page.goto(base + "/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(el => el.querySelector('canvas'))",
        timeout=15000,
    )
    # Tooltips (HTML with style attributes, built by ECharts) appear without a violation.
    shown = 0
    for chart in page.locator("[data-chart]").all():
        box = chart.bounding_box()
        for fx, fy in [(0.5, 0.5), (0.3, 0.5), (0.6, 0.4), (0.5, 0.7)]:
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(250)
            if chart.evaluate(TOOLTIP_SHOWN):
                shown += 1
                break
    assert shown > 0, "no chart showed a tooltip"
    watch.collect(base + "/ (tooltips)")

    # The confirmation that replaced onclick="return confirm(…)": dismissing it keeps the round open.
    page.goto(f"{base}/enterprises/pool/{open_round.year}/")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("button[data-confirm]")
    page.wait_for_timeout(300)
    assert asked == ["关闭后名单冻结，不能再调整。确定关闭？"]
    open_round.refresh_from_db()
    assert open_round.is_open
    watch.collect(base + "/enterprises/pool/ (confirm)")

    assert watch.problems == []


@pytest.mark.browser
def test_admin_works_under_the_policy(demo_restored_afterwards, transactional_db, live_server, browser):
    from county_innovation.accounts.models import User

    User.objects.create_superuser("csp_admin", password="csp-check-2025", role="city_admin")
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    watch = Watch(page)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "csp_admin")
    page.fill("#id_password", "csp-check-2025")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    watch.collect(base + "/admin/")
    watch.visit(f"{base}/admin/accounts/user/")
    # The admin's own scripts run: the action checkbox toggles all rows.
    page.click("#action-toggle")
    assert page.locator("input.action-select:checked").count() > 0
    watch.visit(f"{base}/admin/accounts/user/add/")
    assert watch.problems == []
