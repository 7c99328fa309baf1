"""Collection in the Django admin: for looking up, not for changing the workflow.

Rounds, submissions and their steps are locked records (``common.protection``): their states change only
through the services (open, submit, approve, return, reopen, publish), so here they are read-only and never
deleted. Validation rules have a history and are switched off rather than deleted; import records are read-only.
"""

from django.contrib import admin

from county_innovation.collection.models import (
    CollectionRound,
    ImportBatch,
    Submission,
    SubmissionEvent,
    ValidationRule,
)
from county_innovation.common.protection import NoDeleteAdminMixin


class ReadOnlyAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """No adding, changing or deleting: the services are the only writers."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SubmissionEventInline(NoDeleteAdminMixin, admin.TabularInline):
    model = SubmissionEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "actor", "comment", "changed_values"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CollectionRound)
class CollectionRoundAdmin(ReadOnlyAdmin):
    list_display = ["title", "framework", "period", "opens_on", "deadline", "status"]
    list_filter = ["status", "period"]
    search_fields = ["title"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["round", "region", "owner", "status", "version", "submitted_at", "decided_at"]
    list_filter = ["status", "round"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["round", "region"]
    inlines = [SubmissionEventInline]


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyAdmin):
    list_display = ["submission", "action", "from_status", "to_status", "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["submission__round", "submission__region", "actor"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    """Rules are configured on the rule pages (with their checks); the admin shows them read-only."""

    list_display = ["framework", "kind", "indicator", "severity", "active"]
    list_filter = ["kind", "severity", "active"]
    list_select_related = ["framework", "indicator"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "file_name",
        "framework",
        "period",
        "value_count",
        "region_count",
        "imported_by",
        "imported_at",
    ]
    list_filter = ["period"]
    search_fields = ["file_name", "file_sha256"]
