"""Pages through the test client: privacy of figures per role, the self-check and the batch check."""

from decimal import Decimal

import pytest
from django.urls import reverse

from county_innovation.common.actors import system
from county_innovation.enterprises import services
from county_innovation.enterprises.models import EnterpriseYear
from county_innovation.enterprises.tests.conftest import count_rows, figures

FIGURE_MARK = 'data-testid="figures-hidden"'
FIGURES_SEEN = {"city_admin", "county", "enterprise"}


@pytest.mark.parametrize(
    "role",
    ["city_admin", "department", "county", "other_county", "town", "other_town", "expert", "enterprise"],
)
def test_detail_shows_figures_only_to_enterprise_county_and_city(client_for, firm, role):
    page = client_for(role).get(reverse("enterprises:detail", args=[firm.pk])).content.decode()
    assert firm.name in page and "高新技术领域" in page
    sales = str(firm.years.order_by("-year").first().sales_revenue)  # 10400.00
    if role in FIGURES_SEEN:
        assert FIGURE_MARK not in page and sales in page
    else:
        assert FIGURE_MARK in page and sales not in page


def test_enterprise_user_sees_own_figures_but_not_another_enterprise(client_for, firm, other_firm):
    client = client_for("enterprise")
    assert client.get(reverse("enterprises:self_check", args=[firm.pk])).status_code == 200
    assert client.get(reverse("enterprises:self_check", args=[other_firm.pk])).status_code == 403
    assert FIGURE_MARK in client.get(reverse("enterprises:detail", args=[other_firm.pk])).content.decode()
    assert client.get(reverse("enterprises:year_edit", args=[other_firm.pk, 2025])).status_code == 403


def test_self_check_shows_the_rules_reasons_in_chinese(client_for, firm):
    page = client_for("county").get(reverse("enterprises:self_check", args=[firm.pk])).content.decode()
    assert "科技型中小企业" in page and "第七条（一）" in page and "第十一条（四）" in page
    assert 'data-testid="tech-sme-reasons"' in page and 'data-testid="high-tech-reasons"' in page


def test_self_check_names_missing_years(client_for, other_firm):
    # other_firm has figures for the last year only, but was founded long before
    response = client_for("city_admin").get(reverse("enterprises:self_check", args=[other_firm.pk]))
    assert "缺少" in response.content.decode() and "年的数据" in response.content.decode()


def _fail_both(firm, year: int) -> None:
    # 600 staff exceed 第六条（二）'s 500 while the score stays high (150 tech staff, 25 %); high-tech revenue
    # 4,000 of 10,600 fails 第十一条（六）.
    services.enterprise_year_save(
        actor=system("测试"),
        enterprise=firm,
        year=year,
        figures=figures(
            employees=600,
            tech_staff=150,
            sales_revenue=Decimal(10400),
            total_revenue=Decimal(10600),
            hightech_revenue=Decimal(4000),
        ),
    )


def test_self_check_verdict_names_the_failing_condition_before_the_met_ones(client_for, firm, last_years):
    _fail_both(firm, last_years[-1])
    page = client_for("enterprise").get(reverse("enterprises:self_check", args=[firm.pk])).content.decode()
    verdict = page.index('data-testid="tech-sme-verdict"')
    assert "暂不符合，原因：第六条（二）：职工总数 600 人，超过 500 人的上限" in page
    # the score condition that holds is listed after the verdict, never as if it were the reason
    assert "不低于 60 分" in page and page.index("不低于 60 分") > verdict
    assert page.index('data-testid="high-tech-verdict"') < page.index("第十一条（六）")


def test_batch_check_main_gaps_name_each_missed_qualification(client_for, firm, last_years):
    _fail_both(firm, last_years[-1])
    page = client_for("county").get(reverse("enterprises:batch_check", args=["360121"])).content.decode()
    row = page[page.index(firm.name) :]
    row = row[: row.index("</tr>")]
    assert "科技型中小企业：第六条（二）：职工总数 600 人" in row
    assert "高新技术企业：第十一条（六）" in row
    assert "不低于" not in row.split('data-testid="main-gaps"')[1]


def test_batch_check_lists_the_county_only(client_for, firm, other_firm):
    page = client_for("county").get(reverse("enterprises:batch_check", args=["360121"])).content.decode()
    assert firm.name in page and other_firm.name not in page
    assert client_for("county").get(reverse("enterprises:batch_check", args=["360124"])).status_code == 403


def test_list_is_scoped_for_officers_and_public_for_others(client_for, firm, other_firm):
    county = client_for("county").get(reverse("enterprises:list")).content.decode()
    assert firm.name in county and other_firm.name not in county
    town = client_for("other_town").get(reverse("enterprises:list")).content.decode()
    assert firm.name not in town
    expert = client_for("expert").get(reverse("enterprises:list")).content.decode()
    assert firm.name in expert and other_firm.name in expert


def test_year_form_refusal_writes_nothing(client_for, firm, last_years):
    year = last_years[-1]
    record = EnterpriseYear.objects.get(enterprise=firm, year=year)
    data = {
        f.name: getattr(record, f.name)
        for f in EnterpriseYear._meta.fields
        if f.name not in {"id", "enterprise", "year", "updated_at"}
    }
    data["valuation"] = ""
    data["tech_staff"] = record.employees + 1
    before = count_rows()
    response = client_for("enterprise").post(reverse("enterprises:year_edit", args=[firm.pk, year]), data)
    assert response.status_code == 400
    assert "多于职工总数" in response.content.decode()
    assert count_rows() == before
    assert EnterpriseYear.objects.get(pk=record.pk).tech_staff == record.tech_staff
    data["tech_staff"] = 1
    response = client_for("enterprise").post(reverse("enterprises:year_edit", args=[firm.pk, year]), data)
    assert response.status_code == 302
    assert EnterpriseYear.objects.get(pk=record.pk).tech_staff == 1


def test_eligibility_api_answers_the_json_contract(client_for):
    import json

    from county_innovation.engine.eligibility.tests.factory import payload

    client = client_for("enterprise")
    response = client.post("/api/eligibility", data=json.dumps(payload()), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"tech_sme", "high_tech"}
    assert body["tech_sme"]["eligible"] is True and body["tech_sme"]["score"] >= 60


def test_eligibility_api_refuses_bad_figures_in_chinese(client_for):
    import json

    from county_innovation.engine.eligibility.tests.factory import payload

    client = client_for("enterprise")
    bad = payload(employees=-3, sales_revenue=[1, 2])
    response = client.post("/api/eligibility", data=json.dumps(bad), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "企业数据有误，无法测评。" and len(body["problems"]) >= 2
    assert all(not p.isascii() for p in body["problems"])
