from django.urls import path

from county_innovation.web import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
