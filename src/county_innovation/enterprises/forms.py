"""Forms of the enterprise pages: they parse types only; the rules between figures live in ``services``."""

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from county_innovation.enterprises.figures import (
    COUNT_FIELDS,
    COUNT_LIMIT,
    MONEY_FIELDS,
    OPTIONAL_MONEY_FIELDS,
)
from county_innovation.enterprises.models import (
    CultivationTier,
    EnterpriseStatus,
    HightechField,
    ListingStatus,
    QualificationKind,
)
from county_innovation.regions.models import Region


class YearFiguresForm(forms.Form):
    """A year's figures; labels name the unit, amounts are 万元 with at most two decimals."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for name, label in COUNT_FIELDS:
            unit = "人" if name in {"employees", "tech_staff"} else "件" if name.startswith("ip_") else "项"
            self.fields[name] = forms.IntegerField(label=f"{label}（{unit}）", max_value=COUNT_LIMIT)
        for name, label in MONEY_FIELDS:
            self.fields[name] = forms.DecimalField(label=f"{label}（万元）", max_digits=14, decimal_places=2)
        for name, label in OPTIONAL_MONEY_FIELDS:
            self.fields[name] = forms.DecimalField(
                label=f"{label}（万元）", max_digits=14, decimal_places=2, required=False
            )


class SelfCheckForm(forms.Form):
    """The date of the check and what the registry does not record, declared by the enterprise."""

    as_of = forms.DateField(
        label="测评日期",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="读取此日期之前三个完整会计年度的数据",
    )
    serious_violation = forms.BooleanField(
        label="申请前一年内发生过重大安全、重大质量事故或严重环境违法行为", required=False
    )
    national_award_top3 = forms.BooleanField(
        label="近五年获国家级科技奖励，且在获奖单位中排前三", required=False
    )
    provincial_rd_institution = forms.BooleanField(label="拥有经认定的省部级以上研发机构", required=False)
    led_standard = forms.BooleanField(label="近五年主导制定过国际、国家或行业标准", required=False)

    @classmethod
    def from_query(cls, data: dict) -> "SelfCheckForm":
        return cls(data if "as_of" in data else {"as_of": timezone.localdate().isoformat(), **data.dict()})


class AsOfForm(forms.Form):
    as_of = forms.DateField(label="测评日期", widget=forms.DateInput(attrs={"type": "date"}))


class EnterpriseFilterForm(forms.Form):
    town = forms.ChoiceField(label="乡镇（街道）", required=False)
    kind = forms.ChoiceField(
        label="有效资质", required=False, choices=[("", "全部"), *QualificationKind.choices]
    )
    status = forms.ChoiceField(
        label="经营状态", required=False, choices=[("", "全部"), *EnterpriseStatus.choices]
    )
    q = forms.CharField(label="名称或代码", required=False, max_length=50)

    def __init__(self, *args: object, towns: list = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", "全部"), *[(t.code, t.name) for t in towns]]


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label="资质类型", choices=QualificationKind.choices)
    number = forms.CharField(label="证书编号/入库登记编号", max_length=50)
    valid_from = forms.DateField(label="发证（入库）日期", widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label="有效期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="高新技术企业（三年）和科技型中小企业（当年年底）可留空，按规定计算",
    )


class DeregisterForm(forms.Form):
    """Deregistering (注销) an enterprise: the date and the reason; ``services.enterprise_deregister`` checks both."""

    on = forms.DateField(label="注销日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="注销原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    confirm = forms.BooleanField(
        label="我已核实该企业已办理注销登记；注销后企业不再计入当年及以后年度的统计",
        error_messages={"required": "请勾选确认后再注销。"},
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class PoolOpenForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    note = forms.CharField(label="说明", max_length=200, required=False)


class PoolFilterForm(forms.Form):
    county = forms.CharField(required=False)
    tier = forms.ChoiceField(
        label="梯队", required=False, choices=[("", "全部梯队"), *CultivationTier.choices]
    )


# GB/T 4754-2017《国民经济行业分类》: a section letter (门类 A–T), optionally followed by the two-digit division
# (大类), three-digit group (中类) or four-digit class (小类) code, e.g. C, C39, C391, C3914.
INDUSTRY_CODE = RegexValidator(
    r"^[A-T](\d{2}|\d{3}|\d{4})?$",
    "行业代码应按 GB/T 4754-2017 填写：门类字母（A–T），可接2–4位数字，如 C3914。",
)


class EnterpriseForm(forms.Form):
    """One enterprise's registry entry. The credit code's check character, duplicates and the user's right to
    the town are decided by ``services.enterprise_create`` / ``enterprise_update``, not here."""

    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=30,
        help_text="18位，按营业执照填写；校验位按 GB 32100-2015 核对",
    )
    name = forms.CharField(label="企业名称", max_length=200)
    # Any town validates here, so that a town outside the user's county reaches the service and is refused there
    # with the reason; the list offered is the towns the user may manage (``selectors.towns_manageable``).
    town = forms.ModelChoiceField(
        label="所在乡镇（街道）",
        queryset=Region.objects.filter(level=Region.Level.TOWN),
        to_field_name="code",
        empty_label="请选择",
        error_messages={"invalid_choice": "所选的乡镇（街道）不存在，请从列表中选择。"},
    )
    industry_code = forms.CharField(
        label="行业代码",
        max_length=5,
        required=False,
        help_text="GB/T 4754-2017，如 C3914",
    )
    industry_name = forms.CharField(
        label="行业名称", max_length=100, required=False, help_text="如 C3914 工业控制计算机及系统制造"
    )
    hightech_field = forms.ChoiceField(
        label="高新技术领域",
        choices=[("", "不属于国家重点支持的高新技术领域"), *HightechField.choices],
        required=False,
        help_text="《国家重点支持的高新技术领域》一级领域",
    )
    # a date input takes ISO dates only, whatever the locale's display format
    founded = forms.DateField(
        label="成立日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    listing_status = forms.ChoiceField(label="上市状态", choices=ListingStatus.choices)

    def __init__(self, *args: object, towns: list[Region] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [
            ("", "请选择"),
            *[(t.code, f"{t.parent.name} · {t.name}" if t.parent else t.name) for t in towns],
        ]

    def clean_credit_code(self) -> str:
        return "".join(self.cleaned_data["credit_code"].split()).upper()

    def clean_industry_code(self) -> str:
        code = self.cleaned_data["industry_code"].strip().upper()
        if code:
            INDUSTRY_CODE(code)
        return code
