"""Journey: a town officer fills and submits the year's figures on a phone (390×844), through the pages only
(issue 11). Asserts the grid's usability (every input reachable and typed into by a tap, the submit button
tappable) and the final state, not the header layout."""

import pytest

from county_innovation.web.demo import demo_load
from tests.browser.journey import messages, shot, sign_in

TOWN, PERIOD = "360121100", 2025  # 莲塘镇; the demo's open round
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.mark.browser
def test_town_officer_fills_and_submits_on_a_phone(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    demo_load()
    base = live_server.url
    page = sign_in(browser, base, "liantang", **PHONE)
    page.goto(f"{base}/data/{TOWN}/{PERIOD}/")
    rows = page.locator("tr[data-indicator]")
    typed = 0
    for i in range(rows.count()):
        row = rows.nth(i)
        cell = row.locator('input.cell[name^="v_"]')
        if not cell.count():
            continue
        last = row.get_by_test_id("last-year").inner_text().replace(",", "").strip()
        cell.scroll_into_view_if_needed()
        cell.tap()  # fails when the input is covered or off the page
        page.keyboard.type(last if last and last != "—" else "5")
        box = cell.bounding_box()
        assert box is not None and box["width"] >= 40, "an input too narrow to type into on a phone"
        typed += 1
    assert typed == 8
    shot(page, "phone-01-grid-filled")
    submit = page.get_by_role("button", name="保存并提交")
    submit.scroll_into_view_if_needed()
    assert submit.is_visible()
    box = submit.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    with page.expect_navigation():
        submit.tap()
    page.wait_for_load_state("load")
    assert "数据已提交" in messages(page), messages(page)
    status = page.get_by_test_id("submission-status").inner_text()
    assert "已提交" in status
    assert page.locator('input.cell[name^="v_"]').count() == 0  # submitted values are read-only now
    shot(page, "phone-02-submitted")
