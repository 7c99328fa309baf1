"""The 工作台: every role lands on it after login and sees what waits for it, and only that."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.collection.models import CollectionRound, Submission
from county_innovation.common.protection import deletion_permitted
from county_innovation.designation.models import Designation, ExpertReview
from county_innovation.enterprises.models import Qualification
from county_innovation.supervision.models import TaskAssignment, TaskItem
from county_innovation.web import workbench

pytestmark = pytest.mark.django_db


def _page(client, username: str) -> str:
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("web:workbench"))
    assert response.status_code == 200
    return response.content.decode()


def _open_town_submission() -> Submission:
    round_ = CollectionRound.objects.filter(status=CollectionRound.Status.OPEN, framework__code="town").get()
    return Submission.objects.get(round=round_, region_id="360121100", owner="")


@pytest.mark.parametrize("username", ["admin", "tongji", "nanchangxian", "liantang", "expert", "enterprise"])
def test_every_demo_account_lands_on_its_workbench(client, username):
    response = client.post(reverse("accounts:login"), {"username": username, "password": "demo-2025"})
    assert response.status_code == 302 and response["Location"] == reverse("web:workbench")
    page = client.get(response["Location"]).content.decode()
    assert "<h1>工作台</h1>" in page
    assert reverse("web:dashboard") in page  # the city dashboard stays in the menu


def test_sections_follow_the_role(db):
    keys = {
        username: [s.key for s in workbench.workbench_sections(User.objects.get(username=username))]
        for username in ["admin", "tongji", "nanchangxian", "liantang", "expert", "enterprise"]
    }
    assert keys == {
        "admin": ["approve", "designation", "tasks", "certificates"],
        "tongji": ["fill", "tasks"],
        "nanchangxian": ["fill", "approve", "tasks", "certificates"],
        "liantang": ["fill"],
        "expert": ["review"],
        "enterprise": ["certificates", "enterprises"],
    }


def test_town_fills_then_county_approves(client):
    submission = _open_town_submission()
    grid = reverse("collection:grid", args=["360121100", submission.round.period])
    page = _page(client, "liantang")
    assert 'data-testid="wb-fill-count">1<' in page and grid in page
    assert 'data-testid="wb-approve"' not in page
    assert reverse("collection:submission_detail", args=[submission.pk]) not in _page(client, "nanchangxian")

    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.save()
    assert 'data-testid="wb-fill-count">0<' in _page(client, "liantang")
    county = _page(client, "nanchangxian")
    assert reverse("collection:submission_detail", args=[submission.pk]) in county
    # another county's officer has nothing of 莲塘镇 to approve, and a returned submission is to fill again
    assert reverse("collection:submission_detail", args=[submission.pk]) not in _page(client, "jinxian")
    submission.status = Submission.Status.RETURNED
    submission.return_comment = "研发经费与上年差异过大，请核实"
    submission.save()
    assert "退回意见：研发经费与上年差异过大，请核实" in _page(client, "liantang")


def test_expert_sees_the_reviews_waiting_for_a_score(client):
    expert = User.objects.get(username="expert")
    designation = Designation.objects.filter(status=Designation.Status.REVIEWING).order_by("pk").first()
    review, _ = ExpertReview.objects.get_or_create(designation=designation, expert=expert)
    review.scored_at, review.total = None, None
    review.save()
    page = _page(client, "expert")
    assert reverse("designation:score", args=[review.pk]) in page
    review.scored_at, review.total = timezone.now(), 80
    review.save()
    assert reverse("designation:score", args=[review.pk]) not in _page(client, "expert")


def test_county_sees_its_tasks_due_and_its_certificates_expiring(client):
    today = timezone.localdate()
    item = TaskItem.objects.filter(closed_at__isnull=True).order_by("pk").first()
    with deletion_permitted("test: replace 南昌县's assignment with an overdue one"):
        TaskAssignment.objects.filter(item=item, region_id="360121").delete()
    TaskAssignment.objects.create(item=item, region_id="360121", deadline=today - timedelta(days=3))
    qualification = Qualification.objects.filter(enterprise__town__code__startswith="360124").first()
    qualification.valid_to = today + timedelta(days=10)
    qualification.save()

    due = workbench.tasks_due(User.objects.get(username="nanchangxian"), today=today)
    assert any(r.item.pk == item.pk and r.overdue for r in due)
    page = _page(client, "nanchangxian")
    assert reverse("supervision:item", args=[item.pk]) in page and "已逾期" in page
    # a certificate of 进贤县 is 进贤县's reminder, not 南昌县's
    assert reverse("enterprises:detail", args=[qualification.enterprise_id]) not in page
    assert reverse("enterprises:detail", args=[qualification.enterprise_id]) in _page(client, "jinxian")


def test_enterprise_sees_its_own_certificate_expiring(client):
    enterprise = User.objects.get(username="enterprise").enterprises.first()
    qualification = Qualification.objects.create(
        enterprise=enterprise,
        kind="tech_sme",
        number="WB-TEST-1",
        valid_from=timezone.localdate() - timedelta(days=300),
        valid_to=timezone.localdate() + timedelta(days=20),
    )
    page = _page(client, "enterprise")
    assert 'data-testid="wb-certificates-count">1<' in page and qualification.get_kind_display() in page
    assert reverse("enterprises:self_check", args=[enterprise.pk]) in page


@pytest.mark.parametrize(
    ("username", "shown"),
    [
        ("admin", True),
        ("tongji", True),
        ("nanchangxian", True),
        ("liantang", False),
        ("expert", False),
        ("enterprise", False),
    ],
)
def test_api_docs_in_the_menu_only_for_roles_that_use_the_api(client, username, shown):
    page = _page(client, username)
    assert ('href="/api/docs"' in page) is shown
