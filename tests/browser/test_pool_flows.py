"""The cultivation pool's movement between tiers in a real browser: the city admin goes from the enterprise list
to the pool and its flows page, the Sankey chart is drawn by ECharts from the demo's selection rounds under the
content security policy, nothing fails, and a screenshot is saved to docs/screenshots/pool-flows.png."""

import pytest

from county_innovation.web.demo import demo_load
from tests.browser.test_dashboard import SCREENSHOTS, PageWatch

VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""
# True once the chart holds an ECharts canvas (or svg) and a sankey series with nodes and links.
SANKEY_DRAWN = """() => {
  const el = document.querySelector('#sankey-chart');
  if (!el || typeof echarts === 'undefined') return false;
  const chart = echarts.getInstanceByDom(el);
  if (!chart || !(el.querySelector('canvas') || el.querySelector('svg'))) return false;
  const series = (chart.getOption().series || []).filter((s) => s.type === 'sankey');
  return series.length === 1 && series[0].data.length > 0 && series[0].links.length > 0;
}"""
# Every drawn element of the chart (nodes, links, labels) inside the chart's own box: nothing runs off the card.
SANKEY_OUTSIDE = """() => {
  const chart = echarts.getInstanceByDom(document.querySelector('#sankey-chart'));
  const width = chart.getWidth(), height = chart.getHeight();
  const outside = [];
  chart.getZr().storage.getDisplayList().forEach((shape) => {
    const r = shape.getBoundingRect().clone();
    if (shape.transform) r.applyTransform(shape.transform);
    if (r.width === 0 && r.height === 0) return;
    if (r.x < -0.5 || r.y < -0.5 || r.x + r.width > width + 0.5 || r.y + r.height > height + 0.5) {
      outside.push(`${shape.type} x ${Math.round(r.x)}–${Math.round(r.x + r.width)} of ${width}: ${shape.style.text || ''}`);
    }
  });
  return outside;
}"""
SANKEY_SIZE = """() => {
  const s = echarts.getInstanceByDom(document.querySelector('#sankey-chart')).getOption().series[0];
  return [s.data.length, s.links.length];
}"""


@pytest.mark.browser
def test_city_admin_sees_the_pool_flows_sankey_drawn_without_errors(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    from county_innovation.enterprises.charts import sankey_payload

    expected = sankey_payload(None)
    assert len({n["year"] for n in expected["nodes"]}) >= 2 and expected["links"], "the demo has no flows"

    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page.add_init_script(VIOLATION_LISTENER)
    watch = PageWatch(page)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/workbench/")

    page.goto(f"{base}/enterprises/")
    page.click("[data-testid=enterprise-tools] >> text=培育库")
    page.wait_for_url(f"{base}/enterprises/pool/")
    page.click("text=梯队流动（桑基图）")
    page.wait_for_url(f"{base}/enterprises/pool/flows/")
    page.wait_for_function(SANKEY_DRAWN, timeout=15000)
    page.wait_for_timeout(1200)  # let the chart animation finish before the screenshot

    assert page.locator("#sankey-chart canvas, #sankey-chart svg").count() >= 1
    assert page.evaluate(SANKEY_SIZE) == [len(expected["nodes"]), len(expected["links"])]
    assert page.evaluate(SANKEY_OUTSIDE) == []  # the last year's labels used to run off the card
    assert page.locator("table[data-testid=flow-table] tbody tr").count() == len(expected["links"])
    assert page.get_by_test_id("demo-banner").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "pool-flows.png"), full_page=True)

    violations = page.evaluate("window.__cspViolations || []")
    assert watch.problems + [f"CSP {v}" for v in violations] == []

    # On a phone the chart is rebuilt for its width and still fits.
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(1200)
    assert page.evaluate("echarts.getInstanceByDom(document.querySelector('#sankey-chart')).getWidth()") < 390
    assert page.evaluate(SANKEY_OUTSIDE) == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
