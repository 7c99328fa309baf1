"""Users, their role and the region subtree they are scoped to, and API tokens for machine clients."""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from county_innovation.regions.models import Region


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", "市科技局管理员"
    DEPARTMENT = "department", "市直部门"
    COUNTY = "county", "县（区）科技局"
    TOWN = "town", "乡（镇、街道）"
    EXPERT = "expert", "专家"
    ENTERPRISE = "enterprise", "企业"


class Department(models.TextChoices):
    """City departments that own statistical indicators for every region (DESIGN §1)."""

    STATISTICS = "statistics", "市统计局"
    DEVELOPMENT = "development", "市发改委"
    INDUSTRY = "industry", "市工信局"
    FINANCE = "finance", "市财政局"
    TAXATION = "taxation", "市税务局"
    HUMAN_RESOURCES = "hr", "市人社局"
    AGRICULTURE = "agriculture", "市农业农村局"
    BANKING = "banking", "市金融办"
    SCIENCE = "science", "市科技局"


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.EXPERT)
    region = models.ForeignKey(
        Region,
        verbose_name="所辖区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="用户可见的区划子树的根：市管理员与市直部门为本市，县（区）用户为本县，乡镇用户为本乡镇。",
    )
    department = models.CharField("部门", max_length=20, choices=Department.choices, blank=True)
    display_name = models.CharField("姓名/单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for machine clients; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至", help_text="过期后令牌被拒绝（401），须重新签发。")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, help_text="至多每分钟记录一次。")
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime.datetime) -> bool:
        return self.expires_at <= now

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "ci_" + secrets.token_urlsafe(32)
