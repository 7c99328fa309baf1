from django.urls import path

from county_innovation.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("run/", views.run_create, name="run_create"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("<int:pk>/recheck/", views.run_recheck, name="run_recheck"),
    path("<int:pk>/robustness/", views.robustness_create, name="robustness_create"),
    path("robustness/<int:pk>/", views.robustness_detail, name="robustness_detail"),
    path("robustness/<int:pk>/status/", views.robustness_status, name="robustness_status"),
]
