from django.contrib import admin

from county_innovation.common.protection import NoDeleteAdminMixin
from county_innovation.evaluation.models import EvaluationRun


@admin.register(EvaluationRun)
class EvaluationRunAdmin(NoDeleteAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "period", "framework", "status", "unit_count", "includes_demo_data", "created_at"]
    list_filter = ["status", "period"]
    readonly_fields = [f.name for f in EvaluationRun._meta.fields]

    def has_add_permission(self, request):  # runs are made by the evaluation service only
        return False
