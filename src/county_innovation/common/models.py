"""Platform-wide state that every layer may read: whether the synthetic demo data set is loaded.

It lives in ``common`` (the bottom of the apps) so that collection, evaluation, the domain apps and reports can
mark demo figures as such without importing the web layer. The table keeps its first name (``web_demodataset``):
the model moved, the data did not.
"""

from django.db import models


class DemoDataset(models.Model):
    """Present while synthetic demo data is in the database; one row at most."""

    loaded_at = models.DateTimeField("生成时间", auto_now_add=True)
    seed = models.IntegerField("随机种子")
    periods = models.CharField("年度", max_length=50)
    description = models.TextField("说明", blank=True)

    class Meta:
        db_table = "web_demodataset"
        verbose_name = "演示数据集"
        verbose_name_plural = "演示数据集"

    def __str__(self) -> str:
        return f"演示数据（{self.periods}）"


def demo_loaded() -> bool:
    """Whether the database holds the synthetic demo data set (pages, documents and exports then say so)."""
    return DemoDataset.objects.exists()
