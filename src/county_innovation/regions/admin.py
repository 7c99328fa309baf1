from django.contrib import admin

from county_innovation.regions.models import Region, RegionGroup


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(RegionGroup)
class RegionGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "city"]
    filter_horizontal = ["members"]
    raw_id_fields = ["city"]
