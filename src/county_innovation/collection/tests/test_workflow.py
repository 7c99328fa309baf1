"""Collection rounds end to end through the web client, and each refused transition.

The whole round: the city opens it → towns submit → the county returns one with a comment → the town fixes
and resubmits → the county approves → the city approves the county-level data → publish → values locked;
every step leaves an audit record.
"""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.accounts.tests.api_sample import submission_versions
from county_innovation.collection import selectors
from county_innovation.collection.models import CollectionRound, Submission, SubmissionEvent
from county_innovation.collection.services import entry, rounds
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue, Framework, Indicator
from county_innovation.indicators.selectors import framework_latest
from county_innovation.regions.models import Region

PERIOD = 2026  # the demo has published rounds for 2020–2024 and an open one for 2025
LIANTANG, XIANGTANG, NANCHANG = "360121100", "360121101", "360121"
TOWN_VALUES = {
    "town_hightech_enterprises": "6",
    "town_tech_smes": "15",
    "town_fiscal_st_spending": "320",
    "town_patents_granted": "40",
    "town_outreach_events": "12",
    "town_new_enterprises": "150",
    "town_agri_demo_bases": "2",
}

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def town_values(framework: Framework) -> dict[str, str]:
    codes = [i.code for i in selectors.reported_indicators(framework)]
    return {f"v_{code}": TOWN_VALUES.get(code, "5") for code in codes}


def submission(round_: CollectionRound, region: str, owner: str = "") -> Submission:
    return Submission.objects.get(round=round_, region_id=region, owner=owner)


def open_round(client: Client, framework: Framework) -> CollectionRound:
    today = timezone.localdate()
    response = client.post(
        reverse("collection:round_list"),
        {
            "framework": framework.pk,
            "period": PERIOD,
            "opens_on": today.isoformat(),
            "deadline": (today + dt.timedelta(days=30)).isoformat(),
            "title": "",
            "note": "",
        },
    )
    assert response.status_code == 302, messages_of(response)
    return CollectionRound.objects.get(framework__code=framework.code, period=PERIOD)


def test_a_whole_round_from_opening_to_locked_values(users):
    admin, county, town = login(users["city_admin"]), login(users["county"]), login(users["town"])
    department = login(users["department"])
    town_fw, county_fw = framework_latest("town"), framework_latest("county")

    # 1. the city opens a round for each framework
    town_round = open_round(admin, town_fw)
    county_round = open_round(admin, county_fw)
    assert (
        town_round.submissions.count() == Region.objects.filter(level="town", code__startswith="3601").count()
    )

    # 2. towns fill in and submit: 莲塘镇 by its own officer, 向塘镇 by the county officer who collects for it
    grid = reverse("collection:grid", args=[LIANTANG, PERIOD])
    response = town.post(grid, town_values(town_fw) | {"action": "submit"}, follow=True)
    assert "已提交，等待审核" in " ".join(messages_of(response))
    response = county.post(
        reverse("collection:grid", args=[XIANGTANG, PERIOD]), town_values(town_fw) | {"action": "submit"}
    )
    assert response.status_code == 302
    liantang = submission(town_round, LIANTANG)
    assert liantang.status == "submitted"
    assert set(
        DataValue.objects.filter(region_id=LIANTANG, period=PERIOD).values_list("status", flat=True)
    ) == {"submitted"}

    # a submitted value cannot be changed any more
    response = town.post(grid, {"v_town_tech_smes": "16", "action": "draft"}, follow=True)
    assert any("已提交" in m and "不能再修改" in m for m in messages_of(response))
    assert (
        DataValue.objects.get(region_id=LIANTANG, period=PERIOD, indicator__code="town_tech_smes").value == 15
    )

    # 3. the county returns 莲塘镇 with a comment; the town sees it
    page = county.get(reverse("collection:round_detail", args=[town_round.pk])).content.decode()
    assert "待您审核（2）" in page
    response = county.post(
        reverse("collection:submission_return", args=[liantang.pk]),
        {"comment": "科技型中小企业数与入库名单不符，请核实"},
    )
    assert response.status_code == 302
    liantang.refresh_from_db()
    assert liantang.status == "returned" and "入库名单" in liantang.return_comment
    assert "科技型中小企业数与入库名单不符" in town.get(grid).content.decode()

    # 4. the town fixes the value and resubmits
    response = town.post(grid, {"v_town_tech_smes": "13", "action": "submit"}, follow=True)
    assert "已提交，等待审核" in " ".join(messages_of(response))
    liantang.refresh_from_db()
    assert liantang.status == "submitted"

    # 5. the county approves both towns; 向塘镇, which the first officer entered, by a colleague (separation
    # of duties: nobody approves what they entered or submitted themselves)
    colleague = login(
        User.objects.create_user(
            username="t_nanchangxian_b", role="county", region=Region.objects.get(code=NANCHANG)
        )
    )
    for region, approver in ((LIANTANG, county), (XIANGTANG, colleague)):
        s = submission(town_round, region)
        assert approver.post(reverse("collection:submission_approve", args=[s.pk])).status_code == 302
        s.refresh_from_db()
        assert s.status == "approved"

    # 6. the statistics bureau submits its indicators for 南昌县; the city approves them
    stats = submission(county_round, NANCHANG, "statistics")
    values = {
        f"v_{i.code}": "2.5" if i.value_kind == "percent" else "1200"
        for i in selectors.owner_indicators(county_fw, "statistics")
    }
    response = department.post(
        reverse("collection:grid", args=[NANCHANG, PERIOD]), values | {"action": "submit"}
    )
    assert response.status_code == 302
    stats.refresh_from_db()
    assert stats.status == "submitted"
    # a county officer may not approve county-level data; the city does
    response = county.post(reverse("collection:submission_approve", args=[stats.pk]))
    assert response.status_code == 403 and "应由市科技局审核" in response.content.decode()
    stats.refresh_from_db()
    assert stats.status == "submitted"
    admin.post(reverse("collection:submission_approve", args=[stats.pk]))
    stats.refresh_from_db()
    assert stats.status == "approved"

    # 7. publish: refused while regions have not submitted, accepted when they are taken as missing
    publish = reverse("collection:round_publish", args=[town_round.pk])
    response = admin.post(publish, follow=True)
    assert any("尚未审核通过" in m for m in messages_of(response))
    town_round.refresh_from_db()
    assert town_round.status == "open"
    admin.post(publish, {"allow_unsubmitted": "on"})
    admin.post(reverse("collection:round_publish", args=[county_round.pk]), {"allow_unsubmitted": "on"})
    town_round.refresh_from_db()
    assert town_round.status == "published"

    # 8. values locked: the grid, the API and the city admin are all refused
    assert set(
        DataValue.objects.filter(region_id=LIANTANG, period=PERIOD).values_list("status", flat=True)
    ) == {"locked"}
    response = town.post(grid, {"v_town_tech_smes": "99", "action": "draft"}, follow=True)
    assert any("已发布" in m for m in messages_of(response))
    response = admin.put(
        f"/api/data/{LIANTANG}/{PERIOD}",
        {
            "framework": "town",
            "values": {"town_tech_smes": "99"},
            "submission_versions": submission_versions(LIANTANG, PERIOD, "town"),
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "已发布" in response.json()["detail"]
    assert (
        DataValue.objects.get(region_id=LIANTANG, period=PERIOD, indicator__code="town_tech_smes").value == 13
    )

    # every step left an audit record
    actions = list(SubmissionEvent.objects.filter(submission=liantang).values_list("action", flat=True))
    assert actions == ["save", "submit", "return", "save", "submit", "approve", "lock"]
    history = DataValue.history.filter(region_id=LIANTANG, period=PERIOD, indicator__code="town_tech_smes")
    assert [h.value for h in history.order_by("history_date", "history_id")] == [15, 13]
    assert history.first().history_user == users["town"]

    # the audit export holds the value change and the return with its comment
    response = admin.get(reverse("collection:audit_export", args=[town_round.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    changes = [[c.value for c in row] for row in book["数据变更记录"].iter_rows(min_row=3)]
    assert [LIANTANG, "莲塘镇", "town_tech_smes"] == changes[[r[2] for r in changes].index("town_tech_smes")][
        :3
    ]
    assert any(r[5] == 15 and r[6] == 13 for r in changes if r[0] == LIANTANG and r[2] == "town_tech_smes")
    steps = [[c.value for c in row] for row in book["填报流程记录"].iter_rows(min_row=3)]
    assert any(r[0] == LIANTANG and r[3] == "退回" and "入库名单" in r[7] for r in steps)
    assert "演示数据" in book["数据变更记录"]["A1"].value


# --- refusals ------------------------------------------------------------------------------------------------


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


def write(user, region: str, values: dict[str, str], **kwargs):
    return entry.data_values_save(
        actor=user,
        region=Region.objects.get(code=region),
        period=PERIOD,
        framework=framework_latest("town"),
        values=values,
        submit=False,
        channel="form",
        **kwargs,
    )


def test_a_round_is_refused_twice_and_with_a_deadline_before_its_start(users, town_round):
    with pytest.raises(DomainError, match="已有填报任务"):
        rounds.round_create(
            actor=users["city_admin"],
            framework=town_round.framework,
            period=PERIOD,
            opens_on=dt.date(2027, 1, 1),
            deadline=dt.date(2026, 12, 1),
        )
    with pytest.raises(DomainError, match="早于开始日期"):
        rounds.round_create(
            actor=users["city_admin"],
            framework=framework_latest("county"),
            period=PERIOD,
            opens_on=dt.date(2027, 1, 1),
            deadline=dt.date(2026, 12, 1),
        )
    assert CollectionRound.objects.filter(period=PERIOD).count() == 1


def test_only_the_city_admin_opens_a_round(users):
    for role in ("county", "town", "department", "expert"):
        response = login(users[role]).post(reverse("collection:round_list"), {"period": PERIOD})
        assert response.status_code == 403
    assert not CollectionRound.objects.filter(period=PERIOD).exists()


def test_no_entry_without_a_round(users):
    with pytest.raises(DomainError, match="尚未发布填报任务"):
        write(users["town"], LIANTANG, {"town_tech_smes": "5"})
    assert not DataValue.objects.filter(period=PERIOD).exists()


def test_entry_into_a_closed_round_is_refused(users, town_round):
    rounds.round_close(actor=users["city_admin"], round_=town_round)
    with pytest.raises(DomainError, match="已截止"):
        write(users["town"], LIANTANG, {"town_tech_smes": "5"})
    assert not DataValue.objects.filter(period=PERIOD).exists()
    s = submission(town_round, LIANTANG)
    with pytest.raises(DomainError, match="不能再提交"):
        rounds.submission_submit(actor=users["town"], submission=s)


def test_a_round_that_has_not_opened_yet_is_refused(users):
    today = timezone.localdate()
    rounds.round_create(
        actor=users["city_admin"],
        framework=framework_latest("town"),
        period=PERIOD,
        opens_on=today + dt.timedelta(days=3),
        deadline=today + dt.timedelta(days=30),
    )
    with pytest.raises(DomainError, match="开始，目前还不能填报"):
        write(users["town"], LIANTANG, {"town_tech_smes": "5"})


def test_the_second_of_two_concurrent_saves_is_refused(users, town_round):
    s = submission(town_round, LIANTANG)
    seen = s.version  # both officers opened the grid at this version
    write(users["town"], LIANTANG, {"town_tech_smes": "5"}, versions={s.pk: seen})
    with pytest.raises(entry.EditConflict, match="为避免覆盖他人的修改"):
        write(users["county"], LIANTANG, {"town_tech_smes": "7"}, versions={s.pk: seen})
    assert (
        DataValue.objects.get(region_id=LIANTANG, period=PERIOD, indicator__code="town_tech_smes").value == 5
    )


def test_the_grid_refuses_a_stale_page(users, town_round):
    s = submission(town_round, LIANTANG)
    grid = reverse("collection:grid", args=[LIANTANG, PERIOD])
    first, second = login(users["town"]), login(users["county"])
    form = {"v_town_tech_smes": "5", f"ver_{s.pk}": str(s.version), "action": "draft"}
    first.post(grid, form)
    response = second.post(grid, form | {"v_town_tech_smes": "9"}, follow=True)
    assert any("为避免覆盖他人的修改" in m for m in messages_of(response))
    assert (
        DataValue.objects.get(region_id=LIANTANG, period=PERIOD, indicator__code="town_tech_smes").value == 5
    )


def test_a_return_needs_a_comment_and_only_the_towns_county_approves(users, town_round):
    s = submission(town_round, LIANTANG)
    write(users["town"], LIANTANG, {k[2:]: v for k, v in town_values(town_round.framework).items()})
    rounds.submission_submit(actor=users["town"], submission=s)
    with pytest.raises(DomainError, match="必须填写退回意见"):
        rounds.submission_return(actor=users["county"], submission=s, comment="  ")
    from django.core.exceptions import PermissionDenied

    for role in ("other_county", "town", "department", "city_admin"):
        with pytest.raises(PermissionDenied, match="应由所属县（区）科技局审核"):
            rounds.submission_approve(actor=users[role], submission=s)
    s.refresh_from_db()
    assert s.status == "submitted"
    assert not SubmissionEvent.objects.filter(submission=s, action__in=["approve", "return"]).exists()


def test_approved_data_reopens_only_by_the_city_with_a_reason(users, town_round):
    s = submission(town_round, LIANTANG)
    write(users["town"], LIANTANG, {k[2:]: v for k, v in town_values(town_round.framework).items()})
    rounds.submission_submit(actor=users["town"], submission=s)
    rounds.submission_approve(actor=users["county"], submission=s)
    with pytest.raises(DomainError, match="已审核"):
        write(users["county"], LIANTANG, {"town_tech_smes": "1"})
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="只有市科技局管理员"):
        rounds.submission_reopen(actor=users["county"], submission=s, reason="更正")
    with pytest.raises(DomainError, match="必须填写原因"):
        rounds.submission_reopen(actor=users["city_admin"], submission=s, reason="")
    rounds.submission_reopen(actor=users["city_admin"], submission=s, reason="统计局更正了口径")
    s.refresh_from_db()
    assert s.status == "draft"
    event = SubmissionEvent.objects.filter(submission=s).last()
    assert (
        event.action == "reopen"
        and event.comment == "统计局更正了口径"
        and event.actor == users["city_admin"]
    )
    write(users["town"], LIANTANG, {"town_tech_smes": "1"})


def test_a_submission_needs_every_value_and_an_explanation_for_a_big_change(users, town_round):
    s = submission(town_round, LIANTANG)
    with pytest.raises(DomainError) as refused:
        rounds.submission_submit(actor=users["town"], submission=s)
    assert any("必填" in p for p in refused.value.problems)
    patents = Indicator.objects.get(code="town_patents_granted")
    DataValue.objects.create(region_id=LIANTANG, period=PERIOD - 1, indicator=patents, value=Decimal(40))
    values = {k[2:]: v for k, v in town_values(town_round.framework).items()} | {"town_patents_granted": "61"}
    write(users["town"], LIANTANG, values)  # +52.5 % on last year: saved, with a warning
    with pytest.raises(DomainError) as refused:
        rounds.submission_submit(actor=users["town"], submission=s)
    assert [p for p in refused.value.problems if "专利授权数" in p and "说明" in p]
    s.refresh_from_db()
    assert s.status == "draft"
    write(
        users["town"],
        LIANTANG,
        {"town_patents_granted": "61"},
        comments={"town_patents_granted": "新引进两家企业"},
    )
    rounds.submission_submit(actor=users["town"], submission=s)
    s.refresh_from_db()
    assert s.status == "submitted"


def test_formula_and_registry_values_cannot_be_typed(users, town_round):
    framework = town_round.framework
    registry = Indicator.objects.create(
        code="t_registry", name="名录企业数", unit="家", level="town", value_kind="count", origin="registry"
    )
    from county_innovation.indicators.models import FrameworkNode

    FrameworkNode.objects.create(
        framework=framework,
        code="t_registry",
        name=registry.name,
        indicator=registry,
        parent=FrameworkNode.objects.get(framework=framework, code="index").children.first(),
    )
    with pytest.raises(entry.EntryInvalid) as refused:
        write(users["town"], LIANTANG, {"t_registry": "5"})
    assert "由登记名录自动发布" in refused.value.cell_problems["t_registry"]
    assert not DataValue.objects.filter(indicator=registry).exists()


def test_formula_indicators_are_evaluated_when_read():
    from county_innovation.indicators.selectors import data_values_for, formula_value

    patents = Indicator.objects.create(
        code="t_patents", name="发明专利拥有量", unit="件", level="county", value_kind="count"
    )
    people = Indicator.objects.create(
        code="t_people", name="常住人口", unit="人", level="county", value_kind="count"
    )
    density = Indicator.objects.create(
        code="t_density",
        name="万人发明专利拥有量",
        unit="件/万人",
        level="county",
        value_kind="rate",
        origin="formula",
        numerator=patents,
        denominator=people,
        factor=Decimal(10000),
    )
    assert density.formula_text == "发明专利拥有量 ÷ 常住人口 × 10000"
    region = Region.objects.get(code=NANCHANG)
    DataValue.objects.create(region=region, period=PERIOD, indicator=patents, value=Decimal(1234))
    DataValue.objects.create(region=region, period=PERIOD, indicator=people, value=Decimal(1036000))
    values = data_values_for(regions=[region], period=PERIOD, indicators=[density, patents])
    # 1234 / 1,036,000 × 10,000 = 11.911196… in decimal arithmetic
    assert values[(NANCHANG, "t_density")] == Decimal("11.911197")
    assert values[(NANCHANG, "t_patents")] == 1234
    assert formula_value(density, Decimal(1), Decimal(0)) is None
    assert (NANCHANG, "t_density") not in data_values_for(
        regions=[region], period=PERIOD - 1, indicators=[density]
    )


def test_the_approval_steps_through_the_api(users, town_round):
    from county_innovation.accounts.tests.api_sample import call, token_for

    s = submission(town_round, LIANTANG)
    write(users["town"], LIANTANG, {k[2:]: v for k, v in town_values(town_round.framework).items()})
    status, body = call(Client(), "post", f"/api/submissions/{s.pk}/submit", token=token_for(users["town"]))
    assert status == 200 and body["status"] == "submitted"
    status, body = call(
        Client(), "post", f"/api/submissions/{s.pk}/return", {"comment": ""}, token=token_for(users["county"])
    )
    assert status == 400 and "必须填写退回意见" in body["detail"]
    status, body = call(
        Client(), "post", f"/api/submissions/{s.pk}/approve", {}, token=token_for(users["county"])
    )
    assert status == 200 and body["status"] == "approved"
    status, body = call(Client(), "get", f"/api/rounds/{town_round.pk}", token=token_for(users["county"]))
    assert status == 200
    nanchang = next(r for r in body["counties"] if r["label"] == "南昌县")
    assert nanchang["submitted"] == 1 and nanchang["approved"] == 1
    assert [r["label"] for r in body["counties"]] == ["南昌县"]  # a county sees only its own
