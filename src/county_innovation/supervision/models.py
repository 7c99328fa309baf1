"""Supervision of the policy's ten key tasks (重点任务) and five safeguard measures (保障措施) by the city's
科技创新领导小组: a task tree, assignments to lead and supporting units, and periodic progress reports."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from county_innovation.accounts.models import Department
from county_innovation.regions.models import Region

# An open item without a progress report for this many days is flagged 停滞 on the leading group's overview.
STALL_DAYS = 60


class TaskItem(models.Model):
    """A node of the task tree: a key task or safeguard measure of the policy, or a work item under one."""

    class Kind(models.TextChoices):
        KEY_TASK = "task", "重点任务"
        SAFEGUARD = "safeguard", "保障措施"

    class Status(models.TextChoices):
        OPEN = "open", "推进中"
        CLOSED = "closed", "已办结"

    parent = models.ForeignKey(
        "self",
        verbose_name="上级任务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    number = models.CharField("编号", max_length=20, help_text="如「三（一）」「四（三）-1」")
    title = models.CharField("名称", max_length=200)
    description = models.TextField("内容", blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    deliverables = models.TextField("预期成果", blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    order = models.PositiveIntegerField("排序", default=0)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "督办任务"
        verbose_name_plural = "督办任务"
        ordering = ["kind", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class TaskAssignment(models.Model):
    """A unit (a city department or a county) responsible for an item, as lead or supporting unit."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        SUPPORT = "support", "配合单位"

    item = models.ForeignKey(
        TaskItem, verbose_name="任务", on_delete=models.PROTECT, related_name="assignments"
    )
    # 职责 (lead or supporting unit); the column keeps its first name, ``role``.
    duty = models.CharField("职责", max_length=10, choices=Role.choices, default=Role.LEAD, db_column="role")
    department = models.CharField("市直部门", max_length=20, choices=Department.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="县（区）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deliverable = models.TextField("交付成果", blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "任务分工"
        verbose_name_plural = "任务分工"
        ordering = ["item_id", "duty", "pk"]

    def __str__(self) -> str:
        return f"{self.item.number} · {self.unit_label}（{self.get_duty_display()}）"

    @property
    def unit_label(self) -> str:
        return self.region.name if self.region_id else self.get_department_display()


class TaskReport(models.Model):
    """A periodic progress report on an item by one of its units: text, % complete, attachments."""

    item = models.ForeignKey(TaskItem, verbose_name="任务", on_delete=models.PROTECT, related_name="reports")
    assignment = models.ForeignKey(
        TaskAssignment,
        verbose_name="报送单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    percent = models.PositiveSmallIntegerField("完成进度（%）")
    text = models.TextField("进展情况")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField("报送时间")
    is_demo = models.BooleanField("演示数据", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-reported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.percent}%（{self.reported_at:%Y-%m-%d}）"


class TaskAttachment(models.Model):
    report = models.ForeignKey(
        TaskReport, verbose_name="报告", on_delete=models.PROTECT, related_name="attachments"
    )
    filename = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    content = models.BinaryField("内容")

    class Meta:
        verbose_name = "报告附件"
        verbose_name_plural = "报告附件"

    def __str__(self) -> str:
        return self.filename
