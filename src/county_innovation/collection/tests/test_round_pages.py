"""The round pages: reporting rate per county and department (hand-counted), late submitters, value history."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from county_innovation.collection import selectors
from county_innovation.collection.models import Submission, SubmissionEvent
from county_innovation.collection.services import rounds
from county_innovation.indicators.selectors import framework_latest
from county_innovation.regions.models import Region

pytestmark = pytest.mark.django_db
PERIOD = 2026


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def past_round(users):
    """A town round of 南昌县's and 进贤县's towns whose deadline was ten days ago."""
    today = timezone.localdate()
    towns = list(Region.objects.filter(level="town", code__regex=r"^36012[14]").order_by("code"))
    return rounds.round_create(
        actor=users["city_admin"],
        framework=framework_latest("town"),
        period=PERIOD,
        opens_on=today - dt.timedelta(days=40),
        deadline=today - dt.timedelta(days=10),
        regions=towns,
    )


def hand_in(submission: Submission, user, days_after_deadline: int) -> None:
    """Record a submission as handed in ``days_after_deadline`` days after the deadline (negative: before)."""
    when = timezone.make_aware(
        dt.datetime.combine(submission.round.deadline, dt.time(12)) + dt.timedelta(days=days_after_deadline)
    )
    event = SubmissionEvent.objects.create(
        submission=submission, action="submit", from_status="draft", to_status="submitted", actor=user
    )
    SubmissionEvent.objects.filter(pk=event.pk).update(at=when)
    Submission.objects.filter(pk=submission.pk).update(
        status="submitted", submitted_at=when, submitted_by=user
    )


def test_reporting_rate_per_county_counts_complete_and_on_time(past_round, users):
    subs = {s.region_id: s for s in past_round.submissions.select_related("round")}
    nanchang = sorted(c for c in subs if c.startswith("360121"))
    jinxian = sorted(c for c in subs if c.startswith("360124"))
    hand_in(subs[nanchang[0]], users["town"], -3)  # on time
    hand_in(subs[nanchang[1]], users["county"], 0)  # on the deadline day itself: on time
    hand_in(subs[nanchang[2]], users["county"], 2)  # late
    progress = selectors.round_progress(past_round)
    rows = {r.label: r for r in progress["counties"]}
    n, j = rows["南昌县"], rows["进贤县"]
    assert (n.total, n.submitted, n.on_time) == (len(nanchang), 3, 2)
    assert n.complete_pct == round(100 * 3 / len(nanchang), 1)
    assert n.on_time_pct == round(100 * 2 / len(nanchang), 1)
    assert (j.total, j.submitted, j.on_time) == (len(jinxian), 0, 0)
    # late: the one handed in after the deadline, and every one not handed in at all (the deadline has passed)
    assert len(n.late) == 1 + len(nanchang) - 3 and len(j.late) == len(jinxian)
    assert progress["overall"].total == len(subs)
    rate = selectors.round_reporting_rate(past_round.framework, PERIOD)
    assert rate["complete_pct"] == round(100 * 3 / len(subs), 1)


def test_the_round_page_shows_the_rates_and_the_late_list(past_round, users):
    page = (
        login(users["city_admin"])
        .get(reverse("collection:round_detail", args=[past_round.pk]))
        .content.decode()
    )
    assert "各县（区）填报情况" in page and "南昌县" in page and "进贤县" in page
    assert 'data-testid="late-list"' in page and "已过截止日期" in page
    assert "发布并锁定数据" in page
    # a county officer sees only its own county's submissions, and no management actions
    page = (
        login(users["county"]).get(reverse("collection:round_detail", args=[past_round.pk])).content.decode()
    )
    assert "莲塘镇" in page and "进贤县" not in page and "发布并锁定数据" not in page


def test_the_round_list_shows_the_demo_rounds(users):
    page = login(users["county"]).get(reverse("collection:round_list")).content.decode()
    assert "2024年度乡（镇、街道）创新发展评价指标体系数据填报" in page
    assert "已发布" in page and "填报中" in page
    assert "发布新的填报任务" not in page
    assert (
        "发布新的填报任务"
        in login(users["city_admin"]).get(reverse("collection:round_list")).content.decode()
    )


def test_a_values_history_page_lists_every_change(users):
    today = timezone.localdate()
    rounds.round_create(
        actor=users["city_admin"],
        framework=framework_latest("town"),
        period=PERIOD,
        opens_on=today,
        deadline=today + dt.timedelta(days=5),
    )
    client = login(users["town"])
    grid = reverse("collection:grid", args=["360121100", PERIOD])
    client.post(grid, {"v_town_tech_smes": "12", "action": "draft"})
    client.post(grid, {"v_town_tech_smes": "14", "c_town_tech_smes": "补录两家", "action": "draft"})
    client.post(grid, {"v_town_tech_smes": "", "action": "draft"})
    page = client.get(reverse("collection:value_history", args=["360121100", PERIOD, "town_tech_smes"]))
    text = page.content.decode()
    rows = text[text.index('data-testid="value-history"') :]
    assert rows.index("删除") < rows.index("补录两家") < rows.index(">12<")
    assert "（删除前 14）" in rows and "网页填报" in rows
    # another town's officer cannot read it
    response = login(users["other_county"]).get(
        reverse("collection:value_history", args=["360121100", PERIOD, "town_tech_smes"])
    )
    assert response.status_code == 403
