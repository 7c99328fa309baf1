from decimal import Decimal

import pytest
from django.urls import reverse

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.indicators.frameworks import framework_ensure_editable
from county_innovation.indicators.models import Framework, Indicator
from county_innovation.indicators.selectors import framework_dimensions, framework_hierarchy
from county_innovation.indicators.services import framework_new_version
from county_innovation.indicators.validation import ValueProblem, parse_value


def test_default_county_framework_has_four_dimensions_and_fifteen_indicators(frameworks):
    dims = framework_dimensions(frameworks["county"])
    assert [d.name for d, _ in dims] == ["创新投入", "企业创新", "创新环境", "创新绩效"]
    assert sum(len(leaves) for _, leaves in dims) == 15
    assert Indicator.objects.get(code="energy_per_gdp").direction == -1


def test_default_town_framework_has_the_eight_town_indicators(frameworks):
    names = {leaf.indicator.name for _, leaves in framework_dimensions(frameworks["town"]) for leaf in leaves}
    assert names == {
        "高新技术企业数",
        "科技型中小企业数",
        "专利授权数",
        "科技特派员服务次数",
        "科普活动场次",
        "新注册企业数",
        "农业科技示范基地数",
        "乡镇财政科技投入",
    }


def test_hierarchy_for_the_engine(frameworks):
    h = framework_hierarchy(frameworks["county"])
    assert h.root == "index"
    assert len(h.indicators) == 15
    assert h.children("index") == ["input", "enterprise", "environment", "performance"]


def test_new_version_with_other_weights_leaves_the_old_one(frameworks, users):
    old = frameworks["county"]
    new = framework_new_version(
        framework=old,
        actor=users["city_admin"],
        weights={"enterprise": "2"},
        removed_indicators=["innovation_clusters"],
        note="企业创新加倍",
    )
    assert new.version == 2 and new.code == "county"
    assert new.nodes.get(code="enterprise").weight == Decimal(2)
    assert not new.nodes.filter(code="innovation_clusters").exists()
    assert old.nodes.get(code="enterprise").weight == Decimal(1)
    assert old.nodes.filter(code="innovation_clusters").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weights": {"enterprise": "-1"}}, "不能为负数"),
        ({"weights": {"enterprise": "abc"}}, "应为数字"),
        ({"weights": {"nonexistent": "1"}}, "没有节点"),
        (
            {"weights": {"input": "0", "enterprise": "0", "environment": "0", "performance": "0"}},
            "权重都为 0",
        ),
        ({"removed_indicators": ["fiscal_st_share", "rd_staff_per_10k", "rd_expenditure"]}, "没有指标"),
        ({"method_spec": {"normalisation": "magic"}}, "magic"),
    ],
)
def test_bad_new_versions_are_refused_and_nothing_is_written(frameworks, users, kwargs, message):
    with pytest.raises(DomainError, match=message):
        framework_new_version(framework=frameworks["county"], actor=users["city_admin"], **kwargs)
    assert Framework.objects.filter(code="county").count() == 1


def test_frozen_version_cannot_be_edited(frameworks):
    framework = frameworks["county"]
    framework.status = Framework.Status.FROZEN
    framework.save()
    with pytest.raises(DomainError, match="已冻结"):
        framework_ensure_editable(framework)


def test_city_admin_makes_a_new_version_through_the_page(client_for, frameworks):
    client = client_for("city_admin")
    fw = frameworks["county"]
    response = client.post(
        reverse("indicators:framework_new", args=[fw.pk]),
        {
            "weight_input": "1",
            "weight_enterprise": "3",
            "normalisation": "minmax",
            "aggregation": "arithmetic",
            "availability_threshold": "60",
            "note": "测试",
        },
    )
    new = Framework.objects.get(code="county", version=2)
    assert response.status_code == 302 and response["Location"].endswith(f"/frameworks/{new.pk}/")
    assert new.nodes.get(code="enterprise").weight == Decimal(3)


def test_county_officer_cannot_make_a_version(client_for, frameworks):
    response = client_for("county").post(
        reverse("indicators:framework_new", args=[frameworks["county"].pk]), {}
    )
    assert response.status_code == 403
    assert Framework.objects.filter(code="county").count() == 1


def test_framework_pages_render(client_for, frameworks):
    client = client_for("town")
    assert (
        "县（区）创新驱动发展评价指标体系"
        in client.get(reverse("indicators:framework_list")).content.decode()
    )
    page = client.get(reverse("indicators:framework_detail", args=[frameworks["county"].pk])).content.decode()
    assert "万元GDP综合能耗" in page and "逆向" in page
    assert "另存为新版本" not in page  # only the city admin edits


@pytest.fixture
def count_indicator(frameworks):
    return Indicator.objects.get(code="hightech_enterprises")


@pytest.fixture
def percent_indicator(frameworks):
    return Indicator.objects.get(code="fiscal_st_share")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", Decimal(12)),
        (" 1,234 ", Decimal(1234)),
        (7, Decimal(7)),
        ("", None),
        (None, None),
        (3.0, Decimal("3.0")),
    ],
)
def test_counts_parse(count_indicator, raw, expected):
    assert parse_value(count_indicator, raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("约300", "应为数字，实际为「约300」"),
        ("-3", "计数不能为负数"),
        ("2.5", "计数应为整数"),
        ("nan", "应为数字"),
        ("1e30", "过大"),
        (True, "应为数字"),
    ],
)
def test_bad_counts_are_refused_in_chinese(count_indicator, raw, message):
    with pytest.raises(ValueProblem, match=message):
        parse_value(count_indicator, raw)


def test_percent_accepts_a_percent_sign_and_refuses_over_100(percent_indicator):
    assert parse_value(percent_indicator, "2.5%") == Decimal("2.5")
    with pytest.raises(ValueProblem, match="不能超过 100%"):
        parse_value(percent_indicator, "120")


def _new_version_post(client, fw, method_json):
    return client.post(
        reverse("indicators:framework_new", args=[fw.pk]),
        {
            "normalisation": "minmax",
            "aggregation": "arithmetic",
            "availability_threshold": "60",
            "method_json": method_json,
        },
        follow=True,
    )


AHP_CONSISTENT = (
    '{"ahp": {"index": {"order": ["input", "enterprise", "environment", "performance"], '
    '"matrix": [[1, 2, 2, 4], [0.5, 1, 1, 2], [0.5, 1, 1, 2], [0.25, 0.5, 0.5, 1]]}}}'
)


def test_city_admin_sets_ahp_weights_and_the_evaluation_uses_them(client_for, frameworks, demo):
    from county_innovation.evaluation.services import evaluation_run_create
    from county_innovation.regions.models import Region

    response = _new_version_post(client_for("city_admin"), frameworks["county"], AHP_CONSISTENT)
    assert "已创建" in response.content.decode()
    new = Framework.objects.get(code="county", version=2)
    assert new.method_spec["ahp"]["index"]["order"][0] == "input"
    run = evaluation_run_create(
        framework=new, period=2024, actor=system("测试"), scope=Region.objects.get(code="360100")
    )
    result = run.results.get(region_id="360121")
    # the index is the AHP-weighted mean of the dimension scores (weights 0.4, 0.2, 0.2, 0.1 normalised)
    dims = result.dimension_scores
    expected = (
        4 * dims["input"] + 2 * dims["enterprise"] + 2 * dims["environment"] + dims["performance"]
    ) / 9
    assert result.index == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("method_json", "message"),
    [
        (
            '{"ahp": {"index": {"order": ["input", "enterprise", "environment", "performance"], '
            '"matrix": [[1, 9, 1, 1], [0.1111, 1, 9, 1], [1, 0.1111, 1, 9], [1, 1, 0.1111, 1]]}}}',
            "一致性",
        ),
        ('{"ahp": ', "不是有效的 JSON"),
        ("[1, 2]", "应为 JSON 对象"),
        ('{"normalisation": "target"}', "没有设置标准值"),
    ],
)
def test_bad_advanced_method_settings_are_refused(client_for, frameworks, method_json, message):
    response = _new_version_post(client_for("city_admin"), frameworks["county"], method_json)
    assert message in response.content.decode()
    assert not Framework.objects.filter(code="county", version=2).exists()
