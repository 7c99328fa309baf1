"""The dashboard and a county page in a real browser: the demo officer signs in, every chart is drawn, nothing
fails, and screenshots of both pages are saved to docs/screenshots/."""

from pathlib import Path

import pytest

from county_innovation.web.demo import demo_load

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# True once every chart container holds an ECharts canvas whose series carry data.
CHARTS_DRAWN = """() => {
  const els = [...document.querySelectorAll('[data-chart]')];
  return els.length > 0 && typeof echarts !== 'undefined' && els.every((el) => {
    const chart = echarts.getInstanceByDom(el);
    if (!el.querySelector('canvas') || !chart) return false;
    const series = chart.getOption().series || [];
    return series.some((s) => Array.isArray(s.data) && s.data.length > 0);
  });
}"""


class PageWatch:
    """Collects console errors, failed requests and error responses of a page."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def _failed(self, request) -> None:
        # The browser drops a still-loading tab icon when the page navigates away; that is not a failure.
        if "favicon" in request.url and request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.url} {request.failure}")


def _open_and_wait(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(CHARTS_DRAWN, timeout=15000)
    page.wait_for_timeout(800)  # let the 500 ms chart animation finish before the screenshot


@pytest.mark.browser
def test_county_officer_sees_the_dashboard_drawn_without_errors(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    watch = PageWatch(page)

    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_username", "nanchangxian")
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    _open_and_wait(page, f"{live_server.url}/")
    assert page.get_by_test_id("demo-banner").is_visible()
    assert "演示数据" in page.get_by_test_id("demo-banner").inner_text()
    assert page.locator("table[data-testid=ranking] tbody tr").count() == 9
    assert page.locator("#stack-chart canvas").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    page.click("table[data-testid=ranking] a:text('南昌县')")
    page.wait_for_url(f"{live_server.url}/regions/360121/")
    _open_and_wait(page, f"{live_server.url}/regions/360121/")
    assert page.get_by_test_id("demo-banner").is_visible()
    assert page.locator("table[data-testid=towns] tbody tr").count() == 24
    page.screenshot(path=str(SCREENSHOTS / "county.png"), full_page=True)

    assert watch.problems == []
