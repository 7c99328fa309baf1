"""Pages (scope, expert's view, uploads refused in Chinese), target progress rules, the selectors other apps
call, funding totals, the demo and the API's walk through the procedure."""

import base64
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from county_innovation.designation import selectors, targets
from county_innovation.designation.models import Designation, Material, Target
from county_innovation.designation.tests.factory import (
    CHECKLIST_OK,
    FULL_MARKS,
    PDF,
    applied,
    expert,
    reviewing,
)
from county_innovation.regions.models import Region

pytestmark = pytest.mark.django_db


def test_a_county_officer_lists_its_own_applications_not_other_countys(demo, users, client):
    mine = applied(users["county"])
    client.force_login(users["county"])
    page = client.get(reverse("designation:list")).content.decode()
    assert f'href="{reverse("designation:detail", args=[mine.pk])}"' in page
    assert "李渡镇" not in page  # 进贤县's pending application (demo)
    assert "莲塘镇" in page  # decided designations are public


def test_the_apply_form_offers_only_the_countys_own_units(demo, users, client):
    client.force_login(users["county"])
    page = client.get(reverse("designation:apply")).content.decode()
    assert 'value="360121102"' in page and 'value="360124102"' not in page


def test_applying_through_the_page_for_another_countys_town_is_refused_in_chinese(demo, users, client):
    client.force_login(users["county"])
    count = Designation.objects.count()
    response = client.post(
        reverse("designation:apply"), {"region": "360124102", "level": "city", "theme": "industry"}
    )
    assert response.status_code == 400
    assert Designation.objects.count() == count


def test_an_expert_sees_only_the_applications_assigned_to_them(demo, users, client):
    panel = [users["expert"], expert("t_e_a"), expert("t_e_b")]
    assigned = reviewing(users["city_admin"], panel)
    other = reviewing(
        users["city_admin"], [expert("t_e_c"), expert("t_e_d"), expert("t_e_e")], code="360121104"
    )
    visible = set(selectors.designations_visible_to(users["expert"]).values_list("pk", flat=True))
    assert assigned.pk in visible and other.pk not in visible
    client.force_login(users["expert"])
    assert client.get(reverse("designation:detail", args=[other.pk])).status_code == 403
    page = client.get(reverse("designation:list")).content.decode()
    assert reverse("designation:score", args=[assigned.reviews.get(expert=users["expert"]).pk]) in page


def test_an_expert_scores_through_the_page(demo, users, client):
    panel = [users["expert"], expert("t_e_a"), expert("t_e_b")]
    designation = reviewing(users["city_admin"], panel)
    review = designation.reviews.get(expert=users["expert"])
    client.force_login(users["expert"])
    bad = client.post(reverse("designation:score", args=[review.pk]), dict(FULL_MARKS, basis="99"))
    assert bad.status_code == 400 and "应在 0–25 分之间" in bad.content.decode()
    ok = client.post(reverse("designation:score", args=[review.pk]), dict(FULL_MARKS, comment="好"))
    assert ok.status_code == 302
    review.refresh_from_db()
    assert review.total == Decimal("82")


def test_an_upload_of_a_refused_type_is_shown_in_chinese_and_not_stored(demo, users, client):
    designation = applied(users["county"])
    client.force_login(users["county"])
    before = Material.objects.count()
    upload = SimpleUploadedFile("申报书.pdf", b"just text", content_type="application/pdf")
    response = client.post(
        reverse("designation:material_upload", args=[designation.pk]), {"file": upload}, follow=True
    )
    assert Material.objects.count() == before
    messages = [str(m) for m in response.context["messages"]]
    assert messages and not messages[0].isascii()


def test_the_detail_page_shows_the_data_evaluation_chart_without_inline_script(demo, users, client):
    designation = applied(users["county"])
    from county_innovation.designation import services

    services.formal_check(designation=designation, actor=users["city_admin"], checklist=CHECKLIST_OK)
    client.force_login(users["county"])
    page = client.get(reverse("designation:detail", args=[designation.pk])).content.decode()
    assert 'data-chart="radar"' in page and 'id="radar-data"' in page
    assert "<script>" not in page and "onclick" not in page


def test_the_material_download_returns_the_file(demo, users, client):
    designation = applied(users["county"])
    material = designation.materials.get()
    client.force_login(users["county"])
    response = client.get(reverse("designation:material_download", args=[material.pk]))
    assert response.content == PDF and response["Content-Type"] == "application/pdf"


# --- targets ------------------------------------------------------------------------------------------------


def test_targets_are_seeded_from_the_seed_policy_and_jiangxi(db):
    city = {(t.unit, t.deadline_year): t for t in Target.objects.filter(scope_kind="city")}
    assert city[("county", 2020)].count == 3 and city[("town", 2020)].share == Decimal("15")
    assert city[("county", 2030)].share == Decimal("60") and city[("town", 2030)].share == Decimal("40")
    province = {(t.unit, t.deadline_year): t for t in Target.objects.filter(scope_kind="province")}
    assert province[("county", 2020)].count == 20 and province[("town", 2020)].share == Decimal("10")
    assert province[("county", 2030)].count == 60 and province[("town", 2030)].share == Decimal("30")


def test_target_status_rules(demo):
    town_2030 = Target.objects.get(scope_kind="city", unit="town", deadline_year=2030)
    progress = targets.target_progress(town_2030, year=2026)
    towns = Region.objects.filter(level="town", code__startswith="3601").count()
    assert progress.population == towns and progress.required == -(-towns * 40 // 100)
    assert progress.current == 10  # the demo's designated towns
    assert progress.status in {targets.ON_TRACK, targets.AT_RISK}
    county_2020 = Target.objects.get(scope_kind="city", unit="county", deadline_year=2020)
    # demo: 青山湖区 (2020), 新建区 (2021), 南昌县 (2023): the goal of 3 was reached late, so 2020 alone was at risk
    late = targets.target_progress(county_2020, year=2026)
    assert late.status == targets.AT_RISK and late.note == "2020年底仅认定 1 个，未按期达成；现已认定 3 个"
    assert targets.target_progress(county_2020, year=2020).status == targets.AT_RISK
    assert targets.target_progress(county_2020, year=2023).current == 3


def test_an_achieved_target_says_so(demo):
    target = Target.objects.create(
        scope_kind="city",
        scope_code="360100",
        scope_name="南昌市",
        unit="town",
        min_level="city",
        count=2,
        deadline_year=2030,
        source="测试",
    )
    assert targets.target_progress(target, year=2026).status == targets.ACHIEVED


def test_pipeline_and_pace_raise_the_projection(demo, users):
    target = Target.objects.get(scope_kind="city", unit="town", deadline_year=2030)
    before = targets.target_progress(target, year=2026)
    applied(users["county"])
    after = targets.target_progress(target, year=2026)
    assert after.pending == before.pending + 1 and after.projected > before.projected
    assert before.pace == pytest.approx(1.0)  # 2024: 2, 2025: 1, 2026: 0 towns designated (demo)


def test_the_targets_page_lists_each_countys_designated_towns(demo, users, client):
    client.force_login(users["town"])
    page = client.get(reverse("designation:targets")).content.decode()
    section = page.split('data-testid="county-towns"')[1]
    assert "莲塘镇（市级）" in section and "南昌县" in section
    assert 'data-chart="trend"' in page and "<script>" not in page


# --- selectors used by other apps, funding, demo ------------------------------------------------------------


def test_county_designations_lists_the_county_and_its_towns(demo):
    rows = selectors.county_designations(Region.objects.get(code="360121"))
    assert set(rows[0]) == {"name", "level_label", "year", "status_label"}
    names = {r["name"]: r for r in rows}
    assert names["南昌县"]["level_label"] == "国家级" and names["南昌县"]["year"] == 2023
    assert names["莲塘镇"]["status_label"] == "已通过验收"
    assert "李渡镇" not in names


def test_funding_totals_by_county_year_and_level(demo, client, users):
    totals = selectors.funding_totals()
    nanchang = next(c for c in totals["counties"] if c["code"] == "360121")
    assert nanchang["years"][2023] == Decimal("300") and nanchang["total"] == Decimal(
        "420"
    )  # 300 + four towns × 30
    assert totals["by_level"]["national"] == Decimal("300")
    assert totals["total"] == sum((c["total"] for c in totals["counties"]), Decimal("0"))
    client.force_login(users["expert"])
    assert str(totals["total"]) in client.get(reverse("designation:funding")).content.decode()


def test_the_demo_is_deterministic_and_labelled(demo):
    from county_innovation.designation.demo import designation_demo_load

    first = list(
        Designation.objects.filter(is_demo=True).order_by("region_id").values_list("region_id", "status")
    )
    designation_demo_load()
    again = list(
        Designation.objects.filter(is_demo=True).order_by("region_id").values_list("region_id", "status")
    )
    assert first == again and len(first) == 15
    assert all(d.is_demo for d in Designation.objects.filter(region_id="360124101"))


# --- API ----------------------------------------------------------------------------------------------------


def test_the_api_walks_an_application_through_check_and_refuses_bad_files(demo, users, client):
    client.force_login(users["other_county"])
    response = client.post(
        "/api/designations/",
        {
            "region": "360124102",
            "level": "city",
            "theme": "industry",
            "building_targets": [{"indicator": "town_hightech_enterprises", "baseline": "3", "target": "5"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    bad = client.post(
        f"/api/designations/{pk}/materials",
        {"filename": "a.pdf", "content_base64": base64.b64encode(b"text").decode()},
        content_type="application/json",
    )
    assert bad.status_code == 400 and not bad.json()["detail"].isascii()
    good = client.post(
        f"/api/designations/{pk}/materials",
        {"filename": "a.pdf", "content_base64": base64.b64encode(PDF).decode()},
        content_type="application/json",
    )
    assert good.status_code == 201
    client.force_login(users["city_admin"])
    checked = client.post(
        f"/api/designations/{pk}/check", {"checklist": CHECKLIST_OK}, content_type="application/json"
    )
    assert checked.json()["status"] == "checked" and checked.json()["data_evaluation"]["available"]
    twice = client.post(
        f"/api/designations/{pk}/check", {"checklist": CHECKLIST_OK}, content_type="application/json"
    )
    assert twice.status_code == 400 and "不能进行形式审查" in twice.json()["detail"]


def test_the_demo_experts_find_a_review_waiting(demo):
    from county_innovation.accounts.models import User

    for username in ("expert", "expert4", "expert5"):
        waiting = list(selectors.reviews_waiting_for(User.objects.get(username=username)))
        assert [r.designation.region.name for r in waiting] == ["西山镇"], username
    assert list(selectors.reviews_waiting_for(User.objects.get(username="expert2"))) == []


def test_the_api_accepts_the_chinese_theme_and_level_labels_its_error_lists(demo, users, client):
    client.force_login(users["other_county"])
    bad = client.post(
        "/api/designations/",
        {"region": "360124102", "level": "市级", "theme": "科技"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    detail = bad.json()["detail"]
    assert "「科技支撑生态文明」（ecology）" in detail and "中文名称或代码均可" in detail
    response = client.post(
        "/api/designations/",
        {"region": "360124102", "level": "市级", "theme": "科技支撑生态文明"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["theme"] == "ecology" and response.json()["level"] == "city"


@pytest.mark.parametrize(
    "body",
    [
        {"year": 10**40, "amount": "20"},
        {"year": 2026, "amount": 10**40},
        {"year": 2026, "amount": "1e1000000"},
        {"year": 2026, "amount": "-5"},
    ],
)
def test_funding_out_of_range_is_refused_in_chinese_not_a_500(demo, users, client, body):
    held = Designation.objects.filter(status=Designation.Status.ACCEPTED).first()
    client.force_login(users["city_admin"])
    client.raise_request_exception = False
    response = client.post(f"/api/designations/{held.pk}/funding", body, content_type="application/json")
    assert response.status_code == 422 and "请求参数不符合要求" in response.json()["detail"]
