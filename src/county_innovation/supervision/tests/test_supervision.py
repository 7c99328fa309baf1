"""Task supervision: the seeded tree, assignments, progress reports, overdue/stalled flags, overview and export."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from county_innovation.common.errors import DomainError
from county_innovation.designation.selectors import county_task_progress
from county_innovation.regions.models import Region
from county_innovation.supervision import selectors, services
from county_innovation.supervision.models import (
    STALL_DAYS,
    TaskAssignment,
    TaskAttachment,
    TaskItem,
    TaskReport,
)
from county_innovation.supervision.seeds import KEY_TASKS, SAFEGUARDS

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_the_policys_ten_key_tasks_and_five_safeguards_are_seeded_verbatim(db):
    roots = TaskItem.objects.filter(parent=None)
    assert roots.filter(kind="task").count() == 10 and roots.filter(kind="safeguard").count() == 5
    assert KEY_TASKS[0][1] == "加快建设创新型县（区）、乡（镇）"
    assert [t[1] for t in SAFEGUARDS] == [
        "强化组织领导",
        "加强部门协调",
        "加大支持力度",
        "落实评价考核",
        "做好宣传总结",
    ]
    leading = roots.get(number="四（一）")
    assert "南昌市科技创新领导小组" in leading.description


def test_tree_order_puts_children_under_their_parent(demo):
    rows = selectors.task_tree()
    numbers = [r.item.number for r in rows]
    assert numbers[0] == "三（一）" and numbers[1] == "三（一）-1"
    assert numbers.index("四（一）") > numbers.index("三（十）")
    assert all(r.depth == (1 if "-" in r.item.number else 0) for r in rows)


def test_overdue_and_stalled_items_are_flagged(demo, users):
    admin = users["city_admin"]
    parent = TaskItem.objects.get(number="三（五）")
    late = services.task_item_add(
        parent=parent, actor=admin, title="逾期任务", deadline=_days(-1), confirm_past=True
    )
    services.task_assign(item=late, actor=admin, department="science")
    quiet = services.task_item_add(parent=parent, actor=admin, title="停滞任务", deadline=_days(90))
    services.task_assign(item=quiet, actor=admin, region=Region.objects.get(code="360121"))
    services.task_report_submit(
        item=quiet,
        actor=admin,
        percent=20,
        text="开始",
        reported_at=timezone.now() - datetime.timedelta(days=STALL_DAYS + 1),
    )
    fresh = services.task_item_add(parent=parent, actor=admin, title="正常任务", deadline=_days(90))
    services.task_assign(item=fresh, actor=admin, department="science")
    services.task_report_submit(item=fresh, actor=admin, percent=20, text="开始")
    data = selectors.overview()
    flags = {r.item.title: r.flag for r in data["rows"]}
    assert flags["逾期任务"] == "逾期" and flags["停滞任务"] == "停滞" and flags["正常任务"] == "正常推进"
    assert late.pk in {r.item.pk for r in data["overdue"]}


def test_a_finished_item_is_not_overdue(demo, users):
    admin = users["city_admin"]
    item = services.task_item_add(
        parent=TaskItem.objects.get(number="三（六）"),
        actor=admin,
        title="已完成",
        deadline=_days(-3),
        confirm_past=True,
    )
    services.task_report_submit(item=item, actor=admin, percent=100, text="完成")
    row = next(r for r in selectors.task_tree() if r.item.pk == item.pk)
    assert not row.overdue and row.percent == 100


def test_a_county_reports_on_its_own_item_and_the_report_names_its_unit(demo, users):
    item = TaskItem.objects.get(parent=None, number="三（七）")  # 南昌县 supports it (demo)
    report = services.task_report_submit(
        item=item, actor=users["county"], percent=45, text="完成科技特派员选派", files=[("说明.pdf", PDF)]
    )
    assert report.assignment.region_id == "360121"
    assert TaskAttachment.objects.get(report=report).content_type == "application/pdf"
    assert report.history.count() == 1


def test_a_county_not_assigned_cannot_report(demo, users):
    from django.core.exceptions import PermissionDenied

    item = TaskItem.objects.get(parent=None, number="三（九）")
    with pytest.raises(PermissionDenied, match="只有该任务的牵头或配合单位"):
        services.task_report_submit(item=item, actor=users["county"], percent=10, text="x")
    assert not TaskReport.objects.filter(item=item, reported_by=users["county"]).exists()


def test_bad_reports_are_refused_with_every_problem(demo, users):
    item = TaskItem.objects.get(parent=None, number="三（七）")
    before = TaskReport.objects.count()
    with pytest.raises(DomainError) as refused:
        services.task_report_submit(
            item=item, actor=users["county"], percent=120, text=" ", files=[("病毒.exe", b"MZ")]
        )
    assert "请填写进展情况。" in refused.value.problems
    assert any("0–100" in p for p in refused.value.problems)
    assert any("病毒.exe" in p or "不被接受" in p or "不是" in p for p in refused.value.problems)
    assert TaskReport.objects.count() == before


def test_assignment_rules(demo, users):
    admin = users["city_admin"]
    item = TaskItem.objects.get(parent=None, number="三（四）")
    with pytest.raises(DomainError, match="二者选其一"):
        services.task_assign(item=item, actor=admin)
    with pytest.raises(DomainError, match="不是县（区）"):
        services.task_assign(item=item, actor=admin, region=Region.objects.get(code="360121100"))
    with pytest.raises(DomainError, match="不能重复分工"):
        services.task_assign(item=item, actor=admin, department="hr")  # the demo's lead
    assert TaskAssignment.objects.filter(item=item).count() == 1


def test_closing_needs_the_children_closed(demo, users):
    admin = users["city_admin"]
    parent = TaskItem.objects.get(parent=None, number="三（一）")
    with pytest.raises(DomainError, match="还有未办结的任务"):
        services.task_close(item=parent, actor=admin)
    parent.refresh_from_db()
    assert not parent.is_closed


def test_county_task_progress_lists_the_countys_items(demo):
    rows = county_task_progress(Region.objects.get(code="360121"))
    assert rows and set(rows[0]) == {"task", "deadline", "percent", "overdue"}
    by_task = {r["task"]: r for r in rows}
    assert by_task["三（二）-1 编制县域特色产业集群培育清单"]["overdue"] is (
        timezone.localdate() > datetime.date(2025, 12, 31)
    )
    assert by_task["三（二）-1 编制县域特色产业集群培育清单"]["percent"] == 60


def test_overview_page_and_export_list_the_overdue_item(demo, users, client):
    admin = users["city_admin"]
    item = services.task_item_add(
        parent=TaskItem.objects.get(number="三（八）"),
        actor=admin,
        title="督办导出测试",
        deadline=_days(-2),
        confirm_past=True,
    )
    services.task_assign(item=item, actor=admin, department="development")
    client.force_login(users["department"])
    page = client.get(reverse("supervision:overview")).content.decode()
    assert "督办导出测试" in page.split('data-testid="overdue"')[1].split("</section>")[0]
    response = client.get(reverse("supervision:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert "演示数据" in ws["A1"].value
    rows = {r[1].strip("　") if r[1] else "": r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["督办导出测试"][-1] == "逾期" and rows["督办导出测试"][3] == "市发改委"


def test_item_page_shows_the_report_form_only_to_its_units(demo, users, client):
    item = TaskItem.objects.get(parent=None, number="三（七）")
    client.force_login(users["county"])
    assert "报送进展" in client.get(reverse("supervision:item", args=[item.pk])).content.decode()
    client.force_login(users["town"])
    page = client.get(reverse("supervision:item", args=[item.pk])).content.decode()
    assert "报送进展</h3>" not in page


def test_a_report_posted_through_the_page_is_saved(demo, users, client):
    item = TaskItem.objects.get(parent=None, number="三（七）")
    client.force_login(users["county"])
    response = client.post(
        reverse("supervision:report", args=[item.pk]), {"percent": "35", "text": "网页报送"}
    )
    assert response.status_code == 302
    assert TaskReport.objects.filter(item=item, text="网页报送", percent=35).exists()


# --- An assignment's deadline is its own; a past deadline needs a confirmation -------------


def test_a_supporting_units_deadline_does_not_rewrite_the_items(demo, users):
    admin = users["city_admin"]
    item = services.task_item_add(
        parent=TaskItem.objects.get(number="三（三）"), actor=admin, title="长期任务", deadline=_days(1500)
    )
    services.task_assign(item=item, actor=admin, department="science", deadline=_days(1500))
    services.task_assign(
        item=item,
        actor=admin,
        role=TaskAssignment.Role.SUPPORT,
        region=Region.objects.get(code="360124"),
        deadline=_days(-10),
        confirm_past=True,
    )
    item.refresh_from_db()
    row = next(r for r in selectors.task_tree() if r.item.pk == item.pk)
    assert item.deadline == _days(1500) and row.deadline == _days(1500)
    assert not row.overdue and row.flag != "逾期"
    assert [a.unit_label for a in row.overdue_units] == ["进贤县"]
    data = selectors.overview()
    assert item.pk not in {r.item.pk for r in data["overdue"]}
    assert item.pk in {r.item.pk for r in data["overdue_units"]}
    # the county's own view uses the county's own deadline
    county_rows = {
        r.item.pk: r for r in selectors.item_progress_rows(region=Region.objects.get(code="360124"))
    }
    assert county_rows[item.pk].deadline == _days(-10) and county_rows[item.pk].overdue


def test_the_demo_parent_tasks_keep_their_2030_deadline_beside_supporting_counties(demo):
    row = next(r for r in selectors.task_tree() if r.item.number == "三（一）")
    assert row.deadline == datetime.date(2030, 12, 31)


def test_a_deadline_in_the_past_needs_a_confirmation(demo, users):
    admin = users["city_admin"]
    item = TaskItem.objects.get(parent=None, number="三（四）")
    with pytest.raises(DomainError, match="早于今天"):
        services.task_assign(item=item, actor=admin, department="finance", deadline=_days(-1))
    with pytest.raises(DomainError, match="确认完成时限早于今天"):
        services.task_item_add(parent=item, actor=admin, title="补录任务", deadline=_days(-1))
    assert not TaskAssignment.objects.filter(item=item, department="finance").exists()
    services.task_assign(item=item, actor=admin, department="finance", deadline=_days(-1), confirm_past=True)
    assert TaskAssignment.objects.filter(item=item, department="finance").exists()


def test_the_assign_form_asks_for_the_confirmation_in_chinese(demo, users, client):
    item = TaskItem.objects.get(parent=None, number="三（四）")
    client.force_login(users["city_admin"])
    url = reverse("supervision:assign", args=[item.pk])
    data = {"role": "support", "region": "360124", "deadline": _days(-3).isoformat()}
    page = client.post(url, data, follow=True).content.decode()
    assert "早于今天" in page and not TaskAssignment.objects.filter(item=item, region="360124").exists()
    client.post(url, {**data, "confirm_past": "on"})
    assert TaskAssignment.objects.filter(item=item, region="360124", deadline=_days(-3)).exists()


def test_tasks_due_for_lists_the_units_own_deadlines_soonest_first(demo, users):
    admin = users["city_admin"]
    item = services.task_item_add(
        parent=TaskItem.objects.get(number="三（五）"), actor=admin, title="月底前完成", deadline=_days(400)
    )
    services.task_assign(
        item=item, actor=admin, role="support", region=Region.objects.get(code="360121"), deadline=_days(5)
    )
    county = users["county"]  # 南昌县
    rows = selectors.tasks_due_for(county)
    assert item.pk in {r.item.pk for r in rows}
    mine = next(r for r in rows if r.item.pk == item.pk)
    assert mine.deadline == _days(5)
    assert [r.deadline for r in rows] == sorted(r.deadline for r in rows)
    assert all(r.percent < 100 and not r.item.is_closed for r in rows)
    # another county is not given 南昌县's item
    assert item.pk not in {r.item.pk for r in selectors.tasks_due_for(users["other_county"])}
    assert selectors.tasks_due_for(users["expert"]) == []
