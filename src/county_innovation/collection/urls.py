from django.urls import path

from county_innovation.collection.views import entry as views
from county_innovation.collection.views import rounds as round_views
from county_innovation.collection.views import rules as rules_views
from county_innovation.collection.views import submissions as submission_views

app_name = "collection"
urlpatterns = [
    path("", views.entry, name="entry"),
    path("template/<slug:framework_code>/<int:period>/", views.template_download, name="template"),
    path("import/<slug:framework_code>/<int:period>/", views.import_upload, name="import"),
    path("rounds/", round_views.round_list, name="round_list"),
    path("rounds/<int:round_id>/", round_views.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/close/", round_views.round_close, name="round_close"),
    path("rounds/<int:round_id>/reopen/", round_views.round_reopen, name="round_reopen"),
    path("rounds/<int:round_id>/publish/", round_views.round_publish, name="round_publish"),
    path("rounds/<int:round_id>/audit.xlsx", round_views.audit_export, name="audit_export"),
    path("rounds/<int:round_id>/registry/", round_views.round_registry, name="round_registry"),
    path("submissions/<int:submission_id>/", submission_views.submission_detail, name="submission_detail"),
    path(
        "submissions/<int:submission_id>/submit/",
        submission_views.submission_submit,
        name="submission_submit",
    ),
    path(
        "submissions/<int:submission_id>/approve/",
        submission_views.submission_approve,
        name="submission_approve",
    ),
    path(
        "submissions/<int:submission_id>/return/",
        submission_views.submission_return,
        name="submission_return",
    ),
    path(
        "submissions/<int:submission_id>/reopen/",
        submission_views.submission_reopen,
        name="submission_reopen",
    ),
    # validation rules (views/rules.py); before the catch-all grid URL below
    path("rules/", rules_views.rule_index, name="rule_index"),
    path("rules/<int:framework_pk>/", rules_views.rule_list, name="rule_list"),
    path("rules/<int:framework_pk>/new/", rules_views.rule_edit, name="rule_new"),
    path("rules/<int:framework_pk>/<int:pk>/edit/", rules_views.rule_edit, name="rule_edit"),
    path("rules/deactivate/<int:pk>/", rules_views.rule_deactivate, name="rule_deactivate"),
    path(
        "<str:region_code>/<int:period>/<slug:indicator_code>/history/",
        submission_views.value_history,
        name="value_history",
    ),
    path("<str:region_code>/<int:period>/", views.grid, name="grid"),
]
