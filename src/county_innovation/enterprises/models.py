"""The technology-enterprise registry: enterprises, their yearly figures and their qualifications.

Figures are private (the enterprise, its county and the city see them, ``enterprises.policies``); names and
qualifications are public. Money is in 万元 as decimals; the eligibility rules read these figures through
``selectors.enterprise_payload``.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from county_innovation.enterprises.validators import validate_credit_code
from county_innovation.regions.models import Region


class HightechField(models.TextChoices):
    """The eight top-level fields of《国家重点支持的高新技术领域》(国科发火〔2016〕32号 附件)."""

    ELECTRONIC = "electronic", "电子信息"
    BIOMEDICINE = "biomedicine", "生物与新医药"
    AEROSPACE = "aerospace", "航空航天"
    MATERIALS = "materials", "新材料"
    SERVICES = "services", "高技术服务"
    ENERGY = "energy", "新能源与节能"
    ENVIRONMENT = "environment", "资源与环境"
    MANUFACTURING = "manufacturing", "先进制造与自动化"


class ListingStatus(models.TextChoices):
    UNLISTED = "unlisted", "未上市"
    NEEQ = "neeq", "新三板"
    BSE = "bse", "北交所"
    MAIN = "main", "主板"
    CHINEXT = "chinext", "创业板"
    STAR = "star", "科创板"
    OVERSEAS = "overseas", "境外上市"


class EnterpriseStatus(models.TextChoices):
    """An enterprise's registration state: deregistered (注销) is a recorded state, never a deletion."""

    ACTIVE = "active", "在营"
    DEREGISTERED = "deregistered", "注销"


class Enterprise(models.Model):
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField("企业名称", max_length=200)
    town = models.ForeignKey(
        Region,
        verbose_name="所在乡镇（街道）",
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"level": Region.Level.TOWN},
    )
    industry_code = models.CharField(
        "行业代码", max_length=5, blank=True, help_text="GB/T 4754-2017，如 C3914"
    )
    industry_name = models.CharField("行业名称", max_length=100, blank=True)
    hightech_field = models.CharField(
        "高新技术领域",
        max_length=20,
        choices=HightechField.choices,
        blank=True,
        help_text="国家重点支持的高新技术领域（一级）；留空表示不属于",
    )
    founded = models.DateField("成立日期")
    listing_status = models.CharField(
        "上市状态", max_length=10, choices=ListingStatus.choices, default=ListingStatus.UNLISTED
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="企业账号",
        related_name="enterprises",
        blank=True,
        help_text="角色为「企业」、可维护本企业资料和数据的用户",
    )
    status = models.CharField(
        "经营状态", max_length=12, choices=EnterpriseStatus.choices, default=EnterpriseStatus.ACTIVE
    )
    deregistered_on = models.DateField("注销日期", null=True, blank=True)
    deregistration_reason = models.TextField("注销原因", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["users"])

    class Meta:
        verbose_name = "科技企业"
        verbose_name_plural = "科技企业"
        ordering = ["town_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_deregistered(self) -> bool:
        return self.status == EnterpriseStatus.DEREGISTERED

    @property
    def county_code(self) -> str:
        """The county follows from the town's code: its first six digits."""
        return self.town.code[:6]


# The registry entry's own fields, in the order of the registration form; the change history shows these and
# the deregistration fields.
REGISTRY_FIELDS = (
    "credit_code",
    "name",
    "town",
    "industry_code",
    "industry_name",
    "hightech_field",
    "founded",
    "listing_status",
)
DEREGISTRATION_FIELDS = ("status", "deregistered_on", "deregistration_reason")


def active_in(year: int, prefix: str = "") -> Q:
    """The enterprises still registered during ``year``: not deregistered on or before its 31 December.

    ``prefix`` is the lookup path to the enterprise (``"enterprise__"`` from its figures or qualifications).
    """
    return Q(**{f"{prefix}deregistered_on__isnull": True}) | Q(
        **{f"{prefix}deregistered_on__gt": date(year, 12, 31)}
    )


class EnterpriseYear(models.Model):
    """One fiscal year's figures of an enterprise; amounts in 万元."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField("年度")
    employees = models.PositiveIntegerField("职工总数（人）")
    tech_staff = models.PositiveIntegerField("科技人员（人）")
    sales_revenue = models.DecimalField("销售收入（万元）", max_digits=14, decimal_places=2)
    total_revenue = models.DecimalField("总收入（万元）", max_digits=14, decimal_places=2)
    total_assets = models.DecimalField("资产总额（万元）", max_digits=14, decimal_places=2)
    net_assets = models.DecimalField("净资产（万元）", max_digits=14, decimal_places=2)
    total_cost = models.DecimalField("成本费用支出总额（万元）", max_digits=14, decimal_places=2)
    rd_expense = models.DecimalField("研发费用（万元）", max_digits=14, decimal_places=2)
    rd_expense_domestic = models.DecimalField("境内研发费用（万元）", max_digits=14, decimal_places=2)
    hightech_revenue = models.DecimalField(
        "高新技术产品（服务）收入（万元）", max_digits=14, decimal_places=2
    )
    ip_class1 = models.PositiveIntegerField("Ⅰ类知识产权（件）", default=0)
    ip_class2 = models.PositiveIntegerField("Ⅱ类知识产权（件）", default=0)
    results_converted = models.PositiveIntegerField("科技成果转化（项）", default=0)
    valuation = models.DecimalField("估值（万元）", max_digits=14, decimal_places=2, null=True, blank=True)
    financing_rounds = models.PositiveIntegerField("融资轮次", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "企业年度数据"
        verbose_name_plural = "企业年度数据"
        ordering = ["enterprise_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="enterprise_year_unique"),
            # The services refuse these with Chinese messages first; the constraints guard every other writer.
            models.CheckConstraint(condition=Q(tech_staff__lte=F("employees")), name="enterprise_year_staff"),
            models.CheckConstraint(
                condition=Q(rd_expense_domestic__lte=F("rd_expense")), name="enterprise_year_rd_domestic"
            ),
            models.CheckConstraint(
                condition=Q(hightech_revenue__lte=F("total_revenue")), name="enterprise_year_hightech_revenue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年"


class QualificationKind(models.TextChoices):
    HIGHTECH = "hightech", "高新技术企业"
    TECH_SME = "tech_sme", "科技型中小企业"
    SPECIALISED = "specialised", "专精特新中小企业"
    LITTLE_GIANT = "little_giant", "专精特新“小巨人”企业"
    INNOVATIVE_SME = "innovative_sme", "创新型中小企业"
    GAZELLE = "gazelle", "瞪羚企业"
    UNICORN = "unicorn", "独角兽企业"


class Qualification(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="qualifications"
    )
    kind = models.CharField("资质类型", max_length=20, choices=QualificationKind.choices)
    number = models.CharField("证书编号/入库登记编号", max_length=50)
    valid_from = models.DateField("发证（入库）日期")
    valid_to = models.DateField("有效期至")
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "企业资质"
        verbose_name_plural = "企业资质"
        ordering = ["enterprise_id", "kind", "-valid_to"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="qualification_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="qualification_valid_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_kind_display()} {self.number}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


# --- Cultivation pool (培育库) -------------------------------------------------------------------------------
# An annual selection round (年度遴选) places every registered enterprise in a tier by the official rules and
# its registered qualifications, with the gap to the next tier; the tier rules are in ``enterprises.cultivation_rules``, the writes in ``enterprises.services``.


class CultivationTier(models.TextChoices):
    """培育梯队, lowest first; ``TIER_ORDER`` gives the rank used to compare tiers."""

    NONE = "none", "未入梯队"
    TECH_SME = "tech_sme", "科技型中小企业"
    HIGHTECH = "hightech", "高新技术企业"
    GAZELLE = "gazelle", "瞪羚企业"
    POTENTIAL_UNICORN = "potential_unicorn", "潜在独角兽企业"
    UNICORN = "unicorn", "独角兽企业"


TIER_ORDER: dict[str, int] = {tier: rank for rank, tier in enumerate(CultivationTier.values)}


class CultivationRound(models.Model):
    """One year's selection; ``rules`` records the rule sets and exchange rate that made its entries."""

    class Status(models.TextChoices):
        OPEN = "open", "遴选中"
        CLOSED = "closed", "已关闭"

    year = models.PositiveSmallIntegerField("年度", unique=True, help_text="按该年度及之前两年的数据测评")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.CharField("说明", max_length=200, blank=True)
    rules = models.JSONField("遴选规则", default=dict)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="开启人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField("开启时间")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="关闭人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "年度遴选"
        verbose_name_plural = "年度遴选"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度培育库遴选"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class PoolEntry(models.Model):
    """An enterprise in one round: its tier, the tier it held in the previous round, and its gap."""

    round = models.ForeignKey(
        CultivationRound, verbose_name="遴选", on_delete=models.CASCADE, related_name="entries"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.CASCADE, related_name="pool_entries"
    )
    tier = models.CharField("梯队", max_length=20, choices=CultivationTier.choices)
    previous_tier = models.CharField(
        "上一轮梯队",
        max_length=20,
        choices=CultivationTier.choices,
        blank=True,
        help_text="空表示上一轮未参评",
    )
    basis = models.CharField("梯队依据", max_length=200, blank=True)
    evaluated = models.BooleanField("已按规则测评", default=False, help_text="数据不全时只按登记的资质定梯队")
    target_tier = models.CharField("目标梯队", max_length=20, choices=CultivationTier.choices, blank=True)
    near = models.BooleanField("接近达标", default=False)
    gap = models.TextField("差距", blank=True, help_text="按规则的理由，每行一条")
    tech_sme_score = models.PositiveSmallIntegerField("科小评价得分", null=True, blank=True)
    hightech_failed = models.JSONField("未满足的第十一条条件", default=list, blank=True)
    scores = models.JSONField("测评得分", default=dict, blank=True)
    selected = models.BooleanField("重点培育", default=False)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="遴选人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    selected_at = models.DateTimeField("遴选时间", null=True, blank=True)

    class Meta:
        verbose_name = "培育库企业"
        verbose_name_plural = "培育库企业"
        ordering = ["round_id", "enterprise__town_id", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "enterprise"], name="pool_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.enterprise} {self.get_tier_display()}"

    @property
    def gap_lines(self) -> list[str]:
        return [line for line in self.gap.splitlines() if line]
