"""Every main page of every role on a phone (390×844): no page is wider than the screen, the folded menu opens
and its links are reachable, the header never covers the demo banner or the page, and charts fit their card
(issue 11, item 4). On a desktop the menu is not folded."""

import re

import pytest

from county_innovation.web.demo import demo_load

PHONE = {"width": 390, "height": 844}
# Main pages of each role; "FIRST:<regex>" follows the first link on the previous page whose href matches.
PAGES = {
    "admin": [
        "/workbench/",
        "/",
        "/regions/360121/",
        "/regions/360121100/",
        "/data/",
        "/data/rounds/",
        r"FIRST:^/data/rounds/\d+/$",
        "/data/360121/2024/",
        "/evaluation/",
        "/frameworks/",
        "/enterprises/",
        "/enterprises/pool/",
        r"FIRST:^/enterprises/pool/\d+/$",
        "/enterprises/pool/flows/",
        "/designation/",
        r"FIRST:^/designation/\d+/$",
        "/designation/targets/",
        "/designation/funding/",
        "/tasks/",
        "/reports/",
        "/zones/",
    ],
    "nanchangxian": [
        "/workbench/",
        "/",
        "/regions/360121/",
        "/data/",
        "/data/360121/2024/",
        "/enterprises/",
        "/enterprises/county/360121/check/",
        "/designation/",
        "/tasks/",
    ],
    "liantang": ["/workbench/", "/regions/360121100/", "/data/", "/data/360121100/2024/"],
    "tongji": ["/workbench/", "/data/"],
    "expert": ["/workbench/", "/designation/"],
    "enterprise": ["/workbench/", "/enterprises/", r"FIRST:^/enterprises/\d+/check/$"],
}

# Elements reaching past the right edge of the screen that are not inside a box scrolling on its own.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 0.5) continue;
    let p = el.parentElement, inside = false;
    while (p && p !== document.body) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) { inside = true; break; }
      p = p.parentElement;
    }
    if (!inside) out.push(`${el.tagName.toLowerCase()}.${el.className} (right ${Math.round(r.right)})`);
  }
  return out.slice(0, 5);
}"""
CHARTS_DRAWN = (
    """() => [...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('canvas'))"""
)
# Charts whose canvas or box is wider than their card, or reaches past the screen.
CHARTS_OVERFLOWING = """() => [...document.querySelectorAll('[data-chart]')].filter((el) => {
  const box = el.getBoundingClientRect();
  const canvas = el.querySelector('canvas');
  const card = el.parentElement.getBoundingClientRect();
  return box.right > document.documentElement.clientWidth + 0.5 || box.right > card.right + 0.5
    || (canvas && canvas.getBoundingClientRect().width > box.width + 1);
}).map((el) => el.id || el.dataset.chart)"""


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/workbench/")


def _follow_first(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map((e) => e.getAttribute('href'))")
    found = [h for h in hrefs if re.search(pattern, h)]
    assert found, f"{page.url} 上没有匹配「{pattern}」的链接"
    return found[0]


def _check_layout(page, path: str) -> list[str]:
    problems = []
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{path}: 页面宽 {width}px > 390px：{page.evaluate(OVERFLOWING)}")
    header = page.locator("header.topbar").bounding_box()
    main = page.locator("main.page").bounding_box()
    if main["y"] < header["y"] + header["height"] - 0.5:
        problems.append(f"{path}: 页头遮住了正文")
    banner = page.locator("[data-testid=demo-banner]")
    if banner.count():
        box = banner.bounding_box()
        if header["y"] < box["y"] + box["height"] - 0.5:
            problems.append(f"{path}: 页头遮住了演示数据提示")
    if page.locator("[data-chart]").count():
        page.wait_for_function(CHARTS_DRAWN, timeout=15000)
        page.wait_for_timeout(300)
        wide = page.evaluate(CHARTS_OVERFLOWING)
        if wide:
            problems.append(f"{path}: 图表超出卡片或屏幕：{wide}")
    return problems


def _check_menu(page, path: str) -> list[str]:
    problems = []
    toggle = page.locator("[data-menu-toggle]")
    links = page.locator("nav.mainnav a")
    if not toggle.is_visible():
        return [f"{path}: 手机屏幕上看不到「菜单」按钮"]
    if links.first.is_visible():
        problems.append(f"{path}: 菜单未折叠")
    toggle.click()
    if toggle.get_attribute("aria-expanded") != "true":
        problems.append(f"{path}: 菜单按钮未标记为展开")
    for i in range(links.count()):
        link = links.nth(i)
        box = link.bounding_box()
        if (
            not link.is_visible()
            or box is None
            or box["x"] < 0
            or box["x"] + box["width"] > PHONE["width"] + 0.5
        ):
            problems.append(f"{path}: 菜单项「{link.inner_text()}」在屏幕外")
    if not page.locator(".userbox button.link").is_visible():
        problems.append(f"{path}: 展开菜单后看不到「退出」")
    toggle.click()
    if links.first.is_visible():
        problems.append(f"{path}: 再次点击「菜单」未收起")
    return problems


@pytest.mark.browser
def test_every_role_uses_its_main_pages_on_a_phone(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    base = live_server.url
    problems: list[str] = []
    for username, paths in PAGES.items():
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
        page = context.new_page()
        _sign_in(page, base, username)
        for path in paths:
            if path.startswith("FIRST:"):
                path = _follow_first(page, path.removeprefix("FIRST:"))
            response = page.goto(base + path)
            assert response is not None and response.status == 200, f"{username} {path}: {response.status}"
            page.wait_for_load_state("load")
            problems += [f"{username} {p}" for p in _check_layout(page, path)]
        problems += [f"{username} {p}" for p in _check_menu(page, "/workbench/")]
        # A menu link leads somewhere: the dashboard stays reachable from the menu.
        page.goto(base + "/workbench/")
        page.click("[data-menu-toggle]")
        page.click("nav.mainnav >> text=监测总览")
        page.wait_for_url(f"{base}/")
        context.close()
    assert problems == []

    # On a desktop the menu is laid out in the header, not folded.
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    _sign_in(page, base, "nanchangxian")
    assert not page.locator("[data-menu-toggle]").is_visible()
    assert page.locator("nav.mainnav >> text=监测总览").is_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
