from django.urls import path

from county_innovation.web import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("workbench/", views.workbench, name="workbench"),
    path("regions/<str:code>/", views.region, name="region"),
    path("geo/counties.json", views.counties_geojson, name="counties_geojson"),
    path("favicon.ico", views.favicon, name="favicon"),
]
