from django.urls import path

from county_innovation.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.framework_list, name="framework_list"),
]
