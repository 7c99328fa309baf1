"""URL map: one include per app, the API under /api/."""

from django.contrib import admin
from django.urls import include, path

from county_innovation.api import api

admin.site.site_header = "县域创新驱动发展监测管理平台 · 管理后台"
admin.site.site_title = "县域创新平台管理"

handler400 = "county_innovation.common.views.bad_request"

urlpatterns = [
    path("", include("county_innovation.web.urls")),
    path("accounts/", include("county_innovation.accounts.urls")),
    path("data/", include("county_innovation.collection.urls")),
    path("evaluation/", include("county_innovation.evaluation.urls")),
    path("frameworks/", include("county_innovation.web.framework_urls")),
    path("zones/", include("county_innovation.indicators.zone_urls")),
    path("enterprises/", include("county_innovation.enterprises.urls")),
    path("reports/", include("county_innovation.reports.urls")),
    path("designation/", include("county_innovation.designation.urls")),
    path("tasks/", include("county_innovation.supervision.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
