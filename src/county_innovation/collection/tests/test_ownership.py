"""A county's own data: the indicator's owner fills and submits it; others only read it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from county_innovation.collection import policies
from county_innovation.collection.models import Submission
from county_innovation.collection.services import entry
from county_innovation.indicators.defaults import COUNTY_INDICATORS
from county_innovation.indicators.models import DataValue, Indicator
from county_innovation.regions.models import Region

PERIOD = 2025  # the demo's open round
NANCHANG_COUNTY = "360121"
OWN = ["hightech_enterprises", "tech_smes", "innovation_clusters"]  # 科技: the county's own
STATISTICS = "rd_expenditure"  # 市统计局's


def test_default_county_framework_gives_the_county_indicators_of_its_own():
    own = [d.code for d in COUNTY_INDICATORS if not d.owner]
    departments = {d.owner for d in COUNTY_INDICATORS if d.owner}
    assert set(OWN) <= set(own) and 0 < len(own) < len(COUNTY_INDICATORS)
    assert departments == {"statistics", "finance", "taxation"}


def test_county_officer_may_edit_only_the_county_s_own_indicators(demo, users):
    county = Region.objects.get(code=NANCHANG_COUNTY)
    own = Indicator.objects.get(code="hightech_enterprises")
    stats = Indicator.objects.get(code=STATISTICS)
    assert policies.data.can_edit(users["county"], county, own)
    assert not policies.data.can_edit(users["county"], county, stats)
    assert policies.data.can_edit(users["department"], county, stats)
    assert not policies.data.can_edit(users["department"], county, own)


def test_county_grid_shows_department_cells_read_only_with_the_owner_named(demo, client_for):
    client = client_for("county")
    html = client.get(reverse("collection:grid", args=[NANCHANG_COUNTY, PERIOD])).content.decode()
    for code in OWN:
        assert f'name="v_{code}"' in html
    assert f'name="v_{STATISTICS}"' not in html
    assert 'name="v_fiscal_st_share"' not in html
    assert "由市统计局填报" in html and "由市财政局填报" in html and "由市税务局填报" in html
    assert "全社会R&amp;D经费支出" in html  # others' indicators are listed, not hidden


def test_county_posting_a_department_cell_is_refused_and_nothing_is_credited(demo, client_for):
    client = client_for("county")
    response = client.post(
        reverse("collection:grid", args=[NANCHANG_COUNTY, PERIOD]),
        {f"v_{STATISTICS}": "123", "action": "draft"},
    )
    assert response.status_code == 403
    assert "市统计局" in response.content.decode()
    assert not DataValue.objects.filter(region_id=NANCHANG_COUNTY, period=PERIOD, indicator__code=STATISTICS)


def test_county_saves_and_submits_its_own_indicators_while_departments_are_empty(demo, users, client_for):
    client = client_for("county")
    own = [i for i in Indicator.objects.filter(level="county", origin="reported", owner="")]
    last = {
        dv.indicator.code: dv.value
        for dv in DataValue.objects.filter(region_id=NANCHANG_COUNTY, period=PERIOD - 1, indicator__in=own)
    }
    data = {f"v_{i.code}": str(round(last.get(i.code, 10) * Decimal("1.05"))) for i in own}
    data["action"] = "submit"
    response = client.post(reverse("collection:grid", args=[NANCHANG_COUNTY, PERIOD]), data, follow=True)
    text = response.content.decode()
    assert "数据已提交" in text, text[:3000]
    subs = {s.owner: s for s in Submission.objects.filter(round__period=PERIOD, region_id=NANCHANG_COUNTY)}
    assert subs[""].status == Submission.Status.SUBMITTED
    assert subs[""].submitted_by == users["county"]
    assert all(s.status == Submission.Status.DRAFT for owner, s in subs.items() if owner)
    stored = DataValue.objects.get(region_id=NANCHANG_COUNTY, period=PERIOD, indicator__code="tech_smes")
    assert stored.updated_by == users["county"]
    assert stored.value == round(last["tech_smes"] * Decimal("1.05"))


def test_county_cannot_submit_a_department_s_submission(demo, users):
    sub = Submission.objects.get(round__period=PERIOD, region_id=NANCHANG_COUNTY, owner="statistics")
    assert not policies.submissions.allows(users["county"], "submit", sub)
    assert policies.submissions.allows(users["department"], "submit", sub)


def test_department_value_is_credited_to_the_department(demo, users):
    from county_innovation.indicators.models import Framework

    framework = Framework.objects.filter(code="county").order_by("-version").first()
    county = Region.objects.get(code=NANCHANG_COUNTY)
    entry.data_values_save(
        actor=users["department"],
        region=county,
        period=PERIOD,
        framework=framework,
        values={STATISTICS: "5000"},
        submit=False,
        channel=DataValue.Channel.FORM,
    )
    dv = DataValue.objects.get(region_id=NANCHANG_COUNTY, period=PERIOD, indicator__code=STATISTICS)
    assert dv.updated_by == users["department"]


def test_round_page_lists_each_county_with_its_own_submission_state(demo, users, client_for):
    from county_innovation.collection.models import CollectionRound

    round_ = CollectionRound.objects.get(framework__code="county", period=PERIOD)
    sub = Submission.objects.get(round=round_, region_id=NANCHANG_COUNTY, owner="")
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.SUBMITTED)
    html = client_for("city_admin").get(reverse("collection:round_detail", args=[round_.pk])).content.decode()
    section = html.split('data-testid="county-rates"')[1].split("</table>")[0]
    assert "南昌县" in section and "进贤县" in section
    assert "县（区）本级填报" in section
    assert "已提交" in section


@pytest.mark.parametrize("role", ["county", "town"])
def test_county_and_town_never_edit_department_indicators_of_a_town(demo, users, role):
    town = Region.objects.get(code="360121100")
    own = Indicator.objects.get(code="town_tech_smes")
    assert policies.data.can_edit(users[role], town, own)
