"""Forms of the designation pages: they parse input only; every rule is checked by the services."""

from django import forms
from django.utils import timezone

from county_innovation.accounts.models import Role, User
from county_innovation.designation.models import Designation, Level, Theme
from county_innovation.designation.rules import FORMAL_CHECKLIST
from county_innovation.designation.selectors import experts_for, target_indicators
from county_innovation.regions.models import Region

TARGET_EXTRA_ROWS = 3


class ApplyForm(forms.Form):
    region = forms.ChoiceField(label="申报单位")
    level = forms.ChoiceField(label="申报级别", choices=Level.choices)
    theme = forms.ChoiceField(label="建设主题", choices=Theme.choices)
    summary = forms.CharField(label="建设方案摘要", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, regions: list[Region], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, ("　" if r.is_town else "") + r.name) for r in regions]


class DraftForm(forms.Form):
    """A draft's editable part (the applicant region and year stay as created)."""

    level = forms.ChoiceField(label="申报级别", choices=Level.choices)
    theme = forms.ChoiceField(label="建设主题", choices=Theme.choices)
    summary = forms.CharField(label="建设方案摘要", widget=forms.Textarea(attrs={"rows": 4}), required=False)


def _indicator_choices() -> list:
    county = Region(code="0", level=Region.Level.COUNTY)
    town = Region(code="0", level=Region.Level.TOWN)
    return [
        ("", "—— 选择指标 ——"),
        ("县（区）指标", [(i.code, f"{i.name}（{i.unit}）") for i in target_indicators(county)]),
        ("乡（镇）指标", [(i.code, f"{i.name}（{i.unit}）") for i in target_indicators(town)]),
    ]


class TargetForm(forms.Form):
    """One building target row; numbers are parsed (and refused in Chinese) by the service."""

    indicator = forms.ChoiceField(label="指标", required=False)
    baseline_year = forms.CharField(label="基期年度", required=False, max_length=4)
    baseline_value = forms.CharField(label="基期值", required=False, max_length=30)
    target_year = forms.CharField(label="目标年度", required=False, max_length=4)
    target_value = forms.CharField(label="目标值", required=False, max_length=30)

    def __init__(self, *args, indicator_choices: list | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices or _indicator_choices()
        for name in ("baseline_year", "target_year", "baseline_value", "target_value"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "size": 8})


BaseTargetFormSet = forms.formset_factory(TargetForm, extra=TARGET_EXTRA_ROWS, max_num=20)


def target_formset(data=None, *, initial: list[dict] | None = None) -> forms.BaseFormSet:
    choices = _indicator_choices()
    return BaseTargetFormSet(
        data, initial=initial, prefix="targets", form_kwargs={"indicator_choices": choices}
    )


def targets_from(formset: forms.BaseFormSet) -> list[dict]:
    """The rows as the service takes them (empty rows are dropped by the service)."""
    return [
        {k: (f.cleaned_data.get(k) or "").strip() for k in TargetForm.base_fields}
        for f in formset.forms
        if f.is_valid()
    ]


def targets_initial(designation: Designation) -> list[dict]:
    return [
        {
            "indicator": t.indicator.code,
            "baseline_year": t.baseline_year,
            "baseline_value": f"{t.baseline_value.normalize():f}",
            "target_year": t.target_year,
            "target_value": f"{t.target_value.normalize():f}",
        }
        for t in designation.targets.select_related("indicator")
    ]


class ExpertCreateForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=100)
    organisation = forms.CharField(label="工作单位", max_length=100, required=False)
    field = forms.CharField(label="专业领域", max_length=100, required=False)
    home_region = forms.ChoiceField(label="所在县（区）", required=False)
    username = forms.CharField(label="登录用户名", max_length=150, required=False)
    account = forms.ChoiceField(label="或关联已有专家账号", required=False)

    def __init__(self, *args, counties: list[Region], accounts: list[User] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_region"].choices = [("", "市外（不需回避）"), *((c.code, c.name) for c in counties)]
        self.fields["account"].choices = [("", "—— 新建账号 ——"), *((a.pk, str(a)) for a in accounts or [])]
        if accounts is None:
            del self.fields["account"], self.fields["username"]


class ExpertEditForm(ExpertCreateForm):
    active = forms.BooleanField(label="在库（可登录、可分配）", required=False)


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
    """The pool's experts who may review the application; those from the applicant's county are left out
    (回避) and listed beside the form by the page."""

    experts = forms.ModelMultipleChoiceField(
        label="评审专家", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, designation: Designation | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(role=Role.EXPERT, is_active=True)
        if designation is not None:
            eligible, _ = experts_for(designation)
            qs = qs.filter(pk__in=[e.pk for e in eligible])
        self.fields["experts"].queryset = qs.select_related("expert_profile__home_region").order_by(
            "display_name", "pk"
        )
        self.fields["experts"].label_from_instance = _expert_label


def _expert_label(user: User) -> str:
    profile = getattr(user, "expert_profile", None)
    home = profile.home_region.name if profile and profile.home_region else "市外"
    parts = [p for p in (profile.affiliation if profile else "", profile.field if profile else "") if p]
    return f"{user}（{home}{'，' + '，'.join(parts) if parts else ''}）"


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
