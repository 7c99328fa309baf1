from django.urls import path

from county_innovation.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/add/", views.add_child, name="add"),
    path("<int:pk>/close/", views.close, name="close"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
