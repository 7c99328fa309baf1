"""Indicators, versioned evaluation frameworks (评价指标体系) and the data values reported against them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from county_innovation.regions.models import Region


class Direction(models.IntegerChoices):
    POSITIVE = 1, "正向"
    NEGATIVE = -1, "逆向"


class TargetLevel(models.TextChoices):
    COUNTY = "county", "县（区）"
    TOWN = "town", "乡（镇、街道）"


class ValueKind(models.TextChoices):
    """What kind of number an indicator holds; decides the checks on every entered value."""

    COUNT = "count", "计数（非负整数）"
    AMOUNT = "amount", "数额（非负）"
    PERCENT = "percent", "比重（0–100%）"
    RATE = "rate", "比率/强度（非负）"


class Origin(models.TextChoices):
    """Where an indicator's values come from: reported, computed by a formula, or taken from a registry."""

    REPORTED = "reported", "填报"
    FORMULA = "formula", "公式计算"
    REGISTRY = "registry", "名录发布"


class Indicator(models.Model):
    code = models.SlugField("指标代码", max_length=40, unique=True)
    name = models.CharField("指标名称", max_length=200)
    unit = models.CharField("计量单位", max_length=40)
    definition = models.TextField("指标解释", blank=True)
    direction = models.SmallIntegerField("方向", choices=Direction.choices, default=Direction.POSITIVE)
    level = models.CharField("适用层级", max_length=10, choices=TargetLevel.choices)
    value_kind = models.CharField("数值类型", max_length=10, choices=ValueKind.choices)
    owner = models.CharField(
        "填报主体",
        max_length=20,
        blank=True,
        help_text="市直部门代码（如 statistics）；留空表示由县（区）或乡镇自行填报",
    )
    source = models.CharField("数据来源", max_length=100, blank=True)
    additive = models.BooleanField("可加总", default=False, help_text="乡镇数值可加总到开发区等区域组")
    origin = models.CharField(
        "数据产生方式",
        max_length=10,
        choices=Origin.choices,
        default=Origin.REPORTED,
        help_text="填报：由填报主体填写；公式：读取时由其他指标计算；名录：由登记名录按区划和年度自动发布",
    )
    numerator = models.ForeignKey(
        "self", verbose_name="分子指标", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    denominator = models.ForeignKey(
        "self", verbose_name="分母指标", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    factor = models.DecimalField("系数", max_digits=16, decimal_places=6, default=Decimal(1))
    registry = models.CharField(
        "发布名录", max_length=40, blank=True, help_text="名录指标由哪个登记名录发布，如 enterprises"
    )

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def is_reported(self) -> bool:
        """Typed in by a person (form, import, API); formula and registry values never are."""
        return self.origin == Origin.REPORTED

    @property
    def formula_text(self) -> str:
        if self.origin != Origin.FORMULA or self.numerator_id is None or self.denominator_id is None:
            return ""
        factor = format(self.factor.normalize(), "f")
        tail = "" if factor == "1" else f" × {factor}"
        return f"{self.numerator.name} ÷ {self.denominator.name}{tail}"


class Framework(models.Model):
    """One version of an evaluation framework: index → dimensions → indicators, with weights and method."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ACTIVE = "active", "启用"
        FROZEN = "frozen", "已冻结"

    code = models.SlugField("体系代码", max_length=40)
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=200)
    level = models.CharField("评价对象", max_length=10, choices=TargetLevel.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    method_spec = models.JSONField("方法设置", default=dict)
    note = models.TextField("版本说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价指标体系"
        verbose_name_plural = "评价指标体系"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_code_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FROZEN


class FrameworkNode(models.Model):
    """A node of a framework tree; a leaf refers to an indicator, every other node is an aggregate."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    code = models.SlugField("节点代码", max_length=40)
    name = models.CharField("名称", max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="nodes"
    )
    weight = models.DecimalField("权重", max_digits=10, decimal_places=4, default=Decimal(1))
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "体系节点"
        verbose_name_plural = "体系节点"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="framework_node_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class DataValue(models.Model):
    """One reported number: region × period × indicator."""

    class Status(models.TextChoices):
        """Mirrors the status of the submission the value belongs to (collection.Submission)."""

        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        APPROVED = "approved", "已审核"
        RETURNED = "returned", "已退回"
        LOCKED = "locked", "已锁定"

    class Channel(models.TextChoices):
        FORM = "form", "网页填报"
        IMPORT = "import", "文件导入"
        API = "api", "接口"
        REGISTRY = "registry", "名录发布"
        DEMO = "demo", "演示数据生成"

    region = models.ForeignKey(
        Region, verbose_name="区划", on_delete=models.PROTECT, related_name="data_values"
    )
    period = models.PositiveSmallIntegerField("年度", db_index=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField("数值", max_digits=24, decimal_places=6)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField("填报方式", max_length=10, choices=Channel.choices, default=Channel.FORM)
    comment = models.CharField("说明", max_length=500, blank=True, help_text="如较上年变化超过阈值的原因说明")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标数据"
        verbose_name_plural = "指标数据"
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period", "indicator"], name="datavalue_region_period_indicator"
            )
        ]
        indexes = [models.Index(fields=["period", "indicator"])]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period} {self.indicator_id} = {self.value}"
