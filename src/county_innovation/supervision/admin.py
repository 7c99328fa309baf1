from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from county_innovation.common.protection import NoDeleteAdminMixin
from county_innovation.supervision.models import TaskAssignment, TaskItem


class TaskAssignmentInline(NoDeleteAdminMixin, admin.TabularInline):
    model = TaskAssignment
    extra = 0
    raw_id_fields = ["region"]


@admin.register(TaskItem)
class TaskItemAdmin(NoDeleteAdminMixin, SimpleHistoryAdmin):
    list_display = ["number", "title", "kind", "deadline", "status", "is_demo"]
    list_filter = ["kind", "status", "is_demo"]
    search_fields = ["number", "title"]
    inlines = [TaskAssignmentInline]
