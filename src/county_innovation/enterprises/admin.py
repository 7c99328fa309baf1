from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from county_innovation.common.protection import NoDeleteAdminMixin
from county_innovation.enterprises.models import Enterprise, EnterpriseYear, Qualification


class EnterpriseYearInline(NoDeleteAdminMixin, admin.TabularInline):
    model = EnterpriseYear
    extra = 0


class QualificationInline(NoDeleteAdminMixin, admin.TabularInline):
    model = Qualification
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(NoDeleteAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "credit_code", "town", "hightech_field", "listing_status", "status", "is_demo"]
    list_filter = ["status", "hightech_field", "listing_status", "is_demo"]
    search_fields = ["name", "credit_code"]
    autocomplete_fields = ["users"]
    raw_id_fields = ["town"]
    inlines = [QualificationInline, EnterpriseYearInline]


@admin.register(Qualification)
class QualificationAdmin(NoDeleteAdminMixin, SimpleHistoryAdmin):
    list_display = ["enterprise", "kind", "number", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["enterprise__name", "number"]
