from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from county_innovation.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "region", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    raw_id_fields = ["region"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("角色与管辖范围", {"fields": ["role", "region", "department", "display_name"]}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("角色与管辖范围", {"fields": ["role", "region", "department", "display_name"]}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
