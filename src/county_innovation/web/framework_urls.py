"""The framework pages under ``/frameworks/``, in the ``indicators`` namespace they have always had."""

from django.urls import path

from county_innovation.indicators import views as indicator_views
from county_innovation.web import frameworks

app_name = "indicators"
urlpatterns = [
    path("", indicator_views.framework_list, name="framework_list"),
    path("<int:pk>/", frameworks.framework_detail, name="framework_detail"),
    path("<int:pk>/new-version/", frameworks.framework_new, name="framework_new"),
]
