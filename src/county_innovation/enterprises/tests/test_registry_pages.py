"""The registry pages through the test client: registering one enterprise and editing its entry, as the city
admin and as a county officer; every refusal shows the service's Chinese reason and writes nothing."""

from datetime import date

import pytest
from django.urls import reverse

from county_innovation.enterprises.models import Enterprise
from county_innovation.enterprises.tests.conftest import VALID_CODE, VALID_CODE_2, count_rows
from county_innovation.enterprises.validators import CREDIT_CODE_ALPHABET, credit_code_check_character
from county_innovation.regions.models import Region

LIANTANG = "360121100"  # 莲塘镇, 南昌县
XIANGTANG = "360121101"  # 向塘镇, 南昌县


def code(n: int) -> str:
    """A credit code with a correct check character (GB 32100-2015 附录A)."""
    first17 = f"91360121MA3{n:06d}"
    return first17 + credit_code_check_character(first17)


def wrong_check(valid: str) -> tuple[str, str]:
    """``valid`` with another 18th character, and the character the standard expects."""
    other = next(c for c in CREDIT_CODE_ALPHABET if c != valid[17])
    return valid[:17] + other, valid[17]


def jinxian_town() -> Region:
    return Region.objects.filter(code__startswith="360124", level="town").order_by("code").first()


def form_data(**overrides: object) -> dict:
    base = {
        "credit_code": code(1),
        "name": "南昌测试智能装备有限公司",
        "town": LIANTANG,
        "industry_code": "C3914",
        "industry_name": "工业控制计算机及系统制造",
        "hightech_field": "manufacturing",
        "founded": "2019-05-20",
        "listing_status": "unlisted",
    }
    return base | overrides


def entry_of(firm: Enterprise) -> dict:
    firm = Enterprise.objects.get(pk=firm.pk)
    return {
        "credit_code": firm.credit_code,
        "name": firm.name,
        "town": firm.town_id,
        "industry_code": firm.industry_code,
        "industry_name": firm.industry_name,
        "hightech_field": firm.hightech_field,
        "founded": firm.founded.isoformat(),
        "listing_status": firm.listing_status,
    }


def page_of(response) -> str:
    return response.content.decode()


# --- Registering one enterprise ---------------------------------------------------------------------------


def test_city_admin_is_offered_every_town_of_the_city_and_registers(client_for, users):
    client = client_for("city_admin")
    page = page_of(client.get(reverse("enterprises:new")))
    for label in (
        "统一社会信用代码",
        "企业名称",
        "所在乡镇（街道）",
        "行业代码",
        "高新技术领域",
        "成立日期",
        "上市状态",
    ):
        assert label in page
    assert f'value="{LIANTANG}"' in page and f'value="{jinxian_town().code}"' in page
    assert "先进制造与自动化" in page and "科创板" in page

    response = client.post(
        reverse("enterprises:new"), form_data(industry_code="c3914", town=jinxian_town().code)
    )
    firm = Enterprise.objects.get(credit_code=code(1))
    assert response.status_code == 302 and response["Location"] == reverse(
        "enterprises:detail", args=[firm.pk]
    )
    assert firm.name == "南昌测试智能装备有限公司" and firm.town == jinxian_town()
    assert firm.industry_code == "C3914" and firm.hightech_field == "manufacturing"
    assert firm.founded == date(2019, 5, 20) and firm.listing_status == "unlisted"
    created = firm.history.get()
    assert created.history_type == "+" and created.history_user == users["city_admin"]


def test_county_officer_is_offered_the_towns_of_the_county_only_and_registers(client_for):
    client = client_for("county")
    page = page_of(client.get(reverse("enterprises:new")))
    assert f'value="{LIANTANG}"' in page and f'value="{XIANGTANG}"' in page
    assert f'value="{jinxian_town().code}"' not in page
    assert 'value="360124' not in page

    response = client.post(reverse("enterprises:new"), form_data(credit_code=f" {code(2).lower()} "))
    assert response.status_code == 302
    assert Enterprise.objects.get(credit_code=code(2)).town_id == LIANTANG


def test_wrong_check_character_is_refused_naming_the_expected_one(client_for):
    bad, expected = wrong_check(code(3))
    before = count_rows()
    response = client_for("county").post(reverse("enterprises:new"), form_data(credit_code=bad))
    assert response.status_code == 400
    page = page_of(response)
    assert 'data-testid="problems"' in page and "校验位不正确" in page
    assert f"第18位应为「{expected}」" in page and f"实际为「{bad[17]}」" in page
    assert count_rows() == before and not Enterprise.objects.filter(credit_code=bad).exists()


def test_duplicate_credit_code_is_refused(client_for, firm):
    before = count_rows()
    response = client_for("city_admin").post(
        reverse("enterprises:new"), form_data(credit_code=VALID_CODE, name="另一家公司")
    )
    assert response.status_code == 400
    assert f"统一社会信用代码「{VALID_CODE}」已登记为「{firm.name}」，不能重复登记。" in page_of(response)
    assert count_rows() == before and not Enterprise.objects.filter(name="另一家公司").exists()


def test_every_problem_is_listed_beside_the_form(client_for):
    bad, _ = wrong_check(code(4))
    response = client_for("city_admin").post(
        reverse("enterprises:new"), form_data(credit_code=bad, founded="2999-01-01")
    )
    assert response.status_code == 400
    page = page_of(response)
    assert "校验位不正确" in page and "成立日期 2999-01-01 晚于今天" in page
    assert not Enterprise.objects.filter(credit_code=bad).exists()


def test_form_errors_are_shown_in_chinese_and_nothing_is_written(client_for):
    before = count_rows()
    response = client_for("city_admin").post(
        reverse("enterprises:new"), form_data(industry_code="X99", town="999999999")
    )
    assert response.status_code == 400
    page = page_of(response)
    assert "行业代码应按 GB/T 4754-2017 填写" in page and "所选的乡镇（街道）不存在" in page
    assert count_rows() == before


def test_county_officer_may_not_register_in_another_county(client_for):
    before = count_rows()
    town = jinxian_town()
    response = client_for("county").post(reverse("enterprises:new"), form_data(town=town.code))
    assert response.status_code == 403
    assert f"您无权在「{town.name}」登记或修改企业" in page_of(response)
    assert count_rows() == before and not Enterprise.objects.filter(credit_code=code(1)).exists()


@pytest.mark.parametrize("role", ["department", "town", "other_town", "expert", "enterprise"])
def test_other_roles_may_not_register(client_for, role):
    client = client_for(role)
    assert client.get(reverse("enterprises:new")).status_code == 403
    before = count_rows()
    response = client.post(reverse("enterprises:new"), form_data())
    assert response.status_code == 403 and "无权登记企业" in page_of(response)
    assert count_rows() == before


# --- Editing the registry entry ---------------------------------------------------------------------------


def test_city_admin_edits_and_the_change_is_in_the_history(client_for, users, firm):
    client = client_for("city_admin")
    page = page_of(client.get(reverse("enterprises:edit", args=[firm.pk])))
    assert f'value="{firm.credit_code}"' in page and firm.name in page
    assert f'<option value="{LIANTANG}" selected>南昌县 · 莲塘镇</option>' in page
    assert 'value="2015-03-01"' in page and '<option value="electronic" selected>' in page
    data = entry_of(firm) | {"name": "南昌测试光电股份有限公司", "listing_status": "star", "town": XIANGTANG}
    response = client.post(reverse("enterprises:edit", args=[firm.pk]), data)
    assert response.status_code == 302
    firm.refresh_from_db()
    assert (
        firm.name == "南昌测试光电股份有限公司"
        and firm.listing_status == "star"
        and firm.town_id == XIANGTANG
    )
    latest = firm.history.latest()
    assert latest.history_type == "~" and latest.history_user == users["city_admin"]

    detail = page_of(client.get(reverse("enterprises:detail", args=[firm.pk])))
    assert 'data-testid="registry-history"' in detail
    assert "企业名称：南昌测试光电有限公司 → 南昌测试光电股份有限公司" in detail
    assert "上市状态：未上市 → 科创板" in detail
    assert "所在乡镇（街道）：南昌县 莲塘镇 → 南昌县 向塘镇" in detail
    assert users["city_admin"].username in detail


def test_county_officer_edits_an_enterprise_of_the_county(client_for, users, firm):
    data = entry_of(firm) | {"industry_code": "I6513", "industry_name": "应用软件开发", "hightech_field": ""}
    response = client_for("county").post(reverse("enterprises:edit", args=[firm.pk]), data)
    assert response.status_code == 302
    firm.refresh_from_db()
    assert (firm.industry_code, firm.industry_name, firm.hightech_field) == ("I6513", "应用软件开发", "")
    assert firm.history.latest().history_user == users["county"]


def test_saving_without_a_change_writes_no_history(client_for, firm):
    before = firm.history.count()
    response = client_for("county").post(reverse("enterprises:edit", args=[firm.pk]), entry_of(firm))
    assert response.status_code == 302 and firm.history.count() == before


def test_edit_refusals_show_the_reason_and_change_nothing(client_for, firm, other_firm):
    client = client_for("city_admin")
    url = reverse("enterprises:edit", args=[firm.pk])
    before, history = entry_of(firm), firm.history.count()

    bad, expected = wrong_check(VALID_CODE)
    response = client.post(url, before | {"credit_code": bad, "name": "改名"})
    assert response.status_code == 400 and f"第18位应为「{expected}」" in page_of(response)

    response = client.post(url, before | {"credit_code": VALID_CODE_2, "name": "改名"})
    assert response.status_code == 400
    assert f"统一社会信用代码「{VALID_CODE_2}」已登记为「{other_firm.name}」，不能重复登记。" in page_of(
        response
    )

    assert entry_of(firm) == before and firm.history.count() == history


def test_county_officer_may_not_move_an_enterprise_to_another_county(client_for, firm):
    before, history = entry_of(firm), firm.history.count()
    town = jinxian_town()
    response = client_for("county").post(
        reverse("enterprises:edit", args=[firm.pk]), before | {"town": town.code}
    )
    assert response.status_code == 403 and f"您无权在「{town.name}」登记或修改企业" in page_of(response)
    assert entry_of(firm) == before and firm.history.count() == history


@pytest.mark.parametrize("role", ["department", "other_county", "town", "other_town", "expert", "enterprise"])
def test_other_roles_may_not_edit(client_for, firm, role):
    client = client_for(role)
    url = reverse("enterprises:edit", args=[firm.pk])
    assert client.get(url).status_code == 403
    before = entry_of(firm)
    response = client.post(url, before | {"name": "越权修改"})
    assert response.status_code == 403 and "无权" in page_of(response)
    assert entry_of(firm) == before


# --- Links to the pages and who sees the history ----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "register", "edit"),
    [
        ("city_admin", True, True),
        ("county", True, True),
        ("other_county", True, False),
        ("department", False, False),
        ("town", False, False),
        ("expert", False, False),
        ("enterprise", False, False),
    ],
)
def test_links_to_the_registry_pages(client_for, firm, role, register, edit):
    client = client_for(role)
    listing = page_of(client.get(reverse("enterprises:list")))
    assert ("登记企业" in listing) is register
    assert (reverse("enterprises:new") in listing) is register
    detail = page_of(client.get(reverse("enterprises:detail", args=[firm.pk])))
    assert ("修改登记信息" in detail) is edit
    assert (reverse("enterprises:edit", args=[firm.pk]) in detail) is edit


@pytest.mark.parametrize("role", ["city_admin", "county", "enterprise", "department", "town", "expert"])
def test_history_shown_only_to_those_who_see_figures(client_for, firm, role):
    detail = page_of(client_for(role).get(reverse("enterprises:detail", args=[firm.pk])))
    assert ('data-testid="registry-history"' in detail) is (role in {"city_admin", "county", "enterprise"})
