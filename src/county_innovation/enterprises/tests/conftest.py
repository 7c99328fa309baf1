"""Fixtures of the enterprise tests: one enterprise in 莲塘镇 (南昌县) with three years of figures and its
account, one in 进贤县 with its own account, on top of the session's users per role."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.common.actors import system
from county_innovation.enterprises import services
from county_innovation.enterprises.models import Enterprise
from county_innovation.regions.models import Region

# Real-format codes whose check characters are correct (华为技术有限公司, 小米科技有限责任公司).
VALID_CODE = "914403001922038216"
VALID_CODE_2 = "91110108551385082Q"


def figures(**overrides: object) -> dict:
    base = {
        "employees": 200,
        "tech_staff": 50,
        "sales_revenue": Decimal("8000"),
        "total_revenue": Decimal("8200"),
        "total_assets": Decimal("12000"),
        "net_assets": Decimal("6000"),
        "total_cost": Decimal("7000"),
        "rd_expense": Decimal("480"),
        "rd_expense_domestic": Decimal("480"),
        "hightech_revenue": Decimal("6000"),
        "ip_class1": 1,
        "ip_class2": 6,
        "results_converted": 3,
        "valuation": None,
        "financing_rounds": 1,
    }
    return base | overrides


@pytest.fixture
def last_years():
    year = timezone.localdate().year
    return [year - 3, year - 2, year - 1]


@pytest.fixture
def firm(users, last_years):
    """An enterprise of 莲塘镇 (南昌县) with figures for the last three years, linked to users["enterprise"]."""
    enterprise = services.enterprise_create(
        actor=system("测试"),
        credit_code=VALID_CODE,
        name="南昌测试光电有限公司",
        town=Region.objects.get(code="360121100"),
        founded=date(2015, 3, 1),
        hightech_field="electronic",
    )
    for i, year in enumerate(last_years):
        grow = Decimal(1 + i) / 10 + 1
        services.enterprise_year_save(
            actor=system("测试"),
            enterprise=enterprise,
            year=year,
            figures=figures(sales_revenue=Decimal("8000") * grow, total_revenue=Decimal("8200") * grow),
        )
    services.enterprise_member_add(actor=system("测试"), enterprise=enterprise, member=users["enterprise"])
    return enterprise


@pytest.fixture
def other_firm(users, last_years):
    """An enterprise of 进贤县 with its own account, unrelated to every user of ``users``."""
    enterprise = services.enterprise_create(
        actor=system("测试"),
        credit_code=VALID_CODE_2,
        name="进贤测试材料有限公司",
        town=Region.objects.filter(code__startswith="360124", level="town").first(),
        founded=date(2018, 6, 1),
    )
    services.enterprise_year_save(
        actor=system("测试"), enterprise=enterprise, year=last_years[-1], figures=figures()
    )
    other = User.objects.create_user(username="t_other_enterprise", password="x", role="enterprise")
    services.enterprise_member_add(actor=system("测试"), enterprise=enterprise, member=other)
    return enterprise


def count_rows() -> tuple[int, ...]:
    from county_innovation.enterprises.models import EnterpriseYear, Qualification

    return Enterprise.objects.count(), EnterpriseYear.objects.count(), Qualification.objects.count()
