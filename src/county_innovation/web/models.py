"""Platform-wide state: whether the synthetic demo data set is loaded (every page and export says so)."""

from django.db import models


class DemoDataset(models.Model):
    """Present while synthetic demo data is in the database; one row at most."""

    loaded_at = models.DateTimeField("生成时间", auto_now_add=True)
    seed = models.IntegerField("随机种子")
    periods = models.CharField("年度", max_length=50)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "演示数据集"
        verbose_name_plural = "演示数据集"

    def __str__(self) -> str:
        return f"演示数据（{self.periods}）"
