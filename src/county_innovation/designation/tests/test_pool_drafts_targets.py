"""The expert pool (专家库) managed by the city admin, drafts before 提交推荐, structured building
targets, the annual reports checked at acceptance, and the demo's experts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from county_innovation.accounts.models import Role, User
from county_innovation.common.errors import DomainError
from county_innovation.common.protection import deletion_permitted
from county_innovation.designation import selectors, services
from county_innovation.designation.models import BuildingTarget, Designation, ExpertProfile
from county_innovation.designation.tests.factory import CHECKLIST_OK, PDF, applied, expert
from county_innovation.indicators.models import DataValue, Indicator
from county_innovation.regions.models import Region

pytestmark = pytest.mark.django_db

TARGET = {
    "indicator": "town_hightech_enterprises",
    "baseline_year": "2025",
    "baseline_value": "6",
    "target_year": "2029",
    "target_value": "12",
}


def _formset(rows: list[dict], extra: int = 3) -> dict:
    data = {"targets-TOTAL_FORMS": str(len(rows) + extra), "targets-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"targets-{i}-{k}": v for k, v in row.items()})
    return data


# --- 专家库 ---------------------------------------------------------------------------------------------------


def test_the_demo_pool_has_enough_experts_from_outside_each_county(demo):
    pool = list(selectors.expert_pool().filter(user__is_active=True))
    assert len(pool) >= 5
    for county in Region.objects.filter(level=Region.Level.COUNTY, code__startswith="3601"):
        eligible = [p for p in pool if p.home_county_code != county.code]
        assert len(eligible) >= 3, county.name


def test_the_city_admin_creates_an_expert_who_can_sign_in_with_the_password_shown_once(demo, users, client):
    client.force_login(users["city_admin"])
    response = client.post(
        reverse("designation:experts"),
        {
            "name": "孙立新",
            "organisation": "南昌大学",
            "field": "产业经济",
            "home_region": "360121",
            "username": "t_sunlixin",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    password = page.split('data-testid="initial-password">')[1].split("<")[0]
    assert len(password) >= 10 and response["Cache-Control"] == "no-store"
    account = User.objects.get(username="t_sunlixin")
    assert account.role == Role.EXPERT and str(account) == "孙立新" and account.check_password(password)
    assert account.expert_profile.home_region_id == "360121"
    assert password not in client.get(reverse("designation:experts")).content.decode()


def test_a_duplicate_username_is_refused_in_chinese(demo, users):
    with pytest.raises(DomainError) as refused:
        services.expert_create(actor=users["city_admin"], name="重名", username="expert2")
    assert any("已被使用" in p for p in refused.value.problems)


def test_only_the_city_admin_manages_the_pool(demo, users, client):
    with pytest.raises(PermissionDenied):
        services.expert_create(actor=users["county"], name="某某", username="t_x")
    client.force_login(users["county"])
    assert client.get(reverse("designation:experts")).status_code == 403


def test_an_existing_expert_account_is_linked_into_the_pool(demo, users):
    account = User.objects.create_user(username="t_loose", password="x", role=Role.EXPERT)
    profile = services.expert_link(
        actor=users["city_admin"], account=account, name="张三", home_region=Region.objects.get(code="360124")
    )
    assert profile.user.display_name == "张三" and profile.home_county_code == "360124"
    with pytest.raises(DomainError):
        services.expert_link(actor=users["city_admin"], account=users["county"], name="县用户")


def test_the_assign_form_leaves_out_experts_of_the_applicants_county(demo, users, client):
    designation = applied(None, "360121102")  # a 南昌县 town
    services.formal_check(designation=designation, actor=users["city_admin"], checklist=CHECKLIST_OK)
    client.force_login(users["city_admin"])
    page = client.get(reverse("designation:detail", args=[designation.pk])).content.decode()
    form = page.split('data-testid="assign-form"')[1].split("</form>")[0]
    expert2 = User.objects.get(username="expert2")  # 南昌县
    assert f'value="{expert2.pk}"' not in form
    assert "王建华（演示专家）（来自南昌县，须回避）" in page
    panel = User.objects.filter(username__in=["expert", "expert3", "expert4"])
    client.post(reverse("designation:assign", args=[designation.pk]), {"experts": [e.pk for e in panel]})
    designation.refresh_from_db()
    assert designation.status == Designation.Status.REVIEWING and designation.reviews.count() == 3


def test_a_deactivated_expert_cannot_be_assigned(demo, users):
    profile = ExpertProfile.objects.get(user__username="expert4")
    services.expert_update(actor=users["city_admin"], profile=profile, name="陈志强", active=False)
    designation = applied(None, "360124102")
    services.formal_check(designation=designation, actor=users["city_admin"], checklist=CHECKLIST_OK)
    assert profile.user not in selectors.experts_for(designation)[0]
    with pytest.raises(DomainError) as refused:
        services.experts_assign(
            designation=designation,
            actor=users["city_admin"],
            experts=list(User.objects.filter(username__in=["expert", "expert2", "expert4"])),
        )
    assert any("已停用" in p for p in refused.value.problems)


def test_an_expert_sees_waiting_reviews_on_the_list(demo, users, client):
    me = User.objects.get(username="expert3")  # 进贤县; the demo gave them nothing to review
    designation = applied(None, "360121102")
    services.formal_check(designation=designation, actor=users["city_admin"], checklist=CHECKLIST_OK)
    services.experts_assign(
        designation=designation,
        actor=users["city_admin"],
        experts=[me, *User.objects.filter(username__in=["expert", "expert4"])],
    )
    assert [r.designation_id for r in selectors.reviews_waiting_for(me)] == [designation.pk]
    assert list(selectors.reviews_waiting_for(users["county"])) == []
    client.force_login(me)
    page = client.get(reverse("designation:list")).content.decode()
    assert "待评审（1）" in page
    review = designation.reviews.get(expert=me)
    services.review_score(
        review=review,
        actor=me,
        scores={c["key"]: c["max"] for c in designation.score_sheet.criteria},
    )
    assert list(selectors.reviews_waiting_for(me)) == []


# --- drafts ---------------------------------------------------------------------------------------------------


def test_a_county_saves_a_draft_then_submits_it(demo, users, client):
    client.force_login(users["county"])
    data = {"region": "360121102", "level": "city", "theme": "industry", "summary": "草稿", "action": "draft"}
    response = client.post(reverse("designation:apply"), {**data, **_formset([TARGET])})
    assert response.status_code == 302, response.content.decode()
    draft = Designation.objects.get(region_id="360121102", level="city")
    assert draft.status == Designation.Status.DRAFT
    assert draft.targets.get().target_value == Decimal("12")
    # the city does not get a formal check for a draft
    with pytest.raises(DomainError, match="不能进行形式审查"):
        services.formal_check(designation=draft, actor=users["city_admin"], checklist=CHECKLIST_OK)
    services.material_add(
        designation=draft, actor=users["county"], title="申报书", filename="a.pdf", content=PDF
    )
    edit = reverse("designation:edit", args=[draft.pk])
    changed = {**TARGET, "target_value": "15"}
    response = client.post(
        edit,
        {"level": "city", "theme": "ecology", "summary": "改后", "action": "submit", **_formset([changed])},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Designation.Status.RECOMMENDED and draft.theme == "ecology"
    assert [t.target_value for t in draft.targets.all()] == [Decimal("15")]
    assert client.get(edit).status_code == 302  # no longer editable


def test_a_draft_blocks_a_second_application_at_the_same_level(demo, users):
    region = Region.objects.get(code="360121102")
    services.designation_apply(
        actor=users["county"], region=region, level="city", theme="industry", year=2026, submit=False
    )
    with pytest.raises(DomainError, match="已有申报草稿"):
        services.designation_apply(
            actor=users["county"], region=region, level="city", theme="industry", year=2026
        )


def test_another_county_cannot_submit_the_draft(demo, users, client):
    draft = services.designation_apply(
        actor=users["county"],
        region=Region.objects.get(code="360121102"),
        level="city",
        theme="industry",
        year=2026,
        submit=False,
    )
    client.force_login(users["other_county"])
    assert client.post(reverse("designation:submit", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Designation.Status.DRAFT


# --- structured targets ---------------------------------------------------------------------------------------


def test_targets_are_data_and_bad_rows_are_refused_with_every_problem(demo, users):
    region = Region.objects.get(code="360121102")
    with pytest.raises(DomainError) as refused:
        services.designation_apply(
            actor=users["county"],
            region=region,
            level="city",
            theme="industry",
            year=2026,
            building_targets=[
                {"indicator": "翻一番", "target_value": "翻一番"},
                {**TARGET, "target_value": "翻一番"},
                {**TARGET, "target_year": "2020"},
                {"indicator": "hightech_enterprises", "baseline_value": "1", "target_value": "2"},
            ],
        )
    problems = refused.value.problems
    assert any("第1项" in p and "不在" in p for p in problems)
    assert any("第2项" in p and "目标值应为数字" in p and "翻一番" in p for p in problems)
    assert any("第3项" in p and "应晚于基期年度" in p for p in problems)
    assert any("第4项" in p and "不在" in p for p in problems)  # a county indicator for a town
    assert not Designation.objects.filter(region=region, level="city").exists()


def test_the_detail_page_shows_the_latest_collected_value_beside_each_target(demo, users, client):
    region = Region.objects.get(code="360121102")
    designation = services.designation_apply(
        actor=users["county"],
        region=region,
        level="city",
        theme="industry",
        year=2026,
        building_targets=[{**TARGET, "target_value": "1"}],
    )
    latest = (
        DataValue.objects.filter(region=region, indicator__code="town_hightech_enterprises")
        .order_by("-period")
        .first()
    )
    client.force_login(users["county"])
    page = client.get(reverse("designation:detail", args=[designation.pk])).content.decode()
    table = page.split('data-testid="targets"')[1].split("</table>")[0]
    assert "高新技术企业数" in table and f"{latest.period}年" in table and "已达目标" in table


def test_the_migration_turns_readable_free_text_targets_into_data(demo):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "county_innovation.designation.migrations.0004_free_text_targets_to_data"
    )
    designation = Designation.objects.filter(is_demo=True, region_id="360124101").get()
    designation.targets.all().delete()
    designation.building_targets = [
        {"name": "高新技术企业数", "baseline": "6", "target": "12", "unit": "家"},
        {"name": "科技型中小企业数", "baseline": "15", "target": "翻一番", "unit": "家"},
    ]
    designation.save()
    migration.forwards(apps, None)
    designation.refresh_from_db()
    target = designation.targets.get()
    assert target.indicator == Indicator.objects.get(code="town_hightech_enterprises")
    assert (target.baseline_year, target.target_year) == (designation.year - 1, designation.year + 3)
    assert designation.building_targets == [
        {"name": "科技型中小企业数", "baseline": "15", "target": "翻一番", "unit": "家"}
    ]
    migration.backwards(apps, None)
    designation.refresh_from_db()
    assert len(designation.building_targets) == 2 and not BuildingTarget.objects.filter(
        designation=designation
    )


# --- acceptance checks the annual reports ---------------------------------------------------------------------


def test_acceptance_needs_every_annual_report(demo, users):
    designation = Designation.objects.get(is_demo=True, region_id="360123103")  # 2023, building
    with deletion_permitted("test: a pilot whose 2024 report is missing"):
        designation.build_reports.filter(year=2024).delete()
    with pytest.raises(DomainError, match="缺 2024年度建设报告"):
        services.acceptance_record(
            designation=designation, actor=users["city_admin"], result="pass", today=timezone.localdate()
        )
    services.build_report_submit(designation=designation, actor=users["city_admin"], year=2024, text="补报")
    today = max(timezone.localdate(), designation.build_end + datetime.timedelta(days=1))
    services.acceptance_record(designation=designation, actor=users["city_admin"], result="pass", today=today)
    assert designation.status == Designation.Status.ACCEPTED


def test_expert_fixture_helper_still_works(demo):
    assert expert("t_helper", "360121").expert_profile.home_county_code == "360121"


def test_the_demo_review_shows_the_latest_published_evaluation_when_checked_before_one(demo, client):
    designation = Designation.objects.get(is_demo=True, region_id="360112103")
    client.login(username="expert", password="demo-2025")
    page = client.get(reverse("designation:detail", args=[designation.pk])).content.decode()
    section = page.split('data-testid="data-evaluation"')[1].split("</section>")[0]
    assert "综合指数" in section
    if not designation.data_evaluation.get("available"):
        assert "形式审查时尚无已发布的评价结果" in section


def test_a_post_without_the_targets_table_is_refused_in_chinese(demo, users, client):
    client.force_login(users["county"])
    response = client.post(
        reverse("designation:apply"), {"region": "360121102", "level": "city", "theme": "industry"}
    )
    assert response.status_code == 400 and "建设目标表格的数据不完整" in response.content.decode()
    assert not Designation.objects.filter(region_id="360121102", level="city").exists()


def test_targets_are_checked_year_by_year_against_the_straight_path(demo, users):
    region = Region.objects.get(code="360121102")
    values = dict(
        DataValue.objects.filter(region=region, indicator__code="town_hightech_enterprises").values_list(
            "period", "value"
        )
    )
    first, last = min(values), max(values)
    designation = services.designation_apply(
        actor=users["county"],
        region=region,
        level="city",
        theme="industry",
        year=2026,
        building_targets=[
            {
                "indicator": "town_hightech_enterprises",
                "baseline_year": str(first),
                "baseline_value": "0",
                "target_year": str(last + 2),
                "target_value": str(values[last] * 100),
            }
        ],
    )
    (row,) = selectors.target_rows(designation, users["county"])
    assert [y["year"] for y in row["years"]] == list(range(first + 1, last + 1))
    # halfway along a 0 → 100×latest path the latest value is far behind; the first year is compared likewise
    assert row["years"][-1]["on_track"] is False and row["reached"] is False
    assert row["years"][0]["expected"] == (values[last] * 100 / (last + 2 - first)).quantize(Decimal("0.01"))
    # a user who may not read 南昌县's raw values sees the targets without values
    (hidden,) = selectors.target_rows(designation, users["other_county"])
    assert hidden["latest"] is None and hidden["years"] == []
