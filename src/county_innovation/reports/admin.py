from django.contrib import admin

from county_innovation.common.protection import NoDeleteAdminMixin
from county_innovation.reports.models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """Read-only: versions are made by the background task and kept as issued."""

    list_display = ["run", "version", "format", "status", "size", "includes_demo_data", "finished_at"]
    list_filter = ["format", "status", "includes_demo_data"]
    exclude = ["content"]
    readonly_fields = [f.name for f in Bulletin._meta.fields if f.name != "content"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
