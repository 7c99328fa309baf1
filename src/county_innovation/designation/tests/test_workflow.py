"""The designation procedure, step by step, and every refused transition (with what stays unwritten)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from county_innovation.common.errors import DomainError
from county_innovation.designation import services
from county_innovation.designation.models import Designation, ExpertReview, Funding, Material
from county_innovation.designation.rules import expert_score_of
from county_innovation.designation.tests.factory import (
    CHECKLIST_OK,
    FULL_MARKS,
    PDF,
    PNG,
    applied,
    docx_bytes,
    expert,
    reviewing,
    shift,
)
from county_innovation.regions.models import Region
from county_innovation.supervision import services as tasks
from county_innovation.supervision.models import TaskItem, TaskReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(demo):
    """Three experts from outside 南昌县 (one from 进贤县, two from outside the city)."""
    return [expert("t_e_jinxian", "360124"), expert("t_e_uni1"), expert("t_e_uni2")]


def _share(page: str, key: str) -> str:
    match = re.search(rf'data-testid="target-{key}".*?data-testid="share">([\d.]+)%', page, re.S)
    assert match, key
    return match.group(1)


def test_a_town_walks_from_application_to_designation_and_acceptance(demo, users, panel, client):
    """One town from application to designation and acceptance; the target page's shares change as the
    designation is decided; the leading group's overview lists an overdue task."""
    county, admin = users["county"], users["city_admin"]
    town = Region.objects.get(code="360121102")  # 三江镇, 南昌县

    designation = services.designation_apply(
        actor=county,
        region=town,
        level="city",
        theme="industry",
        year=2026,
        summary="三江镇创新型乡镇建设方案",
    )
    assert designation.status == Designation.Status.RECOMMENDED and designation.county_id == "360121"
    services.material_add(
        designation=designation, actor=county, title="申报书", filename="申报书.pdf", content=PDF
    )
    services.material_add(
        designation=designation, actor=county, title="方案", filename="方案.docx", content=docx_bytes()
    )

    services.formal_check(designation=designation, actor=admin, checklist=CHECKLIST_OK)
    assert designation.status == Designation.Status.CHECKED
    evaluation = designation.data_evaluation
    assert evaluation["available"] and evaluation["rank"] >= 1 and evaluation["units"] > 100
    assert evaluation["dimensions"] and evaluation["trend"]["periods"][-1] == "2024"

    services.experts_assign(designation=designation, actor=admin, experts=panel)
    for review, total in zip(designation.reviews.all(), (78, 84, 85), strict=True):
        marks = dict(FULL_MARKS, basis=total - 60)
        services.review_score(review=review, actor=review.expert, scores=marks, comment="同意")
    services.notice_start(designation=designation, actor=admin, start=shift(-8), end=shift(-1))
    assert designation.expert_score == Decimal("82.33")
    services.objection_record(
        designation=designation,
        actor=admin,
        received_on=shift(-3),
        content="数据有误",
        resolution="经核实无误",
    )

    client.force_login(admin)
    before = client.get(reverse("designation:targets")).content.decode()
    services.designation_decide(
        designation=designation, actor=admin, approve=True, level="city", year=2026, funding=Decimal("30")
    )
    after = client.get(reverse("designation:targets")).content.decode()
    assert float(_share(after, "city-town-2030")) > float(_share(before, "city-town-2030"))
    assert designation.status == Designation.Status.BUILDING
    assert designation.build_end == designation.build_start.replace(year=designation.build_start.year + 3)
    assert Funding.objects.get(designation=designation).amount == Decimal("30.00")

    # a county designation moves the county share the same way
    services.designation_apply(
        actor=admin, region=Region.objects.get(code="360124"), level="city", theme="ecology", year=2026
    )
    jinxian = Designation.objects.get(region_id="360124", level="city")
    services.material_add(designation=jinxian, actor=admin, title="申报书", filename="a.pdf", content=PDF)
    services.formal_check(designation=jinxian, actor=admin, checklist=CHECKLIST_OK)
    services.experts_assign(designation=jinxian, actor=admin, experts=[*panel[1:], expert("t_e_uni3")])
    for review in jinxian.reviews.all():
        services.review_score(review=review, actor=review.expert, scores=FULL_MARKS)
    services.notice_start(designation=jinxian, actor=admin, start=shift(-8), end=shift(-1))
    services.designation_decide(designation=jinxian, actor=admin, approve=True)
    later = client.get(reverse("designation:targets")).content.decode()
    assert float(_share(later, "city-county-2030")) > float(_share(after, "city-county-2030"))

    for year in range(designation.build_start.year, designation.build_start.year + 3):
        services.build_report_submit(designation=designation, actor=county, year=year, text="进展顺利")
    services.acceptance_record(
        designation=designation, actor=admin, result="excellent", today=designation.build_end
    )
    assert designation.status == Designation.Status.ACCEPTED
    statuses = list(designation.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[0] == "recommended" and statuses[-1] == "accepted" and "notice" in statuses

    item = TaskItem.objects.get(parent=None, number="三（一）")
    overdue = tasks.task_item_add(
        parent=item, actor=admin, title="完成首批试点评审", deadline=shift(-5), confirm_past=True
    )
    tasks.task_assign(
        item=overdue,
        actor=admin,
        region=Region.objects.get(code="360121"),
        deadline=shift(-5),
        confirm_past=True,
    )
    overview = client.get(reverse("supervision:overview")).content.decode()
    section = overview.split('data-testid="overdue"')[1].split("</section>")[0]
    assert "完成首批试点评审" in section


# --- refused transitions: the Chinese message, and nothing written ------------------------------------------


def test_an_expert_from_the_applicants_county_is_refused(demo, users, panel):
    designation = applied(users["county"])
    services.formal_check(designation=designation, actor=users["city_admin"], checklist=CHECKLIST_OK)
    local = expert("t_e_local", "360121105")  # a town of 南昌县: the applicant's county
    with pytest.raises(DomainError) as refused:
        services.experts_assign(designation=designation, actor=users["city_admin"], experts=[*panel, local])
    assert any("须回避" in p and "南昌县" in p for p in refused.value.problems)
    assert not ExpertReview.objects.filter(designation=designation).exists()
    designation.refresh_from_db()
    assert designation.status == Designation.Status.CHECKED


def test_fewer_than_three_experts_are_refused(demo, users, panel):
    designation = applied(users["county"])
    services.formal_check(designation=designation, actor=users["city_admin"], checklist=CHECKLIST_OK)
    with pytest.raises(DomainError) as refused:
        services.experts_assign(designation=designation, actor=users["city_admin"], experts=panel[:2])
    assert "至少分配 3 名专家" in refused.value.problems[0]
    assert not designation.reviews.exists()


def _on_notice(users, panel, end: datetime.date) -> Designation:
    designation = reviewing(users["city_admin"], panel)
    for review in designation.reviews.all():
        services.review_score(review=review, actor=review.expert, scores=FULL_MARKS)
    return services.notice_start(designation=designation, actor=users["city_admin"], start=shift(-5), end=end)


def test_a_decision_before_the_public_notice_ends_is_refused(demo, users, panel):
    designation = _on_notice(users, panel, end=shift(2))
    with pytest.raises(DomainError, match="公示期满后") as refused:
        services.designation_decide(designation=designation, actor=users["city_admin"], approve=True)
    assert str(shift(2)) in refused.value.message
    designation.refresh_from_db()
    assert designation.status == Designation.Status.NOTICE and designation.decided_at is None
    assert not Funding.objects.filter(designation=designation).exists()


def test_a_decision_with_an_unresolved_objection_is_refused(demo, users, panel):
    designation = _on_notice(users, panel, end=shift(-1))
    services.objection_record(
        designation=designation, actor=users["city_admin"], received_on=shift(-2), content="异议"
    )
    with pytest.raises(DomainError, match="1 条公示异议未处理"):
        services.designation_decide(designation=designation, actor=users["city_admin"], approve=True)
    designation.refresh_from_db()
    assert designation.status == Designation.Status.NOTICE


def test_notice_before_every_expert_scored_is_refused(demo, users, panel):
    designation = reviewing(users["city_admin"], panel)
    with pytest.raises(DomainError, match="还有专家未评分"):
        services.notice_start(
            designation=designation, actor=users["city_admin"], start=shift(0), end=shift(7)
        )
    designation.refresh_from_db()
    assert designation.status == Designation.Status.REVIEWING and designation.notice_start is None


def test_acceptance_before_the_building_period_ends_is_refused(demo, users, panel):
    designation = _on_notice(users, panel, end=shift(-1))
    services.designation_decide(designation=designation, actor=users["city_admin"], approve=True)
    day_before = designation.build_end - datetime.timedelta(days=1)
    with pytest.raises(DomainError, match="期满后才能评估验收"):
        services.acceptance_record(
            designation=designation, actor=users["city_admin"], result="pass", today=day_before
        )
    designation.refresh_from_db()
    assert designation.status == Designation.Status.BUILDING and designation.acceptance == ""


def test_a_second_application_for_a_level_pending_is_refused(demo, users):
    applied(users["county"])
    count = Designation.objects.count()
    with pytest.raises(DomainError, match=r"已有申报正在办理.*不能重复申报同一级别"):
        applied(users["county"])
    assert Designation.objects.count() == count


def test_a_second_application_for_a_level_held_is_refused(demo, users):
    assert Designation.objects.filter(region_id="360121100", level="city", status="accepted").exists()  # demo
    count = Designation.objects.count()
    with pytest.raises(DomainError, match="「莲塘镇」已获认定"):
        services.designation_apply(
            actor=users["county"],
            region=Region.objects.get(code="360121100"),
            level="city",
            theme="industry",
            year=2026,
        )
    assert Designation.objects.count() == count
    # a higher level is a new application
    services.designation_apply(
        actor=users["county"],
        region=Region.objects.get(code="360121100"),
        level="province",
        theme="industry",
        year=2026,
    )


def test_an_application_for_a_town_of_another_county_is_refused(demo, users):
    count = Designation.objects.count()
    with pytest.raises(DomainError, match="不属于南昌县，不能为其他县（区）的乡镇申报"):
        services.designation_apply(
            actor=users["county"],
            region=Region.objects.get(code="360124102"),
            level="city",
            theme="industry",
            year=2026,
        )
    assert Designation.objects.count() == count


def test_a_progress_report_on_a_closed_task_is_refused(demo, users):
    admin = users["city_admin"]
    item = tasks.task_item_add(parent=TaskItem.objects.get(number="三（三）"), actor=admin, title="测试任务")
    tasks.task_close(item=item, actor=admin)
    with pytest.raises(DomainError, match="已办结，不能再报送进展"):
        tasks.task_report_submit(item=item, actor=admin, percent=50, text="补报")
    assert not TaskReport.objects.filter(item=item).exists()


def test_a_file_over_the_size_limit_is_refused(demo, users):
    designation = applied(users["county"])
    before = Material.objects.count()
    with pytest.raises(DomainError, match=r"超过.*上限"):
        services.material_add(
            designation=designation,
            actor=users["county"],
            title="大文件",
            filename="大.pdf",
            content=PDF + bytes(20 * 1024 * 1024),
        )
    assert Material.objects.count() == before


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("程序.exe", b"MZ\x90\x00", "类型不被接受"),
        ("伪装.pdf", "这其实是文本".encode(), "不是 PDF|扩展名与实际内容不符|类型不被接受"),
        ("图片.pdf", PNG, "不是 PDF|扩展名与实际内容不符"),
        ("旧版.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "类型不被接受"),
    ],
)
def test_a_file_of_a_refused_type_is_refused(demo, users, filename, content, message):
    designation = applied(users["county"])
    before = Material.objects.count()
    with pytest.raises(DomainError, match=message):
        services.material_add(
            designation=designation, actor=users["county"], title="x", filename=filename, content=content
        )
    assert Material.objects.count() == before


def test_accepted_types_are_stored_with_their_content_type(demo, users):
    designation = applied(users["county"])
    material = services.material_add(
        designation=designation, actor=users["county"], title="照片", filename="现场.png", content=PNG
    )
    assert material.content_type == "image/png" and bytes(material.content) == PNG


# --- the rest of the rules ----------------------------------------------------------------------------------


def test_formal_check_with_a_missing_item_returns_the_application(demo, users):
    designation = applied(users["county"])
    checklist = dict(CHECKLIST_OK, building_plan=False)
    services.formal_check(designation=designation, actor=users["city_admin"], checklist=checklist)
    assert designation.status == Designation.Status.RETURNED
    assert "建设方案" in designation.check_note and designation.data_evaluation == {}


def test_a_score_outside_the_sheet_is_refused(demo, users, panel):
    designation = reviewing(users["city_admin"], panel)
    review = designation.reviews.first()
    with pytest.raises(DomainError) as refused:
        services.review_score(
            review=review, actor=review.expert, scores=dict(FULL_MARKS, basis=30, plan="好")
        )
    assert "「创新基础与条件」应在 0–25 分之间，实际为 30。" in refused.value.problems
    assert "「建设方案与目标的科学性」应为数字，实际为「好」。" in refused.value.problems
    review.refresh_from_db()
    assert review.total is None


def test_five_experts_drop_the_highest_and_lowest():
    totals = [Decimal(x) for x in ("60", "80", "82", "84", "99")]
    assert expert_score_of(totals) == Decimal("82.00")
    assert expert_score_of(totals[1:4]) == Decimal("82.00")


def test_only_the_assigned_expert_may_score(demo, users, panel):
    from django.core.exceptions import PermissionDenied

    designation = reviewing(users["city_admin"], panel)
    review = designation.reviews.first()
    with pytest.raises(PermissionDenied):
        services.review_score(
            review=review, actor=panel[1] if review.expert != panel[1] else panel[0], scores=FULL_MARKS
        )


def test_revocation_needs_a_reason_and_drops_the_designation_from_the_count(demo, users):
    from county_innovation.designation.targets import all_target_progress

    held = Designation.objects.get(region_id="360121100", status="accepted")
    with pytest.raises(DomainError, match="请填写撤销原因"):
        services.designation_revoke(designation=held, actor=users["city_admin"], reason=" ")
    before = {r.target.pk: r.current for r in all_target_progress()}
    services.designation_revoke(designation=held, actor=users["city_admin"], reason="弄虚作假")
    after = {r.target.pk: r.current for r in all_target_progress()}
    assert held.status == Designation.Status.REVOKED
    assert sum(before.values()) > sum(after.values())


def test_funding_must_be_positive_and_only_for_held_designations(demo, users):
    held = Designation.objects.filter(status="accepted").first()
    with pytest.raises(DomainError, match="应大于 0"):
        services.funding_grant(designation=held, actor=users["city_admin"], year=2026, amount="-5")
    pending = applied(users["county"])
    with pytest.raises(DomainError, match="未处于认定有效状态"):
        services.funding_grant(designation=pending, actor=users["city_admin"], year=2026, amount="10")
    assert not Funding.objects.filter(designation=pending).exists()
