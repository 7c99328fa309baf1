from django.urls import path

from county_innovation.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.bulletin_list, name="bulletin_list"),
    path("bulletins/<int:run_id>/", views.bulletin_run, name="bulletin_run"),
    path("bulletins/<int:run_id>/generate/", views.bulletin_generate, name="bulletin_generate"),
    path("bulletins/file/<int:pk>/", views.bulletin_download, name="bulletin_download"),
    path("profiles/<str:code>/", views.profile_page, name="profile"),
    path("profiles/<str:code>/docx/", views.profile_download, name="profile_docx"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/xlsx/", views.assessment_download, name="assessment_xlsx"),
]
