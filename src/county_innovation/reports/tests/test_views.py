"""The bulletin pages and downloads on the web and the API."""

import io

import pytest
from docx import Document

from county_innovation.accounts.tests.api_sample import call, token_for
from county_innovation.common.actors import system
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.reports.models import Bulletin
from county_innovation.reports.services import bulletin_create_now
from county_innovation.reports.tests.factory import STUB, bulletin_stub


@pytest.fixture
def run(demo):
    return EvaluationRun.objects.get(framework__code="county", period=2024, status="published")


def test_the_run_page_lists_every_version_and_downloads_the_one_asked(client_for, run):
    first, second = bulletin_stub(run), bulletin_stub(run)
    client = client_for("expert")
    page = client.get(f"/reports/bulletins/{run.pk}/").content.decode()
    assert "第1版" in page and "第2版" in page and f"/reports/bulletins/file/{first.pk}/" in page
    response = client.get(f"/reports/bulletins/file/{second.pk}/")
    assert response.status_code == 200 and response.content == STUB
    assert "filename*=UTF-8''2024" in response["Content-Disposition"]


def test_a_queued_version_cannot_be_downloaded_yet(client_for, run):
    queued = Bulletin.objects.create(run=run, version=1, format="pdf")
    response = client_for("county").get(f"/reports/bulletins/file/{queued.pk}/")
    assert response.status_code == 404 and "排队中" in response.content.decode()
    assert "data-pending" in client_for("county").get(f"/reports/bulletins/{run.pk}/").content.decode()


def test_the_list_links_the_latest_versions_profiles_and_assessment_by_role(client_for, run):
    bulletin_stub(run, "pdf")
    page = client_for("city_admin").get("/reports/").content.decode()
    assert "2024年度" in page and "第1版 .pdf" in page and "/reports/profiles/360121/" in page
    assert "/reports/assessment/" in page
    page = client_for("other_county").get("/reports/").content.decode()
    assert "/reports/profiles/360124/" in page and "/reports/profiles/360121/" not in page
    assert "/reports/assessment/" not in page


def test_city_admin_queues_a_new_version_from_the_page(client_for, run):
    response = client_for("city_admin").post(f"/reports/bulletins/{run.pk}/generate/", follow=True)
    assert "已排队生成第1版通报" in response.content.decode()
    assert Bulletin.objects.filter(run=run, status="queued").count() == 2


def test_generating_for_a_town_run_without_its_county_run_is_refused_with_a_message(client_for, run):
    town = EvaluationRun.objects.get(framework__code="town", period=2024, status="published")
    EvaluationRun.objects.filter(pk=run.pk).update(status="draft")
    response = client_for("city_admin").post(f"/reports/bulletins/{town.pk}/generate/", follow=True)
    assert "县（区）评价尚未发布，无法生成通报" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_assessment_page_converts_and_refuses_a_bad_table_in_chinese(client_for, run):
    client = client_for("department")
    response = client.get(f"/reports/assessment/?run={run.pk}&mode=rank&rank_points=5,4,3")
    assert response.status_code == 200 and "第1名5分" in response.content.decode()
    response = client.get(f"/reports/assessment/?run={run.pk}&mode=rank&rank_points=5,x")
    assert response.status_code == 400 and "第2名的分值「x」不是数字。" in response.content.decode()
    response = client.get(f"/reports/assessment/xlsx/?run={run.pk}&mode=linear&max_points=20")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_api_downloads_the_latest_stored_version_or_builds_one_unsaved(client, users, run):
    token = token_for(users["expert"])
    response = client.get(
        f"/api/reports/runs/{run.pk}/bulletin?format=docx", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200 and response["X-Bulletin-Version"] == "unsaved"
    assert "南昌市县域创新驱动发展监测通报" in Document(io.BytesIO(response.content)).paragraphs[0].text
    assert not Bulletin.objects.exists()

    stored = {b.format: b for b in bulletin_create_now(run=run, actor=system("测试"))}
    status, body = call(client, "get", f"/api/reports/runs/{run.pk}/bulletins", token=token)
    assert status == 200 and {b["format"] for b in body} == {"docx", "pdf"}
    response = client.get(body[0]["download"], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.content == bytes(Bulletin.objects.get(pk=stored[body[0]["format"]].pk).content)
    status, body = call(client, "get", f"/api/reports/runs/{run.pk}/bulletin?version=9", token=token)
    assert status == 404 and "没有已生成的第9版通报" in body["detail"]


def test_api_profile_and_assessment(client, users, run):
    status, body = call(client, "get", "/api/reports/profiles/360121", token=token_for(users["county"]))
    assert status == 200 and body["name"] == "南昌县" and len(body["history"]) == 5
    status, body = call(
        client,
        "get",
        f"/api/reports/runs/{run.pk}/assessment?mode=rank&points=3,2,1",
        token=token_for(users["city_admin"]),
    )
    assert status == 200 and [i["points"] for i in body["items"][:4]] == ["3.00", "2.00", "1.00", "0.00"]
    status, body = call(
        client,
        "get",
        f"/api/reports/runs/{run.pk}/assessment?mode=rank&points=1,2",
        token=token_for(users["city_admin"]),
    )
    assert status == 400 and "名次分值应自第1名起逐名不增（后一名的分值不能高于前一名）。" in body["problems"]


@pytest.mark.parametrize(
    ("url", "budget"),
    [("/reports/", 15), ("/reports/bulletins/{run}/", 15), ("/reports/profiles/360121/", 60)],
)
def test_pages_stay_within_a_query_budget(users, query_budget, run, url, budget):
    bulletin_stub(run)
    query_budget(url.format(run=run.pk), budget, user=users["city_admin"])
