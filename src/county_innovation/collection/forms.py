"""Forms of the data-entry pages; the grid itself is built from the framework, so only the choosers and the
upload are Django forms. Value checks live in the service, not here."""

from django import forms

from county_innovation.collection import selectors

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class PeriodForm(forms.Form):
    period = forms.TypedChoiceField(label="年度", coerce=int)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p, f"{p}年") for p in selectors.entry_periods()]
        self.fields["period"].initial = selectors.default_period()


class ImportForm(forms.Form):
    file = forms.FileField(
        label="填好的模板（.xlsx）",
        error_messages={
            "required": "请选择要上传的 Excel 文件。",
            "empty": "上传的文件是空的（0 字节），请选择填写好的 Excel 模板（.xlsx）。",
        },
    )
    submit = forms.BooleanField(label="导入后直接提交（否则保存为草稿）", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size // 1024 // 1024} MB），模板文件不应超过 10 MB。"
            )
        return upload
