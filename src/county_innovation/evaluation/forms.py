from django import forms

from county_innovation.indicators.models import Framework


class RunCreateForm(forms.Form):
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
    normalisation = forms.ChoiceField(
        label="标准化方法", choices=[("minmax", "最小-最大（0–100）"), ("zscore", "Z分数（均值0，标准差1）")]
    )
    aggregation = forms.ChoiceField(
        label="汇总方法",
        choices=[("arithmetic", "加权算术平均"), ("geometric", "加权几何平均（标准化区间 1–100）")],
    )
    availability_threshold = forms.DecimalField(
        label="数据完整率门槛（%）",
        min_value=0,
        max_value=100,
        decimal_places=1,
        initial=60,
        error_messages={
            "invalid": "门槛应为 0–100 之间的数字。",
            "min_value": "门槛不能小于 0。",
            "max_value": "门槛不能大于 100。",
        },
    )
    publish = forms.BooleanField(label="计算后立即发布", required=False)

    def method_spec(self, framework: Framework) -> dict:
        spec = dict(framework.method_spec)
        spec["normalisation"] = self.cleaned_data["normalisation"]
        spec["aggregation"] = self.cleaned_data["aggregation"]
        if spec["aggregation"] == "geometric" and spec["normalisation"] == "minmax":
            # A geometric mean needs positive inputs; COINr's practice is min-max onto 1–100.
            spec["minmax_range"] = [1.0, 100.0]
        if spec["aggregation"] == "geometric" and spec["normalisation"] == "zscore":
            spec["zscore_mean_sd"] = [10.0, 2.0]
        spec["availability_threshold"] = float(self.cleaned_data["availability_threshold"]) / 100
        return spec
