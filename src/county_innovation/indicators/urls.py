from django.urls import path

from county_innovation.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("<int:pk>/", views.framework_detail, name="framework_detail"),
    path("<int:pk>/new-version/", views.framework_new, name="framework_new"),
]
