from django.urls import path

from county_innovation.collection import views

app_name = "collection"
urlpatterns = [
    path("", views.entry, name="entry"),
    path("template/<slug:framework_code>/<int:period>/", views.template_download, name="template"),
    path("import/<slug:framework_code>/<int:period>/", views.import_upload, name="import"),
    path("<str:region_code>/<int:period>/", views.grid, name="grid"),
]
