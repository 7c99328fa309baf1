"""Data collection: rounds (填报任务), submissions and their approval, validation rules, imports received.

A round asks every participating region for one framework's indicators for one period. The indicators of a
region are split by owner: the region itself (a county or town fills its own) and each city department that
owns indicators (市统计局 fills the statistical ones for every region). One Submission per region × owner
moves draft → submitted → approved | returned → locked; its DataValues carry the same status.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from county_innovation.indicators.models import Framework, Indicator
from county_innovation.regions.models import Region

SELF_OWNER = ""  # Submission.owner of the region's own indicators (Indicator.owner == "")


class CollectionRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "填报中"
        CLOSED = "closed", "已截止"
        PUBLISHED = "published", "已发布"

    framework = models.ForeignKey(
        Framework, verbose_name="评价指标体系", on_delete=models.PROTECT, related_name="rounds"
    )
    period = models.PositiveSmallIntegerField("年度")
    title = models.CharField("任务名称", max_length=200)
    opens_on = models.DateField("开始日期")
    deadline = models.DateField("截止日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    regions = models.ManyToManyField(Region, verbose_name="参与区划", related_name="collection_rounds")
    note = models.TextField("填报说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "填报任务"
        verbose_name_plural = "填报任务"
        ordering = ["-period", "framework__code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "period"], name="round_framework_period_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Submission(models.Model):
    """One region's indicators of one owner in a round; the unit that is submitted, approved or returned."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        APPROVED = "approved", "已审核"
        RETURNED = "returned", "已退回"
        LOCKED = "locked", "已锁定"

    round = models.ForeignKey(
        CollectionRound, verbose_name="填报任务", on_delete=models.PROTECT, related_name="submissions"
    )
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(
        "填报主体", max_length=20, blank=True, help_text="市直部门代码；留空表示区划自身"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        "版本号", default=0, help_text="每次保存加一；保存时版本号不符说明他人已修改，保存被拒绝"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_comment = models.CharField("退回意见", max_length=1000, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "填报"
        verbose_name_plural = "填报"
        ordering = ["round", "region_id", "owner"]
        constraints = [
            models.UniqueConstraint(fields=["round", "region", "owner"], name="submission_round_region_owner")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.region.name} · {self.owner_label}"

    @property
    def owner_label(self) -> str:
        from county_innovation.accounts.models import Department

        return Department(self.owner).label if self.owner else self.region.name

    @property
    def editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class SubmissionEvent(models.Model):
    """One step in a submission's history: saved, submitted, returned, approved, reopened, locked."""

    class Action(models.TextChoices):
        SAVE = "save", "保存"
        IMPORT = "import", "导入"
        SUBMIT = "submit", "提交"
        RETURN = "return", "退回"
        APPROVE = "approve", "审核通过"
        REOPEN = "reopen", "重新开放"
        LOCK = "lock", "发布锁定"

    submission = models.ForeignKey(
        Submission, verbose_name="填报", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=10, choices=Submission.Status.choices)
    to_status = models.CharField("新状态", max_length=10, choices=Submission.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.CharField("意见/原因", max_length=1000, blank=True)
    changed_values = models.PositiveIntegerField("变动数据条数", default=0)

    class Meta:
        verbose_name = "填报记录"
        verbose_name_plural = "填报记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class ValidationRule(models.Model):
    """A check on entered values, configured per framework by the city admin.

    Type, non-negativity and share ≤ 100 % come from each indicator's value kind and always apply; these rules
    add what a framework asks for on top. An error refuses the value; a warning must be explained (说明)
    before the submission can be submitted.
    """

    class Kind(models.TextChoices):
        REQUIRED = "required", "必填"
        RANGE = "range", "取值范围"
        CROSS = "cross", "指标间关系（A ≤ 系数 × B）"
        CHANGE = "change", "较上年变化幅度"
        OUTLIER = "outlier", "同级比较离群值"

    class Severity(models.TextChoices):
        ERROR = "error", "错误（不能保存/提交）"
        WARNING = "warning", "提示（需填写说明）"

    framework = models.ForeignKey(
        Framework, verbose_name="评价指标体系", on_delete=models.CASCADE, related_name="validation_rules"
    )
    kind = models.CharField("规则类型", max_length=10, choices=Kind.choices)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空表示适用于体系内全部填报指标（必填、变化幅度、离群值）",
    )
    other = models.ForeignKey(
        Indicator,
        verbose_name="对比指标 B",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    min_value = models.DecimalField("最小值", max_digits=24, decimal_places=6, null=True, blank=True)
    max_value = models.DecimalField("最大值", max_digits=24, decimal_places=6, null=True, blank=True)
    factor = models.DecimalField("系数", max_digits=16, decimal_places=6, default=Decimal(1))
    threshold = models.DecimalField(
        "阈值",
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="变化幅度：百分比（50 表示 ±50%）；离群值：z 分数或稳健 z 分数的界限",
    )
    severity = models.CharField("级别", max_length=10, choices=Severity.choices, default=Severity.ERROR)
    message = models.CharField("提示语", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "校验规则"
        verbose_name_plural = "校验规则"
        ordering = ["framework", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.indicator.name if self.indicator_id else '全部指标'}"


class ImportBatch(models.Model):
    """One accepted import (Excel, CSV, JSON): who, when, which file, how many values; refused files leave no row."""

    framework = models.ForeignKey(
        Framework, verbose_name="评价指标体系", on_delete=models.PROTECT, related_name="+"
    )
    period = models.PositiveSmallIntegerField("年度")
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件哈希", max_length=64)
    template_version = models.CharField("模板版本", max_length=20)
    value_count = models.PositiveIntegerField("数据条数")
    region_count = models.PositiveIntegerField("区划数")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})"
