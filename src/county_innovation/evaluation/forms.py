from django import forms

from county_innovation.indicators.forms import MethodSpecForm
from county_innovation.indicators.models import Framework


class RunCreateForm(MethodSpecForm):
    framework = forms.ModelChoiceField(
        label="评价指标体系",
        queryset=Framework.objects.exclude(status=Framework.Status.DRAFT),
        error_messages={"required": "请选择评价指标体系。", "invalid_choice": "所选评价指标体系不存在。"},
    )
    period = forms.IntegerField(
        label="年度",
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": "请填写年度。",
            "invalid": "年度应为四位数字，如 2025。",
            "min_value": "年度应不早于 2000 年。",
            "max_value": "年度应不晚于 2100 年。",
        },
    )
    publish = forms.BooleanField(label="计算后立即发布", required=False)

    field_order = [
        "framework",
        "period",
        "impute",
        "treat",
        "normalisation",
        "weighting",
        "aggregation",
        "availability_threshold",
        "publish",
    ]


class RobustnessForm(forms.Form):
    """The uncertain choices of an uncertainty or sensitivity analysis, in the engine's spec vocabulary."""

    kind = forms.ChoiceField(
        label="分析类型",
        choices=[
            ("uncertainty", "不确定性分析（排名区间）"),
            ("sensitivity", "敏感性分析（一阶与总效应指数）"),
        ],
    )
    replications = forms.IntegerField(
        label="模拟次数（敏感性分析为基础样本数 N）",
        min_value=1,
        max_value=20000,
        initial=500,
        error_messages={
            "min_value": "模拟次数至少为 1。",
            "max_value": "模拟次数不能超过 20000。",
            "invalid": "模拟次数应为整数。",
            "required": "请填写模拟次数。",
        },
    )
    seed = forms.IntegerField(
        label="随机种子",
        min_value=0,
        max_value=2**31 - 1,
        initial=1,
        error_messages={
            "invalid": "随机种子应为非负整数。",
            "min_value": "随机种子不能为负数。",
            "max_value": "随机种子不能超过 2147483647。",
        },
    )
    noise_indicators = forms.IntegerField(
        label="指标权重扰动（±%）",
        min_value=0,
        max_value=99,
        initial=25,
        error_messages={"max_value": "扰动应小于 100%。", "min_value": "扰动不能为负。"},
    )
    noise_dimensions = forms.IntegerField(
        label="维度权重扰动（±%）",
        min_value=0,
        max_value=99,
        initial=25,
        error_messages={"max_value": "扰动应小于 100%。", "min_value": "扰动不能为负。"},
    )
    normalisations = forms.MultipleChoiceField(
        label="标准化备选",
        required=False,
        initial=["minmax:1,100", "zscore:10,2"],
        choices=[
            ("minmax:1,100", "最小-最大（1–100）"),
            ("zscore:10,2", "Z分数（均值10，标准差2）"),
            ("minmax:0,100", "最小-最大（0–100）"),
            ("rank", "排名"),
            ("fracmax", "占最大值比例"),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    aggregations = forms.MultipleChoiceField(
        label="汇总备选",
        required=False,
        initial=["arithmetic", "geometric"],
        choices=[("arithmetic", "加权算术平均"), ("geometric", "加权几何平均"), ("harmonic", "加权调和平均")],
        widget=forms.CheckboxSelectMultiple,
    )
    imputations = forms.MultipleChoiceField(
        label="插补备选",
        required=False,
        choices=[("none", "不插补"), ("mean", "均值"), ("median", "中位数")],
        widget=forms.CheckboxSelectMultiple,
    )
    treatments = forms.BooleanField(label="异常值处理开/关作为不确定因素", required=False)
    leave_one_out = forms.BooleanField(label="逐一剔除指标", required=False)

    def spec(self) -> dict:
        data = self.cleaned_data
        spec: dict = {"replications": data["replications"], "seed": data["seed"] or 0}
        noise = {"1": data["noise_indicators"] / 100, "2": data["noise_dimensions"] / 100}
        spec["weight_noise"] = {k: v for k, v in noise.items() if v}
        for key in ("normalisations", "aggregations", "imputations"):
            if len(data[key]) > 1:
                spec[key] = list(data[key])
        if data["treatments"]:
            spec["treatments"] = [True, False]
        if data["leave_one_out"]:
            spec["leave_one_out"] = True
        return spec
