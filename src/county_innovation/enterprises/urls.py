from django.urls import path

from county_innovation.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/years/<int:year>/", views.year_edit, name="year_edit"),
    path("<int:pk>/qualifications/new/", views.qualification_new, name="qualification_new"),
    path("<int:pk>/check/", views.self_check, name="self_check"),
    path("county/<str:code>/check/", views.batch_check, name="batch_check"),
]
