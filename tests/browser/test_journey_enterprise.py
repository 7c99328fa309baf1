"""The enterprise journey through the pages only (issue 11): the enterprise's self-check fails on its figures, it
fixes them and passes; the county officer runs the batch check and reads each missed qualification's first failed
condition; the city admin puts the enterprise into key cultivation and closes the year's pool round.

Demo accounts `enterprise`, `nanchangxian`, `admin` (password demo-2025). With JOURNEY_SCREENSHOTS set, key pages
are saved there at 1280 px and at 390 px.
"""

import os
import re
from pathlib import Path

import pytest

from county_innovation.web.demo import demo_load

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _shots(page, name: str) -> None:
    folder = os.environ.get("JOURNEY_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"enterprise-{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(400)
    page.screenshot(path=str(Path(folder) / f"enterprise-{name}-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(200)


def _sign_in(browser, base: str, username: str):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/workbench/")
    return context, page


def _save_year(page, employees: str) -> None:
    """On the enterprise page: open the latest year's figures, change the staff count, save."""
    hrefs = page.eval_on_selector_all(
        "table a[href*='/years/']", "els => els.map((e) => e.getAttribute('href'))"
    )
    latest = max(hrefs, key=lambda h: int(h.rstrip("/").rsplit("/", 1)[-1]))
    page.click(f"table a[href='{latest}']")
    page.wait_for_url(re.compile(r"/years/\d+/$"))
    page.fill("#id_employees", employees)
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
    assert page.locator(".messages .msg-success").count() == 1, page.locator(".messages").inner_text()


@pytest.mark.browser
def test_enterprise_fixes_its_figures_county_checks_city_runs_the_pool(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    base = live_server.url

    # 1. The enterprise: its workbench lists it; figures that fail (600 staff > 500), fix (491), pass.
    context, page = _sign_in(browser, base, "enterprise")
    _shots(page, "workbench")
    name = page.locator("[data-testid=wb-enterprises] li a").first.inner_text()
    page.locator("[data-testid=wb-enterprises] li a").first.click()
    _save_year(page, "600")
    page.click("a.btn:has-text('资格自测')")
    verdict = page.get_by_test_id("tech-sme-verdict")
    assert verdict.inner_text().startswith("暂不符合，原因：第六条（二）：职工总数 600 人，超过 500 人的上限")
    assert page.locator("[data-testid=tech-sme] h2").inner_text().endswith("暂不符合")
    _shots(page, "self-check-fails")
    page.go_back()
    page.wait_for_url(re.compile(r"/enterprises/\d+/$"))
    _save_year(page, "491")
    page.click("a.btn:has-text('资格自测')")
    assert page.locator("[data-testid=tech-sme] h2").inner_text().endswith("符合条件")
    assert page.get_by_test_id("tech-sme-verdict").count() == 0
    assert page.get_by_test_id("tech-sme-failed").count() == 0
    _shots(page, "self-check-passes")
    context.close()

    # 2. The county officer: batch check of 南昌县 from the enterprise list; each row names its gaps per qualification.
    context, page = _sign_in(browser, base, "nanchangxian")
    page.click("nav.mainnav >> text=科技企业")
    page.click("a.badge:has-text('南昌县')")
    page.wait_for_url(f"{base}/enterprises/county/360121/check/")
    rows = page.locator("[data-testid=batch-table] tbody tr")
    assert rows.count() > 0
    mine = rows.filter(has_text=name)
    assert mine.locator("td").nth(2).inner_text() == "符合"  # 科小 after the fix
    gaps = page.locator("[data-testid=main-gaps]").all_inner_texts()
    # only failed conditions, never one that holds (「…，不低于 60%」), though a failure may say 「不满足不低于 60% 的要求」
    assert gaps and not [g for g in gaps if re.search(r"(?<!不满足)不低于 \d", g)]
    named = [g for g in gaps if g != "—"]
    lines = [line for g in named for line in g.split("\n") if line.strip()]
    assert lines and all(line.startswith(("科技型中小企业：", "高新技术企业：")) for line in lines), lines
    _shots(page, "batch-check")
    context.close()

    # 3. The city admin: the open pool round, the enterprise into key cultivation, the round closed.
    context, page = _sign_in(browser, base, "admin")
    page.goto(f"{base}/enterprises/")
    page.click("[data-testid=enterprise-tools] >> text=培育库")
    page.wait_for_url(f"{base}/enterprises/pool/")
    open_round = page.locator("tr").filter(has=page.locator(".badge.up"))
    open_round.locator("a[href^='/enterprises/pool/20']").first.click()
    page.wait_for_url(re.compile(r"/enterprises/pool/\d{4}/$"))
    year = page.url.rstrip("/").rsplit("/", 1)[-1]
    row = page.locator("[data-testid=pool-table] tbody tr").filter(has_text=name)
    if row.get_by_test_id("selected").count() == 0:
        row.locator("input[name=entry]").check()
        page.click("button[value=select]")
        page.wait_for_load_state("load")
        row = page.locator("[data-testid=pool-table] tbody tr").filter(has_text=name)
    assert row.get_by_test_id("selected").inner_text() == "重点培育"
    _shots(page, "pool-round")
    page.click("button:has-text('关闭本轮遴选')")  # the confirmation is accepted
    page.wait_for_load_state("load")
    assert page.locator("button:has-text('关闭本轮遴选')").count() == 0
    assert "已关闭" in page.locator("main").inner_text()
    assert page.locator("[data-testid=pool-table] input[name=entry]").count() == 0  # frozen
    page.goto(f"{base}/enterprises/pool/")
    assert year in page.locator("main").inner_text()
    context.close()
