from django.urls import path

from county_innovation.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("import/", views.enterprise_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("export/", views.enterprise_export, name="export"),
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_new, name="new"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/deregister/", views.enterprise_deregister, name="deregister"),
    path("<int:pk>/years/<int:year>/", views.year_edit, name="year_edit"),
    path("<int:pk>/qualifications/new/", views.qualification_new, name="qualification_new"),
    path("<int:pk>/check/", views.self_check, name="self_check"),
    path("county/<str:code>/check/", views.batch_check, name="batch_check"),
    path("pool/", views.pool_index, name="pool"),
    path("pool/open/", views.pool_open, name="pool_open"),
    path("pool/flows/", views.pool_flows, name="pool_flows"),
    path("pool/<int:year>/", views.pool_round, name="pool_round"),
    path("pool/<int:year>/select/", views.pool_select, name="pool_select"),
    path("pool/<int:year>/close/", views.pool_close, name="pool_close"),
    path("pool/<int:year>/near/", views.pool_near, name="pool_near"),
]
