"""The development zones' pages, under the ``regions`` namespace they have always had (``/zones/``)."""

from django.urls import path

from county_innovation.indicators import views

app_name = "regions"
urlpatterns = [
    path("", views.zone_list, name="zone_list"),
    path("new/", views.zone_edit, name="zone_new"),
    path("<slug:code>/edit/", views.zone_edit, name="zone_edit"),
]
