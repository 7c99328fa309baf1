"""Evaluation runs: what was computed (framework version, period, method, input hash) and the per-region result."""

from django.conf import settings
from django.db import models

from county_innovation.common.jobs import BackgroundJob
from county_innovation.indicators.models import Framework
from county_innovation.regions.models import Region


class EvaluationRun(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "未发布"
        PUBLISHED = "published", "已发布"
        # Was the official (published) run of its framework and period until another replaced it.
        REPLACED = "replaced", "已被替换"

    framework = models.ForeignKey(
        Framework, verbose_name="评价指标体系", on_delete=models.PROTECT, related_name="runs"
    )
    framework_version = models.PositiveIntegerField("体系版本")
    period = models.PositiveSmallIntegerField("年度", db_index=True)
    scope = models.ForeignKey(Region, verbose_name="评价范围", on_delete=models.PROTECT, related_name="+")
    method_spec = models.JSONField("方法参数")
    engine_version = models.CharField("引擎版本", max_length=20)
    input_hash = models.CharField("输入数据哈希", max_length=64)
    input_data = models.JSONField("输入数据", help_text="评价时的原始数据快照，用于复算")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    includes_demo_data = models.BooleanField("含演示数据", default=False)
    unit_count = models.PositiveIntegerField("参评单位数", default=0)
    excluded = models.JSONField("数据不足未参评", default=list)
    warnings = models.JSONField("提示", default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执行人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("执行时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "评价运行"
        verbose_name_plural = "评价运行"
        ordering = ["-period", "-created_at"]

    def __str__(self) -> str:
        return f"{self.period}年 {self.framework.name} #{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class OfficialRunReplacement(models.Model):
    """History of the official run of a framework and period: which run replaced which, why, who and when.

    The official run of a framework (code, across versions), period and scope is its one published run;
    publishing another asks for confirmation and a reason, kept here.
    """

    previous = models.ForeignKey(
        EvaluationRun, verbose_name="被替换的评价", on_delete=models.CASCADE, related_name="replacements"
    )
    replacement = models.ForeignKey(
        EvaluationRun, verbose_name="替换后的评价", on_delete=models.CASCADE, related_name="replaced"
    )
    reason = models.TextField("替换理由")
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_at = models.DateTimeField("替换时间", auto_now_add=True)

    class Meta:
        verbose_name = "正式评价替换记录"
        verbose_name_plural = "正式评价替换记录"
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"#{self.previous_id} → #{self.replacement_id}"


class RegionResult(models.Model):
    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="results")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    index = models.FloatField("综合指数", null=True)
    rank = models.PositiveIntegerField("排名", null=True)
    availability = models.FloatField("数据完整率")
    dimension_scores = models.JSONField("维度得分", default=dict)
    dimension_ranks = models.JSONField("维度排名", default=dict)
    normalised = models.JSONField("标准化值", default=dict)
    contributions = models.JSONField("指标贡献", default=dict)

    class Meta:
        verbose_name = "评价结果"
        verbose_name_plural = "评价结果"
        ordering = ["rank", "region_id"]
        constraints = [models.UniqueConstraint(fields=["run", "region"], name="result_run_region_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.index}"


class RobustnessAnalysis(BackgroundJob):
    """An uncertainty or sensitivity analysis of one evaluation run, computed in the background."""

    class Kind(models.TextChoices):
        UNCERTAINTY = "uncertainty", "不确定性分析（排名区间）"
        SENSITIVITY = "sensitivity", "敏感性分析（方差分解）"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    run = models.ForeignKey(
        EvaluationRun, verbose_name="评价运行", on_delete=models.CASCADE, related_name="analyses"
    )
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    spec = models.JSONField("分析设置")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rank_stats = models.JSONField("排名统计", default=list)
    indices = models.JSONField("敏感性指数", default=list)
    replications = models.PositiveIntegerField("模拟次数", default=0)
    output_variance = models.FloatField("输出方差", null=True, help_text="敏感性分析：平均排名变动的方差")

    job_label = "稳健性分析"
    job_restart_hint = "请在评价详情页重新发起分析。"

    class Meta:
        verbose_name = "稳健性分析"
        verbose_name_plural = "稳健性分析"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}（评价 #{self.run_id}）"
