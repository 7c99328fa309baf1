"""The city admin's form for one validation rule; the checks that make a rule workable live in rules_config.py."""

from django import forms
from django.db.models import Case, IntegerField, When

from county_innovation.collection import rules_config
from county_innovation.collection.models import ValidationRule
from county_innovation.indicators.models import Framework, Indicator, Origin
from county_innovation.indicators.selectors import framework_indicators


class ValidationRuleForm(forms.ModelForm):
    class Meta:
        model = ValidationRule
        fields = [*rules_config.RULE_FIELDS, "active"]
        labels = {
            "kind": "规则类型",
            "indicator": "指标（A）",
            "other": "对比指标（B）",
            "min_value": "最小值",
            "max_value": "最大值",
            "factor": "系数",
            "threshold": "阈值",
            "severity": "级别",
            "message": "补充提示语",
            "active": "启用",
        }
        help_texts = {
            "indicator": "必填、变化幅度、离群值规则留空表示适用于体系内全部填报指标；取值范围和指标间关系必须选择。",
            "other": "仅用于指标间关系：A ≤ 系数 × B，如「全社会R&D经费支出」≤ 1 ×「地区生产总值」（注意单位）。",
            "factor": "仅用于指标间关系；B 的单位与 A 不同时用它换算，如 A 为万元、B 为亿元时填 10000。",
            "threshold": "变化幅度：百分比，留空按 50（±50%）；离群值：z 分数界限，留空按 3。",
            "message": "附在自动生成的提示之后，如口径说明或联系人。",
        }
        error_messages = {
            "kind": {"required": "请选择规则类型。", "invalid_choice": "请选择列表中的规则类型。"},
            "indicator": {"invalid_choice": "请选择本体系的指标。"},
            "other": {"invalid_choice": "请选择本体系的指标。"},
            "min_value": {"invalid": "最小值应为数字。"},
            "max_value": {"invalid": "最大值应为数字。"},
            "factor": {"required": "请填写系数（通常为 1）。", "invalid": "系数应为数字。"},
            "threshold": {"invalid": "阈值应为数字。"},
            "severity": {"required": "请选择级别。", "invalid_choice": "请选择列表中的级别。"},
            "message": {"max_length": "补充提示语最多 300 字。"},
        }

    def __init__(self, *args, framework: Framework, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        self.framework = framework
        # Typed-in and registry indicators; rules_config.rule_problems keeps registry ones to cross rules.
        reported = [i.pk for i in framework_indicators(framework) if i.origin != Origin.FORMULA]
        # In the framework's order, the order people know from the entry grid.
        in_order = Case(*(When(pk=pk, then=n) for n, pk in enumerate(reported)), output_field=IntegerField())
        choices = Indicator.objects.filter(pk__in=reported).order_by(in_order)
        for name in ("indicator", "other"):
            self.fields[name].queryset = choices
            self.fields[name].empty_label = "（全部填报指标）" if name == "indicator" else "（不适用）"
        for name in ("min_value", "max_value", "factor", "threshold"):
            self.fields[name].widget.attrs["step"] = "any"

    def clean(self):
        data = super().clean()
        if not self.errors:
            for problem in rules_config.rule_problems(framework=self.framework, fields=data):
                self.add_error(None, problem)
        return data
