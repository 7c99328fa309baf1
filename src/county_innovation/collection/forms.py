"""Forms of the data-entry pages; the grid itself is built from the framework, so only the choosers and the
upload are Django forms. Value checks live in the service, not here."""

from django import forms
from django.db.models import Case, IntegerField, When

from county_innovation.collection import rules_config, selectors
from county_innovation.collection.models import ValidationRule
from county_innovation.common import uploads
from county_innovation.indicators.models import Framework, Indicator, Origin
from county_innovation.indicators.selectors import framework_indicators


class PeriodForm(forms.Form):
    period = forms.TypedChoiceField(label="年度", coerce=int)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p, f"{p}年") for p in selectors.entry_periods()]
        self.fields["period"].initial = selectors.default_period()


class ImportForm(forms.Form):
    file = forms.FileField(
        label="填好的模板（.xlsx）或 CSV 文件",
        error_messages={
            "required": "请选择要上传的 Excel 模板（.xlsx）或 CSV 文件。",
            "empty": "上传的文件是空的（0 字节），请选择填写好的 Excel 模板（.xlsx）或 CSV 文件。",
        },
    )
    submit = forms.BooleanField(label="导入后直接提交（否则保存为草稿）", required=False)
    dry_run = forms.BooleanField(label="只检查，不写入（试导入）", required=False)

    # The kinds of file this form takes (common/uploads.py checks size and real type by the first bytes).
    upload_kinds: tuple[str, ...] = (uploads.XLSX, uploads.CSV)

    def clean_file(self):
        from county_innovation.collection.import_files import XLS_REFUSAL

        upload = self.cleaned_data["file"]
        upload.seek(0)
        if upload.read(len(uploads.OLE2_MAGIC)) == uploads.OLE2_MAGIC:
            raise forms.ValidationError(XLS_REFUSAL)
        upload.seek(0)
        try:
            uploads.upload_check(upload, kinds=self.upload_kinds)
        except uploads.UploadRefused as refused:
            raise forms.ValidationError(refused.message) from refused
        return upload


class RoundForm(forms.Form):
    """The city admin opens a round: which framework, which year, when it opens and closes."""

    framework = forms.ModelChoiceField(
        label="评价指标体系",
        queryset=None,
        error_messages={"required": "请选择评价指标体系。", "invalid_choice": "请选择列表中的评价指标体系。"},
    )
    period = forms.TypedChoiceField(label="数据年度", coerce=int)
    title = forms.CharField(label="任务名称", max_length=200, required=False, help_text="留空时自动生成")
    opens_on = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写开始日期。", "invalid": "开始日期格式应为 年-月-日。"},
    )
    deadline = forms.DateField(
        label="截止日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写截止日期。", "invalid": "截止日期格式应为 年-月-日。"},
    )
    note = forms.CharField(label="填报说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        from county_innovation.indicators.models import Framework

        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.exclude(status=Framework.Status.DRAFT).order_by(
            "code", "-version"
        )
        self.fields["period"].choices = [(p, f"{p}年") for p in selectors.entry_periods()]
        self.fields["period"].initial = selectors.default_period()


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="退回意见",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "退回时必须填写退回意见，说明需要修改的内容。"},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="重新开放原因",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "重新开放必须填写原因。"},
    )


class PublishForm(forms.Form):
    allow_unsubmitted = forms.BooleanField(label="未提交的区划按缺报处理（一并锁定）", required=False)


# The city admin's form for one validation rule; the checks that make a rule workable live in rules_config.py.
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
