"""Journey: a collection round from opening to the city's approval, through the pages only (issue 11).

city opens the rounds → town fills and submits → county returns with a comment → town fixes and resubmits →
county approves → county fills and submits its own indicators → 市统计局 fills its indicators by Excel →
city approves → the city evaluates and publishes, then replaces the official run with a reason → the
bulletin is generated and read as Word and PDF. Demo accounts only; no model is written after the demo load.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document
from pypdf import PdfReader

from county_innovation.collection.selectors import period_last
from county_innovation.reports.docx_layout import DEMO_MARK
from county_innovation.web.demo import demo_load
from tests.browser.journey import messages, shot, sign_in

TOWN, COUNTY = "360121100", "360121"  # 莲塘镇 of 南昌县


def choose(page, selector: str, text: str) -> None:
    value = page.eval_on_selector(
        selector, "(el, t) => [...el.options].find(o => o.text.includes(t)).value", text
    )
    page.select_option(selector, value)


def open_round(page, base: str, framework_label: str, period: int) -> str:
    page.goto(f"{base}/data/rounds/")
    choose(page, "#id_framework", framework_label)
    page.select_option("#id_period", str(period))
    today = dt.date.today()
    page.fill("#id_opens_on", today.isoformat())
    page.fill("#id_deadline", (today + dt.timedelta(days=30)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="发布任务").click()
    assert "已发布填报任务" in messages(page), messages(page)
    return page.url


def fill_grid(page, values: dict[str, str] | None = None, default: str = "12") -> int:
    inputs = page.locator('input.cell[name^="v_"]')
    for i in range(inputs.count()):
        cell = inputs.nth(i)
        code = cell.get_attribute("name")[2:]
        cell.fill((values or {}).get(code, default))
    return inputs.count()


def save_and_submit(page) -> str:
    with page.expect_navigation():
        page.get_by_role("button", name="保存并提交").click()
    return messages(page)


@pytest.mark.browser
def test_round_journey_from_opening_to_the_bulletin(
    demo_restored_afterwards, transactional_db, live_server, browser, tmp_path
):
    demo_load()
    base = live_server.url
    period = period_last()  # the demo's own open round is the year before; the city opens this year's

    # 1. The city opens this year's town and county rounds.
    admin = sign_in(browser, base, "admin", viewport={"width": 1280, "height": 1000})
    town_round_url = open_round(admin, base, "乡（镇、街道）", period)
    county_round_url = open_round(admin, base, "县（区）创新驱动", period)
    shot(admin, "round-01-opened")

    # 2. The town fills every indicator and submits.
    town = sign_in(browser, base, "liantang", viewport={"width": 1280, "height": 1000})
    town.goto(f"{base}/data/{TOWN}/{period}/")
    assert fill_grid(town) == 8
    assert "数据已提交" in save_and_submit(town)
    shot(town, "round-02-town-submitted")

    # 3. The county reviews it and returns it with a comment.
    county = sign_in(browser, base, "nanchangxian", viewport={"width": 1280, "height": 1000})
    county.goto(town_round_url)
    with county.expect_navigation():
        county.get_by_test_id("to-review").get_by_role("link", name="莲塘镇").first.click()
    assert county.locator('[data-testid="submission-values"] tbody tr').count() == 8
    county.fill("#id_comment", "专利授权数与县知识产权局台账不一致，请核对后重报。")
    with county.expect_navigation():
        county.get_by_role("button", name="退回修改").click()
    assert "已退回" in messages(county)
    submission_url = county.url

    # 4. The town sees the comment, fixes the value and submits again.
    town.goto(f"{base}/data/{TOWN}/{period}/")
    assert "专利授权数与县知识产权局台账不一致" in town.get_by_test_id("return-comment").inner_text()
    town.fill("#v_town_patents_granted", "14")
    assert "数据已提交" in save_and_submit(town)

    # 5. The county approves the corrected submission.
    county.goto(submission_url)
    assert county.locator('[data-indicator="town_patents_granted"]').inner_text().count("14") >= 1
    shot(county, "round-05-review")
    with county.expect_navigation():
        county.get_by_role("button", name="审核通过").click()
    assert "审核通过" in messages(county)

    # 6. The county fills and submits its own indicators; the departments' cells are read-only, owner named.
    county.goto(f"{base}/data/{COUNTY}/{period}/")
    assert county.locator('input[name="v_rd_expenditure"]').count() == 0
    assert "由市统计局填报" in county.locator('tr[data-indicator="rd_expenditure"]').inner_text()
    assert fill_grid(county) == 6
    assert "数据已提交" in save_and_submit(county)
    shot(county, "round-06-county-grid")
    # 进贤县 does the same: an index ranks at least two counties with enough data.
    jinxian = sign_in(browser, base, "jinxian", viewport={"width": 1280, "height": 1000})
    jinxian.goto(f"{base}/data/360124/{period}/")
    assert fill_grid(jinxian, default="9") == 6
    assert "数据已提交" in save_and_submit(jinxian)

    # 7. 市统计局 downloads the county template, fills its indicators for every county and imports with submit.
    tongji = sign_in(browser, base, "tongji", viewport={"width": 1280, "height": 1000})
    tongji.goto(f"{base}/data/import/county/{period}/")
    with tongji.expect_download() as download:
        tongji.get_by_role("link", name=f"下载 {period}年度模板").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    columns = [
        (key[len("column:") :], code)
        for key, code in book["_meta"].iter_rows(values_only=True)
        if str(key).startswith("column:") and not str(code).endswith("#说明")
    ]
    sheet = book["数据填报"]
    rows = [r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value]
    assert len(rows) == 9 and len(columns) == 7  # nine counties, 市统计局's seven indicators
    for r in rows:
        for letter, code in columns:
            sheet[f"{letter}{r}"] = 0.45 if code == "energy_per_gdp" else 25
    filled = tmp_path / "市统计局_填报.xlsx"
    out = io.BytesIO()
    book.save(out)
    filled.write_bytes(out.getvalue())
    tongji.set_input_files('input[type="file"]', str(filled))
    tongji.check("#id_submit")
    with tongji.expect_navigation():
        tongji.get_by_role("button", name="上传并导入").click()
    text = messages(tongji)
    assert "已导入 9 个区划的 63 条数据" in text and "已提交 9 份填报" in text, text
    shot(tongji, "round-07-department-import")

    # 8. The city approves the two counties' own submissions and 市统计局's for them.
    admin.goto(county_round_url)
    review = admin.get_by_test_id("to-review")
    assert review.get_by_role("link", name="南昌县 · 南昌县").count() == 1
    for label in ("南昌县 · 南昌县", "南昌县 · 市统计局", "进贤县 · 进贤县", "进贤县 · 市统计局"):
        admin.goto(county_round_url)
        with admin.expect_navigation():
            admin.get_by_test_id("to-review").get_by_role("link", name=label).click()
        with admin.expect_navigation():
            admin.get_by_role("button", name="审核通过").click()
        assert "审核通过" in messages(admin), label

    # What the city checks: the round page lists 南昌县 with its own submission approved.
    admin.goto(county_round_url)
    rates = admin.get_by_test_id("county-rates")
    nanchang = rates.locator("tr", has_text="南昌县")
    assert "已审核" in nanchang.get_by_test_id("own-submission").inner_text()
    assert "已审核" in rates.locator("tr", has_text="进贤县").get_by_test_id("own-submission").inner_text()
    assert "草稿" in rates.locator("tr", has_text="安义县").get_by_test_id("own-submission").inner_text()
    shot(admin, "round-08-city-approved")
    admin.goto(town_round_url)
    assert "已审核" in admin.locator('[data-testid="submissions"] tr', has_text="莲塘镇").inner_text()

    # 9. The city evaluates the year from the approved data and publishes it; a second run of the same year
    #    replaces the official one only after a confirmation with a reason.
    run_url = evaluate(admin, base, period)
    assert "正式结果" in admin.locator("body").inner_text(), messages(admin)
    shot(admin, "round-09-run-published")
    evaluate(admin, base, period, replacing="县（区）本级与市统计局数据审核后重算")
    history = admin.get_by_test_id("replacement-history").inner_text()
    assert "县（区）本级与市统计局数据审核后重算" in history
    assert admin.url != run_url

    # 10. The bulletin of the official run: generated in the background, downloaded as Word and PDF, read.
    admin.goto(f"{base}/reports/")
    with admin.expect_navigation():
        official = admin.get_by_test_id("bulletin-runs").locator("tr", has_text="正式结果")
        official.filter(has_text=f"{period}年度").get_by_role("link", name=f"{period}年度").click()
    with admin.expect_navigation():
        admin.get_by_role("button", name="生成新版本").click()
    # What `county-innovation db_worker` does in a deployment; the page then lists the finished files.
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    admin.reload()
    shot(admin, "round-10-bulletin")
    docx_path, pdf_path = tmp_path / "bulletin.docx", tmp_path / "bulletin.pdf"
    with admin.expect_download() as info:
        admin.locator("[data-testid^=download-docx-]").first.click()
    info.value.save_as(docx_path)
    document = Document(io.BytesIO(docx_path.read_bytes()))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "南昌市县域创新驱动发展监测通报" in body and f"{period}年" in body
    assert "南昌县" in body and DEMO_MARK in document.sections[0].header.paragraphs[0].text
    with admin.expect_download() as info:
        admin.locator("[data-testid^=download-pdf-]").first.click()
    info.value.save_as(pdf_path)
    first_page = PdfReader(pdf_path).pages[0].extract_text()
    assert "南昌市县域创新驱动发展监测通报" in first_page and DEMO_MARK in first_page


def evaluate(page, base: str, period: int, *, replacing: str = "") -> str:
    """Run the county evaluation of ``period`` from the evaluation page with 立即发布; confirm a replacement."""
    page.goto(f"{base}/evaluation/")
    form = page.get_by_test_id("run-form")
    choose(page, "[data-testid=run-form] select[name=framework]", "县（区）创新驱动")
    form.locator("input[name=period]").fill(str(period))
    form.locator("input[name=publish]").check()
    with page.expect_navigation():
        form.get_by_role("button", name="开始评价").click()
    if replacing:
        assert page.get_by_test_id("replace-confirm").count() == 1, messages(page)
        page.fill("#replace-reason", replacing)
        with page.expect_navigation():
            page.get_by_role("button", name="确认替换并发布").click()
        assert "原正式结果已标为「已被替换」" in messages(page)
    else:
        assert page.get_by_test_id("replace-confirm").count() == 0, "the year had no official run yet"
    return page.url
