"""Data collection: Excel templates issued and imports received (rounds, approval and rules come later)."""

from django.conf import settings
from django.db import models

from county_innovation.indicators.models import Framework


class ImportBatch(models.Model):
    """One accepted Excel import: who, when, which template, how many values; refused files leave no row."""

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
