from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from county_innovation.common.protection import NoDeleteAdminMixin
from county_innovation.indicators.models import DataValue, Framework, FrameworkNode, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "level", "direction", "value_kind", "owner"]
    list_filter = ["level", "direction", "value_kind", "owner"]
    search_fields = ["code", "name"]


class FrameworkNodeInline(NoDeleteAdminMixin, admin.TabularInline):
    model = FrameworkNode
    extra = 0
    raw_id_fields = ["parent", "indicator"]


@admin.register(Framework)
class FrameworkAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ["code", "version", "name", "level", "status"]
    inlines = [FrameworkNodeInline]

    def has_change_permission(self, request, obj=None):  # a frozen version is never edited, here either
        return super().has_change_permission(request, obj) and not (obj and obj.is_frozen)


@admin.register(DataValue)
class DataValueAdmin(NoDeleteAdminMixin, SimpleHistoryAdmin):
    list_display = ["region", "period", "indicator", "value", "status", "channel", "updated_by", "updated_at"]
    list_filter = ["period", "status", "channel"]
    search_fields = ["region__name", "region__code", "indicator__name"]
    raw_id_fields = ["region", "indicator", "updated_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        # An approved or locked value changes only through its round's workflow (reopen, with a reason).
        locked = obj is not None and obj.status in {DataValue.Status.APPROVED, DataValue.Status.LOCKED}
        return super().has_change_permission(request, obj) and not locked
