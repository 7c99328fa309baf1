"""The administrative hierarchy (统计用区划代码) and the development zones laid over its townships."""

from django.db import models


class Region(models.Model):
    """A division of the national code list; the code is both the key and a materialised path.

    A township's 9-digit code starts with its county's 6 digits, a county's with its city's first 4,
    a city's with its province's first 2, so a subtree is a prefix match on ``code``.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地级"
        COUNTY = "county", "县级"
        TOWN = "town", "乡级"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(
        "类型", max_length=10, blank=True, help_text="省/市/区/县/县级市/街道/镇/乡/类乡级单位"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The code prefix that every region of this subtree starts with."""
        return code_prefix(self.code, self.level)

    def contains(self, other: "Region") -> bool:
        return other.code.startswith(self.prefix)

    @property
    def is_county(self) -> bool:
        return self.level == self.Level.COUNTY

    @property
    def is_town(self) -> bool:
        return self.level == self.Level.TOWN


def code_prefix(code: str, level: str) -> str:
    return {"province": code[:2], "city": code[:4], "county": code[:6]}.get(level, code)


class RegionGroup(models.Model):
    """A management layer over townships that has no division code of its own: 开发区, 新区, 园区."""

    class Kind(models.TextChoices):
        DEVELOPMENT_ZONE = "zone", "开发区"
        NEW_AREA = "new_area", "新区"
        OTHER = "other", "其他"

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.DEVELOPMENT_ZONE)
    city = models.ForeignKey(Region, verbose_name="所属城市", on_delete=models.PROTECT, related_name="+")
    members = models.ManyToManyField(Region, verbose_name="包含的乡级单位", related_name="groups", blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "开发区（区域组）"
        verbose_name_plural = "开发区（区域组）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
