"""The entry grid: who reaches which region, what it shows, and how saving and submitting behave."""

from decimal import Decimal

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from county_innovation.collection.services import entry
from county_innovation.common.errors import DomainError
from county_innovation.indicators.models import DataValue
from county_innovation.regions.models import Region

PERIOD = 2025  # the demo covers 2020–2024
NANCHANG_COUNTY, JINXIAN = "360121", "360124"
LIANTANG, XIANGTANG = "360121100", "360121101"


def grid_url(region_code: str, period: int = PERIOD) -> str:
    return reverse("collection:grid", args=[region_code, period])


def value_of(region_code: str, indicator_code: str, period: int = PERIOD) -> DataValue | None:
    return DataValue.objects.filter(
        region_id=region_code, indicator__code=indicator_code, period=period
    ).first()


def store(users, region_code, indicator_code, value, *, period=PERIOD, status="draft"):
    from county_innovation.indicators.models import Indicator

    dv, _ = DataValue.objects.update_or_create(
        region_id=region_code,
        indicator=Indicator.objects.get(code=indicator_code),
        period=period,
        defaults={"value": Decimal(value), "status": status, "updated_by": users["county"]},
    )
    return dv


def entered() -> QuerySet[DataValue]:
    """Values of the period under test (the demo's earlier years are not touched by these tests)."""
    return DataValue.objects.filter(period=PERIOD)


# --- who gets in --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("collection:entry"),
        reverse("collection:grid", args=[NANCHANG_COUNTY, PERIOD]),
        reverse("collection:template", args=["county", PERIOD]),
        reverse("collection:import", args=["county", PERIOD]),
    ],
)
def test_anonymous_user_is_sent_to_login(client, users, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_expert_has_no_data_entry(client_for):
    response = client_for("expert").get(reverse("collection:entry"))
    assert response.status_code == 403
    assert "您的账号没有数据填报权限" in response.content.decode()


def test_county_officer_overview_lists_their_county_and_each_of_its_towns(client_for, users):
    store(users, LIANTANG, "town_tech_smes", "12")
    page = client_for("county").get(reverse("collection:entry"), {"period": PERIOD}).content.decode()
    assert "南昌县" in page and "莲塘镇" in page and "向塘镇" in page
    assert "进贤县" not in page
    towns = Region.objects.filter(code__startswith=NANCHANG_COUNTY, level="town").count()
    assert page.count(f'/{PERIOD}/">填报</a>') == towns + 1
    assert "1 / 8" in page  # 莲塘镇: one of eight town indicators filled


def test_town_officer_overview_lists_only_their_town(client_for):
    page = client_for("town").get(reverse("collection:entry"), {"period": PERIOD}).content.decode()
    assert "莲塘镇" in page
    assert "向塘镇" not in page
    assert "县（区）创新驱动发展评价指标体系" not in page
    assert page.count(f'/{PERIOD}/">填报</a>') == 1


# --- scope --------------------------------------------------------------------------------------------------


def test_county_officer_cannot_open_another_countys_grid(client_for):
    response = client_for("county").get(grid_url(JINXIAN))
    assert response.status_code == 403
    assert "您无权查看「进贤县」的填报数据" in response.content.decode()


def test_county_officer_cannot_save_into_another_countys_grid(client_for):
    response = client_for("county").post(
        grid_url(JINXIAN), {"v_hightech_enterprises": "30", "action": "draft"}
    )
    assert response.status_code == 403
    assert "进贤县" in response.content.decode()
    assert not entered().exists()


def test_town_officer_cannot_read_another_towns_unsubmitted_data(client_for, users):
    store(users, XIANGTANG, "town_patents_granted", "4321")
    response = client_for("town").get(grid_url(XIANGTANG))
    assert response.status_code == 403
    page = response.content.decode()
    assert "您无权查看「向塘镇」的填报数据" in page
    assert "4321" not in page


def test_town_officer_cannot_save_another_towns_data(client_for):
    response = client_for("town").post(grid_url(XIANGTANG), {"v_town_tech_smes": "3", "action": "submit"})
    assert response.status_code == 403
    assert not entered().exists()


def test_department_sees_only_the_indicators_it_owns(client_for):
    page = client_for("department").get(grid_url(JINXIAN)).content.decode()  # 市统计局, any county
    assert 'name="v_rd_expenditure"' in page  # statistics
    assert 'name="v_hightech_enterprises"' not in page  # science
    assert 'name="v_fiscal_st_share"' not in page  # finance


def test_department_cannot_edit_an_indicator_it_does_not_own(client_for):
    response = client_for("department").post(
        grid_url(JINXIAN), {"v_rd_expenditure": "1200", "v_fiscal_st_share": "3.2", "action": "draft"}
    )
    assert response.status_code == 403
    assert (
        "您无权填报指标「本级财政科学技术支出占当年本级财政一般公共预算支出比重」"
        in response.content.decode()
    )
    assert not entered().exists()


def test_department_saves_its_own_indicator_for_any_county(client_for, users):
    response = client_for("department").post(
        grid_url(JINXIAN), {"v_rd_expenditure": "1200.5", "action": "draft"}
    )
    assert response.status_code == 302
    dv = value_of(JINXIAN, "rd_expenditure")
    assert dv.value == Decimal("1200.5") and dv.updated_by == users["department"]


# --- saving -------------------------------------------------------------------------------------------------


def test_county_officer_saves_a_draft_of_their_county(client_for, users):
    client = client_for("county")
    response = client.post(
        grid_url(NANCHANG_COUNTY),
        {
            "v_hightech_enterprises": "312",
            "v_outreach_funding": "1,035.5",
            "v_innovation_clusters": "",
            "action": "draft",
        },
        follow=True,
    )
    assert "南昌县 2025年数据已保存：新增 2 项" in response.content.decode()
    dv = value_of(NANCHANG_COUNTY, "hightech_enterprises")
    assert (
        dv.value == 312 and dv.status == "draft" and dv.channel == "form" and dv.updated_by == users["county"]
    )
    assert value_of(NANCHANG_COUNTY, "outreach_funding").value == Decimal("1035.5")
    assert value_of(NANCHANG_COUNTY, "innovation_clusters") is None


def test_county_officer_saves_the_values_of_one_of_their_towns(client_for):
    response = client_for("county").post(grid_url(LIANTANG), {"v_town_tech_smes": "17", "action": "draft"})
    assert response.status_code == 302
    assert value_of(LIANTANG, "town_tech_smes").value == 17


def all_town_values(**overrides) -> dict[str, str]:
    from county_innovation.collection.services.rounds import reported_indicators
    from county_innovation.indicators.selectors import framework_latest

    # close to last year's figures, so no change-from-last-year warning asks for an explanation
    values = {}
    for i in reported_indicators(framework_latest("town")):
        last = value_of(LIANTANG, i.code, PERIOD - 1)
        values[f"v_{i.code}"] = str(round(last.value * Decimal("1.1")) if last else 10)
    return values | {f"v_{k}": v for k, v in overrides.items()}


def test_submit_marks_every_value_submitted(client_for, users):
    store(users, LIANTANG, "town_patents_granted", "40")
    client_for("town").post(grid_url(LIANTANG), all_town_values() | {"action": "submit"})
    assert set(entered().values_list("status", flat=True)) == {"submitted"}


def test_submit_with_values_missing_saves_them_and_says_what_is_missing(client_for):
    response = client_for("town").post(
        grid_url(LIANTANG), {"v_town_tech_smes": "17", "action": "submit"}, follow=True
    )
    page = response.content.decode()
    assert "数据已保存，但未能提交" in page and "为必填项" in page
    assert value_of(LIANTANG, "town_tech_smes").status == "draft"


def test_values_of_a_submitted_submission_cannot_be_changed(client_for):
    client = client_for("town")
    client.post(grid_url(LIANTANG), all_town_values() | {"action": "submit"})
    page = client.post(
        grid_url(LIANTANG), {"v_town_tech_smes": "17", "action": "draft"}, follow=True
    ).content.decode()
    assert "的填报已提交，数据不能再修改" in page
    assert value_of(LIANTANG, "town_tech_smes").value == Decimal(all_town_values()["v_town_tech_smes"])


def test_grid_shows_last_years_value_beside_each_input(client_for, users):
    store(users, LIANTANG, "town_patents_granted", "38.000000", period=PERIOD - 1)
    store(users, LIANTANG, "town_patents_granted", "40", status="submitted")
    page = client_for("town").get(grid_url(LIANTANG)).content.decode()
    row = page[page.index('data-indicator="town_patents_granted"') :]
    row = row[: row.index("</tr>")]
    assert 'value="40"' in row
    assert '<td class="num" data-testid="last-year">38</td>' in row
    assert "已提交" in row
    assert "2024年数值" in page


def test_bad_values_are_all_reported_and_nothing_is_saved(client_for):
    # The city admin may correct every cell, the county's own and the departments' (the owner rule of the data policy).
    response = client_for("city_admin").post(
        grid_url(NANCHANG_COUNTY),
        {
            "v_tech_smes": "450",
            "v_hightech_enterprises": "-3",
            "v_rd_expenditure": "约300",
            "v_new_product_sales_share": "120",
            "action": "submit",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "有 3 项数据未通过检查，本次填写的数据均未保存" in page
    assert "「高新技术企业数」：计数不能为负数，实际为 -3" in page
    assert "「全社会R&amp;D经费支出」：应为数字，实际为「约300」" in page
    assert "比重不能超过 100%，实际为 120" in page
    assert 'value="约300"' in page and 'value="450"' in page  # what was typed is shown again
    assert page.count('class="cell-problem"') == 3
    assert not entered().exists()


def test_emptying_a_draft_value_deletes_it(client_for, users):
    store(users, LIANTANG, "town_tech_smes", "12")
    client_for("town").post(grid_url(LIANTANG), {"v_town_tech_smes": "", "action": "draft"})
    assert value_of(LIANTANG, "town_tech_smes") is None


def test_a_submitted_value_cannot_be_emptied(client_for):
    client = client_for("town")
    client.post(grid_url(LIANTANG), all_town_values() | {"action": "submit"})
    page = client.post(
        grid_url(LIANTANG), {"v_town_tech_smes": " ", "action": "draft"}, follow=True
    ).content.decode()
    assert "数据不能再修改" in page
    assert value_of(LIANTANG, "town_tech_smes").value == Decimal(all_town_values()["v_town_tech_smes"])


def test_every_change_is_recorded_in_history_with_user_and_channel(client_for, users):
    client = client_for("town")
    client.post(grid_url(LIANTANG), {"v_town_tech_smes": "12", "action": "draft"})
    client.post(grid_url(LIANTANG), all_town_values(town_tech_smes="13") | {"action": "draft"})
    client.post(grid_url(LIANTANG), all_town_values(town_tech_smes="13") | {"action": "draft"})  # no change
    history = list(value_of(LIANTANG, "town_tech_smes").history.order_by("history_date"))
    assert [(h.value, h.status, h.history_type) for h in history] == [
        (12, "draft", "+"),
        (13, "draft", "~"),
    ]
    assert {h.history_user for h in history} == {users["town"]}
    assert {h.channel for h in history} == {"form"}


def test_a_period_outside_the_collected_years_is_not_found(client_for):
    assert client_for("county").get(grid_url(NANCHANG_COUNTY, 1999)).status_code == 404


def test_service_refuses_an_indicator_of_another_framework(users, frameworks):
    region = Region.objects.get(code=LIANTANG)
    with pytest.raises(DomainError) as refused:
        entry.data_values_save(
            actor=users["town"],
            region=region,
            period=PERIOD,
            framework=frameworks["town"],
            values={"hightech_enterprises": "3"},
            submit=False,
            channel="form",
        )
    assert "不属于「乡（镇、街道）创新发展评价指标体系」第1版" in refused.value.problems[0]


def test_service_refuses_a_region_of_the_wrong_level(users, frameworks):
    region = Region.objects.get(code=NANCHANG_COUNTY)
    with pytest.raises(DomainError, match="「南昌县」不适用"):
        entry.data_values_save(
            actor=users["county"],
            region=region,
            period=PERIOD,
            framework=frameworks["town"],
            values={},
            submit=False,
            channel="form",
        )
