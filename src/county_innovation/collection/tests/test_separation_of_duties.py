"""Separation of duties: the approver of a submission is never the person who submitted it
nor one who entered its values since it was last sent back; a deployment may switch the rule off."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.accounts.tests.api_sample import call, token_for
from county_innovation.collection import selectors
from county_innovation.collection.services import rounds
from county_innovation.collection.tests.test_workflow import (
    LIANTANG,
    NANCHANG,
    PERIOD,
    login,
    messages_of,
    submission,
    town_values,
    write,
)
from county_innovation.common.errors import DomainError
from county_innovation.indicators.selectors import framework_latest
from county_innovation.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def town_round(users):
    today = timezone.localdate()
    return rounds.round_create(
        actor=users["city_admin"],
        framework=framework_latest("town"),
        period=PERIOD,
        opens_on=today,
        deadline=today + dt.timedelta(days=10),
    )


def _colleague(username: str, role: str, region: str) -> User:
    """A second officer of the same unit, who may approve what the first one entered."""
    return User.objects.create_user(
        username=username, password="test-pass-2025", role=role, region=Region.objects.get(code=region)
    )


def _town_values(round_) -> dict[str, str]:
    return {k[2:]: v for k, v in town_values(round_.framework).items()}


def test_the_county_officer_who_submitted_a_towns_data_cannot_approve_it(users, town_round):
    s = submission(town_round, LIANTANG)
    write(users["county"], LIANTANG, _town_values(town_round))
    rounds.submission_submit(actor=users["county"], submission=s)
    with pytest.raises(DomainError, match=r"由您本人提交.*不能由您本人审核通过"):
        rounds.submission_approve(actor=users["county"], submission=s)
    s.refresh_from_db()
    assert s.status == "submitted" and s.decided_by is None
    rounds.submission_approve(actor=_colleague("t_nanchangxian_2", "county", NANCHANG), submission=s)
    s.refresh_from_db()
    assert s.status == "approved"


def test_an_officer_who_entered_values_cannot_approve_what_the_town_then_submitted(users, town_round):
    s = submission(town_round, LIANTANG)
    write(users["town"], LIANTANG, _town_values(town_round))
    write(users["county"], LIANTANG, {"town_tech_smes": "14"})
    rounds.submission_submit(actor=users["town"], submission=s)
    with pytest.raises(DomainError, match="由您本人填报（录入或导入）"):
        rounds.submission_approve(actor=users["county"], submission=s)
    # sent back, corrected and resubmitted by the town alone: the county officer may approve this round
    rounds.submission_return(actor=users["county"], submission=s, comment="请核实科技型中小企业数")
    write(users["town"], LIANTANG, {"town_tech_smes": "13"})
    rounds.submission_submit(actor=users["town"], submission=s)
    rounds.submission_approve(actor=users["county"], submission=s)
    s.refresh_from_db()
    assert s.status == "approved" and s.decided_by == users["county"]


def test_the_city_admin_who_entered_county_data_cannot_approve_it(users):
    today = timezone.localdate()
    county_fw = framework_latest("county")
    round_ = rounds.round_create(
        actor=users["city_admin"],
        framework=county_fw,
        period=PERIOD,
        opens_on=today,
        deadline=today + dt.timedelta(days=10),
    )
    stats = submission(round_, NANCHANG, "statistics")
    from county_innovation.collection.services.entry import data_values_save

    data_values_save(
        actor=users["city_admin"],
        region=Region.objects.get(code=NANCHANG),
        period=PERIOD,
        framework=county_fw,
        values={
            i.code: "2.5" if i.value_kind == "percent" else "1200"
            for i in selectors.owner_indicators(county_fw, "statistics")
        },
        submit=False,
        channel="form",
    )
    rounds.submission_submit(actor=users["department"], submission=stats)
    with pytest.raises(DomainError, match="审核与填报分离"):
        rounds.submission_approve(actor=users["city_admin"], submission=stats)
    rounds.submission_approve(actor=_colleague("t_admin_2", "city_admin", "360100"), submission=stats)
    stats.refresh_from_db()
    assert stats.status == "approved"


def test_a_deployment_may_switch_the_rule_off(users, town_round, settings):
    settings.SEPARATE_APPROVAL = False
    s = submission(town_round, LIANTANG)
    write(users["county"], LIANTANG, _town_values(town_round))
    rounds.submission_submit(actor=users["county"], submission=s)
    rounds.submission_approve(actor=users["county"], submission=s)
    s.refresh_from_db()
    assert s.status == "approved"


def test_the_page_explains_the_refusal(users, town_round):
    s = submission(town_round, LIANTANG)
    write(users["county"], LIANTANG, _town_values(town_round))
    rounds.submission_submit(actor=users["county"], submission=s)
    response = login(users["county"]).post(reverse("collection:submission_approve", args=[s.pk]), follow=True)
    assert response.status_code == 200
    assert any("不能由您本人审核通过" in m and "另一名" in m for m in messages_of(response))
    s.refresh_from_db()
    assert s.status == "submitted"


def test_the_submitter_is_not_shown_the_approve_button(users, town_round):
    s = submission(town_round, LIANTANG)
    write(users["county"], LIANTANG, _town_values(town_round))
    rounds.submission_submit(actor=users["county"], submission=s)
    page = login(users["county"]).get(reverse("collection:submission_detail", args=[s.pk])).content.decode()
    approve = reverse("collection:submission_approve", args=[s.pk])
    assert approve not in page and "不能由您本人审核通过" in page
    assert reverse("collection:submission_return", args=[s.pk]) in page  # sending it back stays possible
    colleague = _colleague("t_nanchangxian_3", "county", NANCHANG)
    assert (
        approve in login(colleague).get(reverse("collection:submission_detail", args=[s.pk])).content.decode()
    )


def test_the_api_refuses_with_a_chinese_reason(users, town_round):
    s = submission(town_round, LIANTANG)
    write(users["county"], LIANTANG, _town_values(town_round))
    rounds.submission_submit(actor=users["county"], submission=s)
    status, body = call(
        Client(), "post", f"/api/submissions/{s.pk}/approve", {}, token=token_for(users["county"])
    )
    assert status == 400 and "不能由您本人审核通过" in body["detail"]
    s.refresh_from_db()
    assert s.status == "submitted"
