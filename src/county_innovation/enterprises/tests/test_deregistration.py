"""Deregistration (注销): a recorded state, never a deletion. The service's refusals, who may record it, the
enterprise page's form, the list's filter, the API, and the registry counts published per year."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from county_innovation.accounts.tests.api_sample import call, token_for
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.enterprises import services
from county_innovation.enterprises.models import Enterprise, EnterpriseStatus
from county_innovation.enterprises.publishing import enterprise_figures
from county_innovation.enterprises.tests.conftest import count_rows

REASON = "经营期限届满，已在市场监管部门办理注销登记"


def _deregister(actor, firm, on=None, reason=REASON):
    return services.enterprise_deregister(
        actor=actor, enterprise=firm, on=on or timezone.localdate() - timedelta(days=10), reason=reason
    )


def test_the_county_officer_deregisters_and_the_entry_stays(users, firm):
    rows = count_rows()
    on = date(timezone.localdate().year - 1, 6, 30)
    _deregister(users["county"], firm, on=on)
    firm.refresh_from_db()
    assert firm.status == EnterpriseStatus.DEREGISTERED and firm.is_deregistered
    assert firm.deregistered_on == on and firm.deregistration_reason == REASON
    assert count_rows() == rows  # nothing deleted: the entry, its figures and qualifications stay
    last = firm.history.order_by("-history_date", "-history_id").first()
    assert last.status == EnterpriseStatus.DEREGISTERED and last.history_user == users["county"]


def test_the_city_admin_may_deregister_any_enterprise(users, other_firm):
    _deregister(users["city_admin"], other_firm)
    assert Enterprise.objects.get(pk=other_firm.pk).is_deregistered


@pytest.mark.parametrize("role", ["other_county", "town", "department", "expert", "enterprise"])
def test_others_may_not_deregister(users, firm, role):
    with pytest.raises(PermissionDenied, match="无权注销"):
        _deregister(users[role], firm)
    assert not Enterprise.objects.get(pk=firm.pk).is_deregistered


def test_a_missing_reason_and_a_future_date_are_refused_in_chinese(users, firm):
    with pytest.raises(DomainError, match="请填写注销原因"):
        _deregister(users["county"], firm, reason="   ")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError, match="晚于今天"):
        _deregister(users["county"], firm, on=tomorrow)
    with pytest.raises(DomainError, match="早于成立日期"):
        _deregister(users["county"], firm, on=date(2000, 1, 1))
    with pytest.raises(DomainError) as both:
        _deregister(users["county"], firm, on=tomorrow, reason="")
    assert len(both.value.problems) == 2
    assert not Enterprise.objects.get(pk=firm.pk).is_deregistered


def test_an_enterprise_is_deregistered_once(users, firm):
    _deregister(users["county"], firm)
    with pytest.raises(DomainError, match="不能重复注销"):
        _deregister(users["city_admin"], firm)


def test_a_service_needs_an_actor(firm):
    with pytest.raises(TypeError):
        _deregister(None, firm)


# --- Pages and API --------------------------------------------------------------------------------------------


def test_the_enterprise_page_offers_the_form_to_its_county_only(client_for, firm):
    page = client_for("county").get(reverse("enterprises:detail", args=[firm.pk])).content.decode()
    assert 'data-testid="enterprise-deregister"' in page and "注销原因" in page
    page = client_for("other_county").get(reverse("enterprises:detail", args=[firm.pk])).content.decode()
    assert 'data-testid="enterprise-deregister"' not in page


def test_the_form_needs_the_confirmation_and_records_the_deregistration(client_for, firm):
    client = client_for("county")
    url = reverse("enterprises:deregister", args=[firm.pk])
    on = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client.post(url, {"on": on, "reason": REASON}, follow=True)
    assert "请勾选确认" in response.content.decode()
    assert not Enterprise.objects.get(pk=firm.pk).is_deregistered
    response = client.post(url, {"on": on, "reason": "", "confirm": "on"}, follow=True)
    assert not Enterprise.objects.get(pk=firm.pk).is_deregistered
    response = client.post(url, {"on": on, "reason": REASON, "confirm": "on"}, follow=True)
    page = response.content.decode()
    assert "注销" in page and 'data-testid="enterprise-status"' in page
    assert Enterprise.objects.get(pk=firm.pk).is_deregistered


def test_another_county_is_refused_by_the_page(client_for, firm):
    url = reverse("enterprises:deregister", args=[firm.pk])
    response = client_for("other_county").post(
        url, {"on": timezone.localdate().isoformat(), "reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 403
    assert not Enterprise.objects.get(pk=firm.pk).is_deregistered


def test_the_list_shows_the_state_and_filters_by_it(client_for, users, firm, other_firm):
    _deregister(users["city_admin"], other_firm)
    client = client_for("city_admin")
    page = client.get(reverse("enterprises:list")).content.decode()
    assert "已注销" in page and firm.name in page and other_firm.name in page
    page = client.get(reverse("enterprises:list"), {"status": "deregistered"}).content.decode()
    assert other_firm.name in page and firm.name not in page
    page = client.get(reverse("enterprises:list"), {"status": "active"}).content.decode()
    assert firm.name in page and other_firm.name not in page


def test_the_api_returns_the_state_and_date(users, firm, other_firm):
    on = timezone.localdate() - timedelta(days=5)
    _deregister(users["county"], firm, on=on)
    status, answer = call(
        Client(), "get", f"/api/enterprises/{firm.pk}", None, token=token_for(users["county"])
    )
    assert status == 200
    assert answer["status"] == "deregistered" and answer["status_label"] == "注销"
    assert answer["deregistered_on"] == on.isoformat()
    status, answer = call(
        Client(), "get", f"/api/enterprises/{firm.pk}", None, token=token_for(users["other_county"])
    )
    assert status == 403 and "管辖范围" in answer["detail"]
    status, answer = call(Client(), "get", "/api/enterprises/999999", None, token=token_for(users["county"]))
    assert status == 404


# --- Published registry counts ---------------------------------------------------------------------------------


def test_counts_of_a_year_leave_out_enterprises_deregistered_by_its_end(users, firm):
    """``firm`` (莲塘镇) holds a 高企 certificate from 2022 and reports R&D every year: deregistered in the middle
    of last year, it counts for the years before, not for last year."""
    last = timezone.localdate().year - 1
    services.qualification_add(
        actor=system("测试"),
        enterprise=firm,
        kind="hightech",
        number="GR202236000077",
        valid_from=date(last - 2, 1, 10),
    )
    town, county = firm.town_id, firm.town_id[:6]
    before = {year: enterprise_figures(year) for year in (last - 1, last)}
    _deregister(users["county"], firm, on=date(last, 7, 1))
    after = {year: enterprise_figures(year) for year in (last - 1, last)}
    # the year before the deregistration keeps its figures
    assert after[last - 1] == before[last - 1]
    # the year of the deregistration leaves the enterprise out of counts and R&D sums
    assert after[last][(town, "town_reg_hightech")] == before[last][(town, "town_reg_hightech")] - 1
    assert after[last][(county, "reg_hightech")] == before[last][(county, "reg_hightech")] - 1
    firm_rd = firm.years.get(year=last).rd_expense
    assert after[last][(county, "reg_rd_expense")] == before[last][(county, "reg_rd_expense")] - firm_rd


def test_a_pool_round_leaves_out_enterprises_deregistered_by_its_year_end(users, firm, other_firm):
    from county_innovation.enterprises.models import CultivationRound
    from county_innovation.enterprises.services import cultivation_round_open

    CultivationRound.objects.all().delete()  # the session's demo rounds; this test opens its own
    last = timezone.localdate().year - 1
    _deregister(users["city_admin"], other_firm, on=date(last, 3, 1))
    pool_round = cultivation_round_open(actor=users["city_admin"], year=last)
    placed = set(pool_round.entries.values_list("enterprise_id", flat=True))
    assert firm.pk in placed and other_firm.pk not in placed


def test_a_deregistered_enterprise_is_not_reminded_and_offers_no_new_year(client_for, users, firm):
    from county_innovation.enterprises.models import QualificationKind
    from county_innovation.enterprises.selectors import qualifications_expiring

    today = timezone.localdate()
    services.qualification_add(
        actor=users["county"],
        enterprise=firm,
        kind=QualificationKind.HIGHTECH,
        number="GR202436009999",
        valid_from=today - timedelta(days=1000),
        valid_to=today + timedelta(days=30),
    )
    firm_only = Enterprise.objects.filter(pk=firm.pk)
    assert qualifications_expiring(firm_only).count() == 1
    before = client_for("county").get(reverse("enterprises:detail", args=[firm.pk])).content.decode()
    assert re.search(r"填报 \d{4} 年数据", before)
    _deregister(users["county"], firm)
    assert qualifications_expiring(firm_only).count() == 0
    page = client_for("county").get(reverse("enterprises:detail", args=[firm.pk])).content.decode()
    assert "请及时办理复审" not in page and not re.search(r"填报 \d{4} 年数据", page)
    assert f"原因：{REASON}" in page
