"""Forms of the data-entry pages; the grid itself is built from the framework, so only the choosers and the
upload are Django forms. Value checks live in the service, not here."""

from django import forms

from county_innovation.collection import selectors
from county_innovation.common import uploads


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
