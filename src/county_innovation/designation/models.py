"""Innovative county and town designations (创新型县（区）、乡（镇）): the application, its review, the
decision, the 3-year building period and its acceptance, funding, and the policy's targets as data.

The procedure follows 科技部《创新型县(市)建设工作指引》(国科发〔2018〕130号): 推荐 → 形式审查 → 数据评价 →
专家质询 → 公示 → 决定, a 3-year building period, then 评估验收.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from county_innovation.regions.models import Region

# 国科发〔2018〕130号（见国科发农〔2023〕76号）：建设期三年，期满评估验收。
BUILD_YEARS = 3
# At least this many experts score an application; from TRIM_FROM experts on, the highest and the lowest
# score are dropped before averaging (the usual practice of expert review panels).
MIN_EXPERTS = 3
TRIM_FROM = 5


class Level(models.TextChoices):
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "国家级"


LEVEL_ORDER = {Level.CITY: 1, Level.PROVINCE: 2, Level.NATIONAL: 3}


def levels_at_least(level: str) -> list[str]:
    """The levels that count as ``level`` or above (市级及以上 = 市级, 省级, 国家级)."""
    return [lv for lv, order in LEVEL_ORDER.items() if order >= LEVEL_ORDER[level]]


class Theme(models.TextChoices):
    # 国科发农〔2023〕76号 公示分组
    INDUSTRY = "industry", "科技支撑产业发展"
    ECOLOGY = "ecology", "科技支撑生态文明"
    LIVELIHOOD = "livelihood", "科技支撑民生改善"


class ExpertProfile(models.Model):
    """What the review needs to know about an expert: the county they belong to (never review its applicants)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="专家账号",
        on_delete=models.CASCADE,
        related_name="expert_profile",
    )
    home_region = models.ForeignKey(
        Region,
        verbose_name="所在区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="专家工作单位所在的县（区）或乡镇；不得评审本县（区）的申报。",
    )
    affiliation = models.CharField("工作单位", max_length=100, blank=True)
    field = models.CharField("专业领域", max_length=100, blank=True)

    class Meta:
        verbose_name = "专家信息"
        verbose_name_plural = "专家信息"

    def __str__(self) -> str:
        return str(self.user)

    @property
    def home_county_code(self) -> str | None:
        return self.home_region.code[:6] if self.home_region_id else None


class ScoreSheet(models.Model):
    """A configurable expert score sheet: criteria with their maximum points (the total is the sheet's maximum)."""

    name = models.CharField("名称", max_length=100, unique=True)
    criteria = models.JSONField("评分项", help_text='[{"key": "basis", "label": "创新基础", "max": 25}, …]')
    is_default = models.BooleanField("默认评分表", default=False)

    class Meta:
        verbose_name = "专家评分表"
        verbose_name_plural = "专家评分表"

    def __str__(self) -> str:
        return self.name

    @property
    def max_total(self) -> int:
        return sum(int(c["max"]) for c in self.criteria)


class Designation(models.Model):
    """One application and, once decided, the designation it became (its building period and acceptance)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        RECOMMENDED = "recommended", "已推荐，待形式审查"
        RETURNED = "returned", "形式审查未通过"
        CHECKED = "checked", "已通过形式审查"
        REVIEWING = "reviewing", "专家质询中"
        NOTICE = "notice", "公示中"
        REJECTED = "rejected", "未予认定"
        BUILDING = "building", "建设期"
        ACCEPTED = "accepted", "已通过验收"
        FAILED = "failed", "验收不合格"
        REVOKED = "revoked", "已撤销"

    class Acceptance(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"

    region = models.ForeignKey(Region, verbose_name="创建单位", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey(
        Region, verbose_name="申报县（区）", on_delete=models.PROTECT, related_name="designations"
    )
    level = models.CharField("申报级别", max_length=10, choices=Level.choices)
    theme = models.CharField("建设主题", max_length=12, choices=Theme.choices)
    year = models.PositiveSmallIntegerField("申报年度")
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.RECOMMENDED, db_index=True
    )
    summary = models.TextField("建设方案摘要", blank=True)
    # Free-text targets of applications made before targets became data (BuildingTarget); kept as written,
    # shown as 原文字目标 on the page. New applications leave it empty.
    building_targets = models.JSONField(
        "原文字建设目标",
        default=list,
        blank=True,
        help_text='[{"name": "高新技术企业数", "baseline": "12", "target": "20", "unit": "家"}]',
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="推荐人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applied_at = models.DateTimeField("推荐时间", auto_now_add=True)
    # 形式审查
    checklist = models.JSONField("形式审查清单", default=dict)
    check_note = models.TextField("形式审查意见", blank=True)
    checked_at = models.DateTimeField("形式审查时间", null=True, blank=True)
    # 数据评价 — a snapshot of the latest published evaluation run at the time of the check
    data_evaluation = models.JSONField("数据评价", default=dict, blank=True)
    score_sheet = models.ForeignKey(
        ScoreSheet, verbose_name="评分表", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expert_score = models.DecimalField("专家评分", max_digits=6, decimal_places=2, null=True, blank=True)
    # 公示
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示截止", null=True, blank=True)
    # 决定
    decided_level = models.CharField("认定级别", max_length=10, choices=Level.choices, blank=True)
    decided_year = models.PositiveSmallIntegerField("认定年度", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.TextField("决定说明", blank=True)
    build_start = models.DateField("建设期开始", null=True, blank=True)
    build_end = models.DateField("建设期结束", null=True, blank=True)
    # 评估验收
    acceptance = models.CharField("验收结论", max_length=10, choices=Acceptance.choices, blank=True)
    acceptance_note = models.TextField("验收意见", blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    # 撤销
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revocation_reason = models.TextField("撤销原因", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "创新型县（乡镇）认定"
        verbose_name_plural = "创新型县（乡镇）认定"
        ordering = ["-year", "county_id", "region_id"]

    def __str__(self) -> str:
        return f"{self.region.name} · {self.get_level_display()}创新型{self.unit_label}（{self.year}）"

    @property
    def is_town(self) -> bool:
        return self.region_id != self.county_id

    @property
    def unit_label(self) -> str:
        return "乡（镇）" if self.is_town else "县（区）"

    @property
    def held_level(self) -> str:
        return self.decided_level or self.level

    @property
    def is_held(self) -> bool:
        """Counts as designated: decided and neither failed at acceptance nor revoked."""
        return self.status in HELD_STATUSES


HELD_STATUSES = (Designation.Status.BUILDING, Designation.Status.ACCEPTED)
PENDING_STATUSES = (
    Designation.Status.RECOMMENDED,
    Designation.Status.CHECKED,
    Designation.Status.REVIEWING,
    Designation.Status.NOTICE,
)


class BuildingTarget(models.Model):
    """A building target as data: an indicator of the framework, its baseline (year, value) and the value to
    reach by a year, so each year's collected value can be compared with it (国科发农〔2023〕76号: 建设目标
    量化、可考核)."""

    designation = models.ForeignKey(
        Designation, verbose_name="申报", on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.ForeignKey(
        "indicators.Indicator", verbose_name="指标", on_delete=models.PROTECT, related_name="+"
    )
    baseline_year = models.PositiveSmallIntegerField("基期年度")
    baseline_value = models.DecimalField("基期值", max_digits=20, decimal_places=4)
    target_year = models.PositiveSmallIntegerField("目标年度")
    target_value = models.DecimalField("目标值", max_digits=20, decimal_places=4)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "建设目标"
        verbose_name_plural = "建设目标"
        ordering = ["designation_id", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator.name}：{self.baseline_year}年 {self.baseline_value} → {self.target_year}年 {self.target_value}"


class Material(models.Model):
    """An application document, stored in the database so it travels with backups and is never public."""

    designation = models.ForeignKey(
        Designation, verbose_name="申报", on_delete=models.PROTECT, related_name="materials"
    )
    title = models.CharField("材料名称", max_length=100)
    filename = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField("内容")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申报材料"
        verbose_name_plural = "申报材料"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.title


class ExpertReview(models.Model):
    """One expert assigned to one application, and their score on the application's score sheet."""

    designation = models.ForeignKey(
        Designation, verbose_name="申报", on_delete=models.PROTECT, related_name="reviews"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="专家",
        on_delete=models.PROTECT,
        related_name="designation_reviews",
    )
    scores = models.JSONField("分项得分", default=dict)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField("质询意见", blank=True)
    assigned_at = models.DateTimeField("分配时间", auto_now_add=True)
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "专家评审"
        verbose_name_plural = "专家评审"
        ordering = ["designation_id", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["designation", "expert"], name="review_designation_expert_unique")
        ]

    def __str__(self) -> str:
        return f"{self.expert} → {self.designation_id}"


class Objection(models.Model):
    """An objection received during the public notice, and how it was handled."""

    designation = models.ForeignKey(
        Designation, verbose_name="申报", on_delete=models.PROTECT, related_name="objections"
    )
    received_on = models.DateField("收到日期")
    submitter = models.CharField("提出人", max_length=100, blank=True)
    content = models.TextField("异议内容")
    resolution = models.TextField("处理结果", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.received_on} {self.content[:20]}"


class BuildReport(models.Model):
    """A yearly progress report during the building period."""

    designation = models.ForeignKey(
        Designation, verbose_name="认定", on_delete=models.PROTECT, related_name="build_reports"
    )
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("建设进展")
    target_progress = models.JSONField("目标完成情况", default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度建设报告"
        verbose_name_plural = "年度建设报告"
        ordering = ["designation_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["designation", "year"], name="build_report_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.designation_id} {self.year}年度建设报告"


class Funding(models.Model):
    """Money granted to a designation (市财政 support per level, 保障措施（三）)."""

    designation = models.ForeignKey(
        Designation, verbose_name="认定", on_delete=models.PROTECT, related_name="fundings"
    )
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("金额（万元）", max_digits=12, decimal_places=2)
    source = models.CharField("资金来源", max_length=100, default="市财政科技创新资金")
    note = models.CharField("说明", max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "支持资金"
        verbose_name_plural = "支持资金"
        ordering = ["year", "designation_id"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.amount}万元"


class Target(models.Model):
    """A policy goal counted in designations: ≥ share (or count) of the scope's counties or towns
    designated at ≥ min_level by the deadline year."""

    class ScopeKind(models.TextChoices):
        CITY = "city", "全市"
        PROVINCE = "province", "全省"

    class Unit(models.TextChoices):
        COUNTY = "county", "县（区）"
        TOWN = "town", "乡（镇）"

    scope_kind = models.CharField("范围", max_length=10, choices=ScopeKind.choices)
    scope_code = models.CharField(
        "范围区划代码", max_length=12, help_text="全市为市的区划代码（360100），全省为省的前两位（36）"
    )
    scope_name = models.CharField("范围名称", max_length=50)
    unit = models.CharField("对象", max_length=10, choices=Unit.choices)
    min_level = models.CharField("最低级别", max_length=10, choices=Level.choices)
    share = models.DecimalField("比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    count = models.PositiveIntegerField("数量", null=True, blank=True)
    deadline_year = models.PositiveSmallIntegerField("目标年份")
    source = models.CharField("来源文件", max_length=200)
    wording = models.CharField("原文", max_length=300, blank=True)
    population = models.PositiveIntegerField(
        "对象总数",
        null=True,
        blank=True,
        help_text="比例的分母；留空时按系统中该范围的县（区）或乡镇数计算（省级目标应填写全省总数）。",
    )

    class Meta:
        verbose_name = "建设目标"
        verbose_name_plural = "建设目标"
        ordering = ["scope_kind", "deadline_year", "unit"]

    def __str__(self) -> str:
        amount = f"{self.share}%" if self.share is not None else f"{self.count}个"
        return f"{self.deadline_year}年 {self.get_scope_kind_display()}{self.get_min_level_display()}及以上创新型{self.get_unit_display()} ≥{amount}"
