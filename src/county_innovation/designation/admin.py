"""Admin: expert profiles and score sheets are configured here (targets too); the workflow itself is run
through the pages, so designations are read-only here apart from their history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from county_innovation.common.protection import NoDeleteAdminMixin
from county_innovation.designation.models import Designation, ExpertProfile, Funding, ScoreSheet, Target


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "home_region", "affiliation", "field"]
    raw_id_fields = ["user", "home_region"]
    search_fields = ["user__username", "user__display_name", "affiliation"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["scope_name", "unit", "min_level", "share", "count", "deadline_year", "source"]
    list_filter = ["scope_kind", "unit", "deadline_year"]


@admin.register(Designation)
class DesignationAdmin(NoDeleteAdminMixin, SimpleHistoryAdmin):
    list_display = ["region", "level", "theme", "year", "status", "decided_year", "is_demo"]
    list_filter = ["status", "level", "theme", "is_demo"]
    search_fields = ["region__name", "county__name"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Funding)
class FundingAdmin(NoDeleteAdminMixin, SimpleHistoryAdmin):
    list_display = ["designation", "year", "amount", "source"]
    list_filter = ["year"]
