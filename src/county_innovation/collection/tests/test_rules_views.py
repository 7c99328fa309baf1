"""The city admin's validation-rule pages: listing, adding, editing, switching off; refusals write nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from county_innovation.collection import rules
from county_innovation.collection.models import ValidationRule
from county_innovation.collection.services import rules as rule_services
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.common.protection import deletion_permitted
from county_innovation.indicators.models import Framework, Indicator


@pytest.fixture
def county(frameworks) -> Framework:
    framework = frameworks["county"]
    with deletion_permitted("test setup"):
        ValidationRule.objects.filter(framework=framework).delete()
    return framework


@pytest.fixture
def admin(client_for):
    return client_for("city_admin")


def pk_of(code: str) -> int:
    return Indicator.objects.get(code=code).pk


def form(**fields) -> dict:
    data = {"kind": "range", "indicator": "", "other": "", "factor": "1", "severity": "error", "active": "on"}
    data.update({k: str(v) for k, v in fields.items()})
    return data


def post_new(client, framework, **fields):
    return client.post(reverse("collection:rule_new", args=[framework.pk]), form(**fields))


# --- listing -------------------------------------------------------------------------------------------------


def test_rule_index_lists_every_framework_version_with_its_active_rules(admin, county):
    rule_services.default_rules_ensure(county, actor=system("测试"))
    page = admin.get(reverse("collection:rule_index")).content.decode()
    assert "县（区）创新驱动发展评价指标体系" in page and "乡（镇、街道）创新发展评价指标体系" in page
    assert "3 条" in page
    assert reverse("collection:rule_list", args=[county.pk]) in page


def test_rule_list_describes_each_rule_in_chinese(admin, county):
    rule_services.default_rules_ensure(county, actor=system("测试"))
    ValidationRule.objects.create(
        framework=county,
        kind="cross",
        indicator=Indicator.objects.get(code="rd_tax_relief"),
        other=Indicator.objects.get(code="rd_expenditure"),
        factor=Decimal("0.5"),
    )
    page = admin.get(reverse("collection:rule_list", args=[county.pk])).content.decode()
    assert "全部填报指标必须填写（提交时检查）" in page
    assert "全部填报指标较上年变化超过 ±50% 时提示（上年为 0 或无数据时不检查）" in page
    assert "z 分数绝对值超过 3 或稳健 z 分数绝对值超过 3.5" in page
    assert "「企业享受研发费用加计扣除优惠政策获得的税收减免额」 ≤ 0.5 × 「全社会R&amp;D经费支出」" in page
    assert "onclick" not in page and "<script>" not in page


def test_county_officer_cannot_see_or_change_rules(client_for, county):
    client = client_for("county")
    response = client.get(reverse("collection:rule_list", args=[county.pk]))
    assert response.status_code == 403
    assert "只有市科技局管理员可以配置指标体系的校验规则" in response.content.decode()
    response = client.post(
        reverse("collection:rule_new", args=[county.pk]), form(max_value=5, indicator=pk_of("tech_smes"))
    )
    assert response.status_code == 403
    assert not ValidationRule.objects.filter(framework=county).exists()


# --- adding and editing --------------------------------------------------------------------------------------


def test_admin_adds_a_range_rule(admin, county):
    response = post_new(admin, county, indicator=pk_of("tech_smes"), max_value=5000, message="请核对口径")
    assert response.status_code == 302
    assert response.url == reverse("collection:rule_list", args=[county.pk])
    rule = ValidationRule.objects.get(framework=county)
    assert (rule.kind, rule.indicator.code, rule.min_value, rule.max_value) == (
        "range",
        "tech_smes",
        None,
        5000,
    )
    assert (rule.message, rule.active, rule.severity) == ("请核对口径", True, "error")


def test_admin_adds_a_cross_rule(admin, county):
    response = post_new(
        admin,
        county,
        kind="cross",
        indicator=pk_of("rd_tax_relief"),
        other=pk_of("rd_expenditure"),
        factor="0.5",
    )
    assert response.status_code == 302
    rule = ValidationRule.objects.get(framework=county)
    assert (rule.other.code, rule.factor) == ("rd_expenditure", Decimal("0.5"))


def test_fields_a_kind_does_not_use_are_cleared(admin, county):
    post_new(admin, county, kind="change", threshold=30, max_value=99, other=pk_of("rd_expenditure"))
    rule = ValidationRule.objects.get(framework=county)
    assert (rule.indicator, rule.other, rule.max_value, rule.threshold) == (None, None, None, Decimal(30))


def test_admin_edits_a_rule_and_switches_it_back_on(admin, county):
    rule = ValidationRule.objects.create(framework=county, kind="change", threshold=Decimal(50), active=False)
    url = reverse("collection:rule_edit", args=[county.pk, rule.pk])
    assert "较上年变化幅度" in admin.get(url).content.decode()
    response = admin.post(url, form(kind="change", threshold=20, severity="warning"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.severity, rule.active) == (Decimal(20), "warning", True)


def test_a_rule_of_another_framework_is_not_found_under_this_one(admin, county, frameworks):
    rule = ValidationRule.objects.create(framework=frameworks["town"], kind="required")
    assert admin.get(reverse("collection:rule_edit", args=[county.pk, rule.pk])).status_code == 404


# --- refusals: a Chinese message, nothing written ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"kind": "cross", "indicator": "rd_tax_relief"},
            "指标间关系规则需要选择对比指标 B（规则为 A ≤ 系数 × B）。",
        ),
        (
            {"kind": "cross", "indicator": "rd_expenditure", "other": "rd_expenditure"},
            "对比指标 B 不能与指标 A 相同。",
        ),
        (
            {"kind": "cross", "indicator": "rd_tax_relief", "other": "rd_expenditure", "factor": "0"},
            "系数应为正数（规则为 A ≤ 系数 × B）。",
        ),
        ({"kind": "range", "indicator": "tech_smes"}, "取值范围规则至少要填写最小值或最大值之一。"),
        (
            {"kind": "range", "indicator": "tech_smes", "min_value": 10, "max_value": 5},
            "最小值 10 大于最大值 5。",
        ),
        ({"kind": "range", "max_value": 5}, "「取值范围」规则需要选择指标。"),
        (
            {"kind": "change", "threshold": "0"},
            "阈值应为正数（变化幅度填百分比，如 50；离群值填 z 分数界限，如 3）。",
        ),
        (
            {"kind": "outlier", "threshold": "-3"},
            "阈值应为正数（变化幅度填百分比，如 50；离群值填 z 分数界限，如 3）。",
        ),
        ({"kind": "range", "indicator": "town_tech_smes", "max_value": 5}, "请选择本体系的指标。"),
        ({"kind": "nonsense"}, "请选择列表中的规则类型。"),
        ({"kind": "range", "indicator": "tech_smes", "max_value": "约300"}, "最大值应为数字。"),
    ],
)
def test_unworkable_rule_is_refused_with_a_chinese_message(admin, county, fields, message):
    for name in ("indicator", "other"):
        if name in fields:
            fields[name] = pk_of(fields[name])
    response = post_new(admin, county, **fields)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&amp;", "&")
    assert not ValidationRule.objects.filter(framework=county).exists()


def test_service_refuses_a_formula_indicator_and_writes_nothing(county):
    Indicator.objects.filter(code="invention_patents_per_10k").update(origin="formula")
    indicator = Indicator.objects.get(code="invention_patents_per_10k")
    with pytest.raises(DomainError) as refused:
        rule_services.rule_save(
            framework=county,
            fields={"kind": "range", "indicator": indicator, "max_value": Decimal(1)},
            actor=system("测试"),
        )
    assert refused.value.problems == ["「万人发明专利拥有量」不是本体系的填报指标，不能作为指标。"]
    assert not ValidationRule.objects.filter(framework=county).exists()


def test_service_refuses_to_save_a_rule_under_another_framework(county, frameworks):
    rule = ValidationRule.objects.create(framework=frameworks["town"], kind="required")
    with pytest.raises(DomainError, match="该规则不属于这个指标体系版本"):
        rule_services.rule_save(
            framework=county, fields={"kind": "required"}, rule=rule, actor=system("测试")
        )


# --- switching off -------------------------------------------------------------------------------------------


def test_deactivating_keeps_the_rule(admin, county):
    rule = ValidationRule.objects.create(framework=county, kind="required")
    response = admin.post(reverse("collection:rule_deactivate", args=[rule.pk]), follow=True)
    assert "已停用校验规则" in response.content.decode()
    rule.refresh_from_db()
    assert rule.active is False
    assert rules.rules_for(county) == []
    page = admin.get(reverse("collection:rule_list", args=[county.pk])).content.decode()
    assert "已停用" in page


def test_deactivating_needs_a_post(admin, county):
    rule = ValidationRule.objects.create(framework=county, kind="required")
    assert admin.get(reverse("collection:rule_deactivate", args=[rule.pk])).status_code == 405
    rule.refresh_from_db()
    assert rule.active is True
