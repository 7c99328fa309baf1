"""No engine code (minmax, entropy, coinr, winsorise, "minmax:1,100" …) is shown to users: lists, run pages,
analysis settings, framework pages and the dashboard say every method in Chinese (indicators.methods)."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from county_innovation.evaluation.services import (
    evaluation_run_create,
    evaluation_run_publish,
    robustness_start,
)
from county_innovation.indicators import methods
from county_innovation.indicators.models import Framework
from county_innovation.regions.models import Region

CODES = re.compile(
    r"\b(minmax|zscore|prank|borda|goalposts|dist2max|fracmax|arithmetic|geometric|harmonic|generalised|topsis"
    r"|entropy|critic|pca|given|equal|coinr|winsorise|boxcox|log_CT|log_GII|median-group|mean-group)\b"
)


class VisibleText(HTMLParser):
    """The text a reader sees: everything outside <script> and <style> (JSON chart data is not shown)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def runs(demo, users):
    """An entropy run with outlier treatment, published over the 2024 official run, and a winsorised draft."""
    framework = Framework.objects.get(code="county", version=1)
    city = Region.objects.get(code="360100")
    entropy = evaluation_run_create(
        framework=framework,
        period=2024,
        actor=users["city_admin"],
        scope=city,
        method_spec={**framework.method_spec, "weighting": "entropy", "treat": "coinr", "impute": "median"},
    )
    evaluation_run_publish(run=entropy, actor=users["city_admin"], replace_reason="改用熵权法")
    draft = evaluation_run_create(
        framework=framework,
        period=2023,
        actor=users["city_admin"],
        scope=city,
        method_spec={**framework.method_spec, "treat": "winsorise", "minmax_range": [1, 100]},
    )
    analysis = robustness_start(
        run=entropy,
        kind="uncertainty",
        spec={
            "replications": 10,
            "normalisations": ["minmax:1,100", "zscore:10,2"],
            "aggregations": ["arithmetic", "geometric"],
            "imputations": ["none", "median"],
        },
        actor=users["city_admin"],
    )
    return {"entropy": entropy, "draft": draft, "analysis": analysis, "framework": framework}


def test_no_method_code_is_visible_on_any_page(client_for, runs):
    client = client_for("city_admin")
    pages = {
        "评价结果列表": reverse("evaluation:run_list"),
        "熵权法评价": reverse("evaluation:run_detail", args=[runs["entropy"].pk]),
        "缩尾评价": reverse("evaluation:run_detail", args=[runs["draft"].pk]),
        "分析设置": reverse("evaluation:robustness_detail", args=[runs["analysis"].pk]),
        "发布确认": reverse("evaluation:run_publish", args=[runs["draft"].pk]),
        "指标体系列表": reverse("indicators:framework_list"),
        "指标体系": reverse("indicators:framework_detail", args=[runs["framework"].pk]),
        "总览": reverse("web:dashboard"),
    }
    for name, url in pages.items():
        response = client.post(url) if name == "发布确认" else client.get(url)
        assert response.status_code == 200, name
        text = visible(response.content.decode())
        found = CODES.findall(text)
        assert not found, f"{name}（{url}）显示了方法代码：{sorted(set(found))}"
    run_page = visible(client.get(pages["熵权法评价"]).content.decode())
    for words in (
        "熵权法",
        "中位数插补",
        "逐点缩尾，仍偏态则取对数",
        "最小-最大标准化（0–100）",
        "加权算术平均",
    ):
        assert words in run_page
    assert "最小-最大标准化（1–100）" in visible(client.get(pages["分析设置"]).content.decode())
    assert "最小-最大标准化（1–100）" in visible(client.get(pages["评价结果列表"]).content.decode())


@pytest.mark.parametrize(
    ("step", "labels"),
    [
        ("normalisation", methods.NORMALISATION_LABELS),
        ("aggregation", methods.AGGREGATION_LABELS),
        ("impute", methods.IMPUTATION_LABELS),
        ("treat", methods.TREATMENT_LABELS),
        ("weighting", methods.WEIGHTING_LABELS),
    ],
)
def test_every_engine_option_has_a_chinese_label(step, labels):
    from county_innovation.engine import spec

    engine = {
        "normalisation": spec.NORMALISATIONS,
        "aggregation": spec.AGGREGATIONS,
        "impute": spec.IMPUTATIONS,
        "treat": spec.TREATMENTS,
        "weighting": spec.WEIGHTINGS,
    }[step]
    assert set(engine) <= set(labels)
    for code in engine:
        assert not CODES.search(methods.method_label(step, code)), code
    assert methods.method_label(step, "no-such-code").startswith("其他")
