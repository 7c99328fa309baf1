from django.urls import path

from county_innovation.designation import views

app_name = "designation"
urlpatterns = [
    path("", views.designation_list, name="list"),
    path("apply/", views.designation_apply, name="apply"),
    path("targets/", views.target_progress, name="targets"),
    path("funding/", views.funding, name="funding"),
    path("experts/", views.expert_pool, name="experts"),
    path("experts/<int:pk>/", views.expert_edit, name="expert_edit"),
    path("<int:pk>/", views.designation_detail, name="detail"),
    path("<int:pk>/edit/", views.designation_edit, name="edit"),
    path("<int:pk>/submit/", views.designation_submit, name="submit"),
    path("<int:pk>/materials/", views.material_upload, name="material_upload"),
    path("materials/<int:pk>/", views.material_download, name="material_download"),
    path("<int:pk>/check/", views.formal_check, name="check"),
    path("<int:pk>/experts/", views.experts_assign, name="assign"),
    path("reviews/<int:pk>/", views.review_score, name="score"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/objections/", views.objection, name="objection"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/reports/", views.build_report, name="report"),
    path("<int:pk>/acceptance/", views.acceptance, name="accept"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/funding/", views.funding_add, name="funding_add"),
]
