from django import forms

from county_innovation.regions.models import RegionGroup


class RegionGroupForm(forms.Form):
    code = forms.SlugField(
        label="代码",
        max_length=40,
        error_messages={"required": "请填写代码。", "invalid": "代码只能包含字母、数字、连字符和下划线。"},
    )
    name = forms.CharField(label="名称", max_length=100, error_messages={"required": "请填写名称。"})
    kind = forms.ChoiceField(label="类型", choices=RegionGroup.Kind.choices)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    members = forms.MultipleChoiceField(
        label="包含的乡级单位",
        choices=[],
        error_messages={
            "required": "请至少选择一个乡级单位。",
            "invalid_choice": "所选单位「%(value)s」不是本市的乡级单位。",
        },
    )

    def __init__(self, *args: object, towns: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(t.code, f"{t.code} {t.name}") for t in towns]
