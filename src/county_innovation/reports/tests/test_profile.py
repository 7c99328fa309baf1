"""The county profile (一县一档): its page, its Word document, and who may read it."""

import io

import pytest
from docx import Document

from county_innovation.designation.selectors import county_designations, county_task_progress
from county_innovation.regions.models import Region
from county_innovation.reports.docx_layout import DEMO_MARK
from county_innovation.reports.policies import assessments, profiles
from county_innovation.reports.profile import NO_DATA, county_profile, profile_docx


@pytest.fixture
def county(demo):
    return Region.objects.get(code="360121")


@pytest.fixture
def profile(county):
    return county_profile(county=county, period=None, show_raw=True)


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def test_profile_document_has_every_section_in_order(profile):
    document = Document(io.BytesIO(profile_docx(profile)))
    texts = _texts(document)
    assert texts[0] == "南昌县创新驱动发展档案" and texts[1] == "（2024年度）"
    headings = [t for t in texts if t[:2] in {"一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"}]
    assert headings == [
        "一、基本情况",
        "二、历年得分与排名",
        "三、与全市比较",
        "四、优势与短板",
        "五、乡（镇、街道）排名",
        "六、创新主体与平台",
        "七、创新型县（市、区）与乡镇建设",
        "八、重点任务进展",
    ]
    assert DEMO_MARK in document.sections[0].header.paragraphs[0].text
    history = document.tables[0]
    assert [r.cells[0].text for r in history.rows[1:]] == ["2020", "2021", "2022", "2023", "2024"]
    assert history.rows[-1].cells[1].text == f"{profile.page.result.index:.2f}"
    assert f"排名第{profile.page.result.rank}位" in texts[3]


def test_profile_lists_the_countys_towns_in_rank_order_and_its_enterprises(profile):
    document = Document(io.BytesIO(profile_docx(profile)))
    towns = next(t for t in document.tables if t.rows[0].cells[1].text == "乡（镇、街道）")
    names = [r.cells[1].text for r in towns.rows[1:]]
    assert names == [t.region.name for t in profile.page.towns] and len(names) == len(profile.page.towns) > 10
    ranks = [int(r.cells[0].text) for r in towns.rows[1:] if r.cells[0].text != "—"]
    assert ranks == sorted(ranks)
    qualifications = next(t for t in document.tables if t.rows[0].cells[0].text == "资质")
    assert qualifications.rows[1].cells[0].text == "高新技术企业"


def test_designations_and_tasks_come_from_the_designation_app(profile, county):
    document = Document(io.BytesIO(profile_docx(profile)))
    text = "\n".join(_texts(document))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    designations = county_designations(county)
    tasks = county_task_progress(county)
    assert profile.designations == designations and profile.tasks == tasks
    for d in designations:
        assert d["name"] in cells and d["status_label"] in cells
    for t in tasks:
        assert t["task"] in cells
    if not designations or not tasks:
        assert f"{NO_DATA}。" in text


def test_a_county_without_designations_or_tasks_says_no_data(demo):
    donghu = Region.objects.get(
        code="360102"
    )  # the demo designates none of 东湖区's units and assigns it no task
    profile = county_profile(county=donghu, period=None, show_raw=True)
    assert profile.designations == [] and profile.tasks == []
    document = Document(io.BytesIO(profile_docx(profile)))
    assert _texts(document).count(f"{NO_DATA}。") == 2


def test_a_town_officer_reads_its_own_county_s_profile_with_the_raw_figures(client_for, county):
    # One rule for raw values: a town's officers read their own county's figures.
    response = client_for("town").get(f"/reports/profiles/{county.code}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "仅县（区）及以上可见" not in content and "演示数据" in content
    response = client_for("other_county").get(f"/reports/profiles/{county.code}/")
    assert response.status_code == 403


def test_profile_download_is_a_word_file_named_in_chinese(client_for, county):
    response = client_for("department").get(f"/reports/profiles/{county.code}/docx/?period=2023")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert _texts(Document(io.BytesIO(response.content)))[1] == "（2023年度）"


def test_a_town_is_not_a_county_and_gets_a_chinese_404(client_for):
    response = client_for("city_admin").get("/reports/profiles/360121100/")
    assert response.status_code == 404 and "一县一档只为县（区）建立" in response.content.decode()


def test_who_may_read_a_profile_and_the_assessment(users, county):
    other = Region.objects.get(code="360124")
    allowed = {role for role, user in users.items() if profiles.allows(user, "view", county)}
    assert allowed == {"city_admin", "department", "county", "town", "other_town"}
    allowed_other = {role for role, user in users.items() if profiles.allows(user, "view", other)}
    assert allowed_other == {"city_admin", "department", "other_county"}
    assert {role for role, user in users.items() if assessments.allows(user, "view")} == {
        "city_admin",
        "department",
    }
