"""Bulletins and the county profile in a real browser: a county officer opens the bulletin page, downloads the
Word and PDF files through the browser's download, and opens the county profile with its radar drawn."""

import io

import pytest
from docx import Document
from pypdf import PdfReader

from county_innovation.common.actors import system
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.docx_layout import DEMO_MARK
from county_innovation.reports.services import bulletin_create_now
from county_innovation.web.demo import demo_load
from tests.browser.test_dashboard import CHARTS_DRAWN, SCREENSHOTS, PageWatch


@pytest.mark.browser
def test_county_officer_downloads_a_bulletin_and_reads_the_profile(
    demo_restored_afterwards, transactional_db, live_server, browser, tmp_path
):
    demo_load()
    run = EvaluationRun.objects.get(framework__code="county", period=2024, status="published")
    rows = {b.format: b for b in bulletin_create_now(run=run, actor=system("测试"))}
    assert rows["docx"].status == "done" and rows["pdf"].status == "done"

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    watch = PageWatch(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "nanchangxian")
    page.fill("#id_password", "demo-2025")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workbench/")

    page.click("nav.mainnav >> text=通报与档案")
    page.click("[data-testid=bulletin-runs] >> text=2024年度")
    page.wait_for_url(f"{live_server.url}/reports/bulletins/{run.pk}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bulletin.png"), full_page=True)

    with page.expect_download() as info:
        page.click(f"[data-testid=download-docx-{rows['docx'].version}]")
    download = info.value
    assert download.suggested_filename == "2024年度县域创新驱动发展监测通报_第1版.docx"
    saved = tmp_path / "bulletin.docx"
    download.save_as(saved)
    document = Document(io.BytesIO(saved.read_bytes()))
    assert document.paragraphs[0].text == "南昌市县域创新驱动发展监测通报"
    assert DEMO_MARK in document.sections[0].header.paragraphs[0].text

    with page.expect_download() as info:
        page.click(f"[data-testid=download-pdf-{rows['pdf'].version}]")
    pdf = tmp_path / "bulletin.pdf"
    info.value.save_as(pdf)
    text = PdfReader(pdf).pages[0].extract_text()
    assert "南昌市县域创新驱动发展监测通报" in text and DEMO_MARK in text

    page.goto(f"{live_server.url}/reports/profiles/360121/")
    page.wait_for_function(CHARTS_DRAWN, timeout=15000)
    assert page.locator("#dimension-chart canvas").count() == 1
    assert page.locator("table[data-testid=history] tbody tr").count() == 5
    page.screenshot(path=str(SCREENSHOTS / "county-profile.png"), full_page=True)
    # a navigation that turns into a download is reported by chromium as an aborted request
    downloads = [p for p in watch.problems if "/reports/bulletins/file/" in p and "ERR_ABORTED" in p]
    assert len(downloads) == 2
    assert [p for p in watch.problems if p not in downloads] == []
