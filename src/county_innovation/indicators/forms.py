"""The method choices a city admin makes for a framework version or a single evaluation run."""

from django import forms

from county_innovation.engine.spec import AGGREGATIONS, TREATMENTS, WEIGHTINGS
from county_innovation.indicators.methods import DEFAULTS as METHOD_DEFAULTS
from county_innovation.indicators.methods import method_label

# Options that need per-indicator parameters (goalposts, 监测标准值 targets, group columns, panel years, AHP
# matrices) are set through the API's method spec, not through this form.
_FORM_NORMALISATIONS = ["minmax", "zscore", "rank", "prank", "borda", "dist2max", "fracmax"]
_FORM_IMPUTATIONS = ["none", "mean", "median"]
# The geometric and harmonic means need positive inputs: min-max onto 1–100 (COINr's practice) and
# z-scores with mean 10 and sd 2 keep them positive.
POSITIVE_MINMAX = [1.0, 100.0]
POSITIVE_ZSCORE = [10.0, 2.0]
NEEDS_POSITIVE = {"geometric", "harmonic"}


def _choices(names: list[str] | dict, step: str) -> list[tuple[str, str]]:
    return [(name, method_label(step, name)) for name in names]


class MethodSpecForm(forms.Form):
    impute = forms.ChoiceField(
        label="缺失值插补", choices=_choices(_FORM_IMPUTATIONS, "impute"), initial="none", required=False
    )
    treat = forms.ChoiceField(
        label="异常值处理", choices=_choices(list(TREATMENTS), "treat"), initial="none", required=False
    )
    normalisation = forms.ChoiceField(
        label="标准化方法", choices=_choices(_FORM_NORMALISATIONS, "normalisation")
    )
    weighting = forms.ChoiceField(
        label="权重", choices=_choices(list(WEIGHTINGS), "weighting"), initial="given", required=False
    )
    aggregation = forms.ChoiceField(label="汇总方法", choices=_choices(list(AGGREGATIONS), "aggregation"))
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
            "required": "请填写数据完整率门槛。",
        },
    )

    @classmethod
    def initial_from(cls, spec: dict) -> dict:
        threshold = float(spec.get("availability_threshold", 0.6)) * 100
        return {
            "impute": spec.get("impute", "none"),
            "treat": spec.get("treat", "none"),
            "normalisation": spec.get("normalisation", "minmax"),
            "weighting": spec.get("weighting", "given"),
            "aggregation": spec.get("aggregation", "arithmetic"),
            "availability_threshold": round(threshold, 1),
        }

    def method_spec(self, base: dict) -> dict:
        """``base`` (a stored spec) with the chosen options; the engine validates the result.

        A field left empty keeps the base spec's choice.
        """
        data = self.cleaned_data
        spec = dict(base)
        for key in ("impute", "treat", "normalisation", "weighting", "aggregation"):
            # A choice equal to the base's (or to the engine's default the base leaves out) is not written,
            # so an unchanged method stays the same stored spec.
            if data.get(key) and data[key] != spec.get(key, METHOD_DEFAULTS[key]):
                spec[key] = data[key]
        if data.get("availability_threshold") is not None:
            spec["availability_threshold"] = float(data["availability_threshold"]) / 100
        normalisation = spec.get("normalisation", "minmax")
        if spec.get("aggregation") in NEEDS_POSITIVE and data.get("aggregation"):
            if normalisation == "minmax":
                spec["minmax_range"] = POSITIVE_MINMAX
            elif normalisation == "zscore":
                spec["zscore_mean_sd"] = POSITIVE_ZSCORE
        return spec


class FrameworkMethodForm(MethodSpecForm):
    """The method part of a framework's 另存为新版本 form: every field prefilled from the version's spec, and a
    field a client leaves out keeps that spec's choice (saving a new weight must never need the method)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
