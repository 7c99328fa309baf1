"""Forms of the designation pages: they parse input only; every rule is checked by the services."""

from django import forms
from django.utils import timezone

from county_innovation.accounts.models import Role, User
from county_innovation.designation.models import Designation, Level, Theme
from county_innovation.designation.services import FORMAL_CHECKLIST
from county_innovation.regions.models import Region

TARGET_ROWS = 5


class ApplyForm(forms.Form):
    region = forms.ChoiceField(label="申报单位")
    level = forms.ChoiceField(label="申报级别", choices=Level.choices)
    theme = forms.ChoiceField(label="建设主题", choices=Theme.choices)
    summary = forms.CharField(label="建设方案摘要", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, regions: list[Region], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, ("　" if r.is_town else "") + r.name) for r in regions]
        for i in range(TARGET_ROWS):
            self.fields[f"target_{i}_name"] = forms.CharField(label="目标名称", required=False, max_length=60)
            self.fields[f"target_{i}_baseline"] = forms.CharField(
                label="现状值", required=False, max_length=30
            )
            self.fields[f"target_{i}_target"] = forms.CharField(label="目标值", required=False, max_length=30)
            self.fields[f"target_{i}_unit"] = forms.CharField(label="单位", required=False, max_length=20)

    def target_rows(self) -> list[list]:
        return [
            [self[f"target_{i}_{k}"] for k in ("name", "baseline", "target", "unit")]
            for i in range(TARGET_ROWS)
        ]

    def building_targets(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {k: data.get(f"target_{i}_{k}", "").strip() for k in ("name", "baseline", "target", "unit")}
            for i in range(TARGET_ROWS)
            if data.get(f"target_{i}_name", "").strip()
        ]


class MaterialForm(forms.Form):
    title = forms.CharField(label="材料名称", max_length=100, required=False)
    file = forms.FileField(label="文件（PDF、Word、Excel、JPG、PNG，不超过 20 MB）", required=False)


class CheckForm(forms.Form):
    note = forms.CharField(label="审查意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, label in FORMAL_CHECKLIST.items():
            self.fields[key] = forms.BooleanField(label=label, required=False)


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label="评审专家", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = User.objects.filter(
            role=Role.EXPERT, is_active=True
        ).select_related("expert_profile__home_region")
        self.fields["experts"].label_from_instance = _expert_label


def _expert_label(user: User) -> str:
    profile = getattr(user, "expert_profile", None)
    home = profile.home_region.name if profile and profile.home_region else "市外/未登记"
    return f"{user}（{home}）"


class NoticeForm(forms.Form):
    start = forms.DateField(label="公示开始", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="公示截止", widget=forms.DateInput(attrs={"type": "date"}))


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=forms.DateInput(attrs={"type": "date"}))
    submitter = forms.CharField(label="提出人", required=False, max_length=100)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))
    resolution = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="决定", choices=[("1", "予以认定"), ("0", "不予认定")], coerce=lambda v: v == "1"
    )
    level = forms.ChoiceField(label="认定级别", choices=Level.choices)
    year = forms.IntegerField(label="认定年度", min_value=2000, max_value=2100)
    funding = forms.DecimalField(label="支持资金（万元）", required=False, min_value=0, decimal_places=2)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, designation: Designation | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if designation is not None:
            self.fields["level"].initial = designation.level
        self.fields["year"].initial = timezone.localdate().year


class BuildReportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    text = forms.CharField(label="建设进展", widget=forms.Textarea(attrs={"rows": 3}))


class AcceptanceForm(forms.Form):
    result = forms.ChoiceField(label="验收结论", choices=Designation.Acceptance.choices)
    note = forms.CharField(label="验收意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RevokeForm(forms.Form):
    reason = forms.CharField(label="撤销原因", widget=forms.Textarea(attrs={"rows": 2}))


class FundingForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="金额（万元）", decimal_places=2)
    note = forms.CharField(label="说明", required=False, max_length=200)
