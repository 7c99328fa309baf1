"""Services of the registry: every bad input is refused with a Chinese sentence, and nothing is written."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.enterprises import selectors, services
from county_innovation.enterprises.figures import qualification_default_end
from county_innovation.enterprises.models import Enterprise, EnterpriseYear, QualificationKind
from county_innovation.enterprises.tests.conftest import VALID_CODE, count_rows, figures
from county_innovation.regions.models import Region

LIANTANG = "360121100"


def _create(user, **overrides):
    args = {
        "actor": user if user is not None else system("测试"),
        "credit_code": VALID_CODE,
        "name": "测试企业",
        "town": Region.objects.get(code=LIANTANG),
        "founded": date(2016, 1, 1),
    } | overrides
    return services.enterprise_create(**args)


def test_county_officer_registers_an_enterprise_of_its_town(users):
    enterprise = _create(users["county"], credit_code=" " + VALID_CODE.lower() + " ")
    assert enterprise.credit_code == VALID_CODE
    assert enterprise.county_code == "360121"


def test_invalid_credit_code_is_refused_and_nothing_written(users):
    before = count_rows()
    with pytest.raises(DomainError, match="第18位应为「6」"):
        _create(users["county"], credit_code=VALID_CODE[:17] + "5")
    assert count_rows() == before


def test_duplicate_credit_code_is_refused(users):
    _create(users["county"])
    with pytest.raises(DomainError, match="已登记为「测试企业」"):
        _create(users["county"], name="另一家")


def test_county_officer_cannot_register_in_other_county(users):
    before = count_rows()
    with pytest.raises(ScopeError, match="无权"):
        _create(users["other_county"])
    assert count_rows() == before


@pytest.mark.parametrize("role", ["town", "department", "expert", "enterprise"])
def test_other_roles_cannot_register(users, role):
    with pytest.raises(ScopeError):
        _create(users[role])


def test_enterprise_must_be_in_a_town(users):
    with pytest.raises(DomainError, match="不是乡镇"):
        _create(users["city_admin"], town=Region.objects.get(code="360121"))


def test_update_moves_only_within_the_users_scope(users):
    enterprise = _create(users["county"])
    services.enterprise_update(actor=users["county"], enterprise=enterprise, name="改名企业")
    enterprise.refresh_from_db()
    assert enterprise.name == "改名企业"
    jinxian_town = Region.objects.filter(code__startswith="360124", level="town").first()
    with pytest.raises(ScopeError):
        services.enterprise_update(actor=users["county"], enterprise=enterprise, town=jinxian_town)
    with pytest.raises(DomainError, match="校验位"):
        services.enterprise_update(
            actor=users["county"], enterprise=enterprise, credit_code=VALID_CODE[:17] + "0"
        )
    enterprise.refresh_from_db()
    assert enterprise.town.code == LIANTANG and enterprise.credit_code == VALID_CODE


@pytest.mark.parametrize(
    ("overrides", "sentence"),
    [
        ({"employees": -1}, "「职工总数」不能为负数"),
        ({"rd_expense": Decimal("-0.01"), "rd_expense_domestic": Decimal("-0.01")}, "「研发费用」不能为负数"),
        ({"tech_staff": 201}, "科技人员 201 人多于职工总数 200 人"),
        ({"rd_expense_domestic": Decimal("480.01")}, "境内研发费用 480.01 万元大于研发费用总额 480 万元"),
        (
            {"hightech_revenue": Decimal("8200.01")},
            "高新技术产品（服务）收入 8200.01 万元大于总收入 8200 万元",
        ),
        ({"sales_revenue": Decimal("8300")}, "销售收入 8300 万元大于总收入"),
        ({"total_cost": "约300万"}, "「成本费用支出总额」应为数字（万元），实际为「约300万」"),
        ({"total_cost": Decimal("1.005")}, "最多保留两位小数"),
        ({"ip_class1": "1.5"}, "「Ⅰ类知识产权」应为整数"),
        ({"employees": None}, "请填写「职工总数」"),
    ],
)
def test_bad_year_figures_are_refused_and_nothing_written(firm, users, last_years, overrides, sentence):
    year = last_years[-1]
    saved = EnterpriseYear.objects.get(enterprise=firm, year=year)
    before = count_rows()
    with pytest.raises(DomainError) as refused:
        services.enterprise_year_save(
            actor=users["county"], enterprise=firm, year=year, figures=figures(**overrides)
        )
    assert any(sentence in p for p in refused.value.problems), refused.value.problems
    assert count_rows() == before
    assert EnterpriseYear.objects.get(pk=saved.pk).employees == saved.employees


def test_negative_net_assets_are_accepted(firm, users, last_years):
    record = services.enterprise_year_save(
        actor=users["enterprise"], enterprise=firm, year=last_years[-1], figures=figures(net_assets="-120.5")
    )
    assert record.net_assets == Decimal("-120.50")


def test_amounts_are_exact_decimals_and_a_binary_float_sum_is_refused(firm, users, last_years):
    year = last_years[-1]
    with pytest.raises(DomainError, match=r"0\.30000000000000004"):
        services.enterprise_year_save(
            actor=users["county"], enterprise=firm, year=year, figures=figures(rd_expense=0.1 + 0.2)
        )
    record = services.enterprise_year_save(
        actor=users["county"],
        enterprise=firm,
        year=year,
        figures=figures(rd_expense=Decimal("0.1") + Decimal("0.2"), rd_expense_domestic="0.3"),
    )
    record.refresh_from_db()
    assert record.rd_expense == record.rd_expense_domestic == Decimal("0.30")


@pytest.mark.parametrize("role", ["other_county", "town", "department", "expert"])
def test_year_save_refused_outside_the_figures_circle(firm, users, last_years, role):
    with pytest.raises(PermissionDenied):
        services.enterprise_year_save(
            actor=users[role], enterprise=firm, year=last_years[-1], figures=figures()
        )


def test_year_before_founding_is_refused(firm, users):
    with pytest.raises(DomainError, match="不在 2015（成立年份）"):
        services.enterprise_year_save(actor=users["county"], enterprise=firm, year=2014, figures=figures())


def test_qualification_validity_follows_the_rules(firm, users):
    hightech = services.qualification_add(
        actor=users["county"],
        enterprise=firm,
        kind=QualificationKind.HIGHTECH,
        number="GR202436000001",
        valid_from=date(2024, 12, 10),
    )
    assert hightech.valid_to == date(2027, 12, 9)
    sme = services.qualification_add(
        actor=users["county"],
        enterprise=firm,
        kind=QualificationKind.TECH_SME,
        number="2025360121A0001",
        valid_from=date(2025, 4, 2),
    )
    assert sme.valid_to == date(2025, 12, 31)
    leap = qualification_default_end(QualificationKind.HIGHTECH, date(2024, 2, 29))
    assert leap == date(2027, 2, 28)


def test_qualification_refusals(firm, users):
    services.qualification_add(
        actor=users["county"], enterprise=firm, kind="hightech", number="GR1", valid_from=date(2024, 1, 1)
    )
    before = count_rows()
    with pytest.raises(DomainError, match="已登记过"):
        services.qualification_add(
            actor=users["county"], enterprise=firm, kind="hightech", number="GR1", valid_from=date(2024, 1, 1)
        )
    with pytest.raises(DomainError, match="请填写有效期至"):
        services.qualification_add(
            actor=users["county"],
            enterprise=firm,
            kind="specialised",
            number="Z1",
            valid_from=date(2024, 1, 1),
        )
    with pytest.raises(DomainError, match="早于发证日期"):
        services.qualification_add(
            actor=users["county"],
            enterprise=firm,
            kind="specialised",
            number="Z2",
            valid_from=date(2024, 1, 1),
            valid_to=date(2023, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        services.qualification_add(
            actor=users["enterprise"],
            enterprise=firm,
            kind="specialised",
            number="Z3",
            valid_from=date(2024, 1, 1),
            valid_to=date(2027, 1, 1),
        )
    assert count_rows() == before


def test_expiring_selector_takes_only_the_reminder_window(firm, users):
    today = timezone.localdate()
    soon = services.qualification_add(
        actor=system("测试"),
        enterprise=firm,
        kind="specialised",
        number="S1",
        valid_from=today - timedelta(days=900),
        valid_to=today + timedelta(days=30),
    )
    services.qualification_add(
        actor=system("测试"),
        enterprise=firm,
        kind="innovative_sme",
        number="S2",
        valid_from=today - timedelta(days=900),
        valid_to=today + timedelta(days=200),
    )
    services.qualification_add(
        actor=system("测试"),
        enterprise=firm,
        kind="gazelle",
        number="S3",
        valid_from=today - timedelta(days=900),
        valid_to=today - timedelta(days=1),
    )
    mine = Enterprise.objects.filter(pk=firm.pk)  # the session's demo enterprises have reminders of their own
    assert list(selectors.qualifications_expiring(mine, within_days=90, today=today)) == [soon]
    assert selectors.qualification_status(soon, today) == "expiring"


def test_member_must_be_an_enterprise_account(firm, users):
    with pytest.raises(DomainError, match="只有企业账号"):
        services.enterprise_member_add(actor=system("测试"), enterprise=firm, member=users["county"])
