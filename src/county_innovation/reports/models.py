"""Bulletins (定期通报) kept with versions: one row per run, version and format, the file stored in the database.

The file is kept in the row (a few hundred kilobytes) rather than under MEDIA_ROOT, so that a version, its
hash and its content are written in one transaction and a database backup holds every document issued.
"""

from django.db import models

from county_innovation.common.jobs import BackgroundJob
from county_innovation.evaluation.models import EvaluationRun


class Bulletin(BackgroundJob):
    class Format(models.TextChoices):
        DOCX = "docx", "Word（.docx）"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "失败"

    run = models.ForeignKey(
        # A run is deleted only when the demo is reset; its bulletins go with it.
        EvaluationRun,
        verbose_name="县级评价",
        on_delete=models.CASCADE,
        related_name="bulletins",
    )
    town_run = models.ForeignKey(
        EvaluationRun,
        verbose_name="同期乡镇评价",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本")
    format = models.CharField("格式", max_length=4, choices=Format.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    content = models.BinaryField("文件", null=True, blank=True, editable=False)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    includes_demo_data = models.BooleanField("含演示数据", default=False)

    job_label = "通报生成任务"
    job_restart_hint = "请在通报页点击「生成新版本」重新生成。"

    class Meta:
        verbose_name = "定期通报"
        verbose_name_plural = "定期通报"
        ordering = ["-run__period", "-version", "format"]
        constraints = [
            models.UniqueConstraint(fields=["run", "version", "format"], name="bulletin_run_version_format")
        ]

    def __str__(self) -> str:
        return f"{self.run.period}年通报 第{self.version}版（{self.format}）"

    @property
    def filename(self) -> str:
        return f"{self.run.period}年度县域创新驱动发展监测通报_第{self.version}版.{self.format}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
