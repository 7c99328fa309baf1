from django.urls import path

from county_innovation.collection import views

app_name = "collection"
urlpatterns = [
    path("", views.entry, name="entry"),
]
