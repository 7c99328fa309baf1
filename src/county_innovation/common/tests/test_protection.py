"""Nothing with a history or a lock is deleted: not from the admin (even by a superuser), not by a model's
``delete()``, a queryset's ``.delete()`` or a cascade; only inside an explicit ``deletion_permitted`` block."""

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import PROTECT, ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from county_innovation.accounts.models import User
from county_innovation.common.errors import DomainError
from county_innovation.common.protection import (
    admin_delete_leaks,
    deletion_permitted,
    is_protected,
    protected_models,
)
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.indicators.models import DataValue, Framework
from county_innovation.reports.models import Bulletin

# Protected models the demo leaves empty (expert reviews need an application at the review stage); the same
# receiver guards them as every other model.
NOT_IN_DEMO = {"designation.ExpertReview", "designation.HistoricalExpertReview"}


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root_probe", "root@example.cn", "probe-pass-2025")


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_protected_set_covers_history_and_locks():
    labels = {m._meta.label for m in protected_models()}
    for label in (
        "indicators.DataValue",
        "indicators.HistoricalDataValue",
        "indicators.Framework",
        "collection.CollectionRound",
        "collection.Submission",
        "evaluation.EvaluationRun",
        "evaluation.RegionResult",
        "enterprises.Enterprise",
        "designation.Designation",
        "supervision.TaskReport",
        "reports.Bulletin",
    ):
        assert label in labels


def test_no_registered_admin_lets_a_superuser_delete_a_protected_record(demo, superuser):
    assert admin_delete_leaks() == []
    request = _request(superuser)
    walked = set()
    for model, model_admin in admin.site._registry.items():
        obj = model.objects.first()
        if is_protected(model):
            walked.add(model._meta.label)
            assert not model_admin.has_delete_permission(request), model._meta.label
            assert not model_admin.has_delete_permission(request, obj), model._meta.label
            assert "delete_selected" not in model_admin.get_actions(request), model._meta.label
        for inline_class in model_admin.inlines:
            if is_protected(inline_class.model):
                inline = inline_class(model, admin.site)
                assert not inline.has_delete_permission(request, obj), inline_class.model._meta.label
    assert walked >= {
        "indicators.Framework",
        "indicators.DataValue",
        "evaluation.EvaluationRun",
        "enterprises.Enterprise",
        "enterprises.Qualification",
        "designation.Designation",
        "designation.Funding",
        "supervision.TaskItem",
        "reports.Bulletin",
    }


def test_the_admin_delete_page_of_a_published_run_is_forbidden(demo, superuser, client):
    run = EvaluationRun.objects.filter(status="published").first()
    value = DataValue.objects.first()
    client.force_login(superuser)
    assert client.get(reverse("admin:evaluation_evaluationrun_delete", args=[run.pk])).status_code == 403
    response = client.post(reverse("admin:indicators_datavalue_delete", args=[value.pk]), {"post": "yes"})
    assert response.status_code == 403
    changelist = client.post(
        reverse("admin:indicators_datavalue_changelist"),
        {"action": "delete_selected", "_selected_action": [value.pk], "post": "yes"},
    )
    assert changelist.status_code in {200, 302}
    assert DataValue.objects.filter(pk=value.pk).exists()
    assert EvaluationRun.objects.filter(pk=run.pk).exists()


def test_the_admin_cannot_change_a_locked_value(demo, superuser):
    value = DataValue.objects.filter(status__in=["approved", "locked"]).first()
    model_admin = admin.site._registry[DataValue]
    assert not model_admin.has_change_permission(_request(superuser), value)


def test_every_protected_model_refuses_delete_and_queryset_delete(demo):
    # Rows the demo writes in bulk have no history yet, and no bulletin is built in the test session:
    # make one of each so that every protected model is tried on a real row.
    for model in protected_models():
        if hasattr(model, "instance_type") and not model.objects.exists():
            base = model.instance_type.objects.order_by("pk").first()
            if base is not None:
                base.save()
    run = EvaluationRun.objects.filter(status="published").first()
    Bulletin.objects.get_or_create(run=run, version=99, format="docx")
    missing = []
    for model in protected_models():
        obj = model.objects.order_by("pk").first()
        if obj is None:
            missing.append(model._meta.label)
            continue
        # Each attempt in its own savepoint: a refused deletion rolls back the transaction it ran in.
        # A row that other rows reference through PROTECT is refused by Django before our receiver runs.
        with pytest.raises((DomainError, ProtectedError)), transaction.atomic():
            obj.delete()
        with pytest.raises((DomainError, ProtectedError)), transaction.atomic():
            model.objects.filter(pk=obj.pk).delete()
        if not any(
            r.on_delete is PROTECT for r in model._meta.related_objects if r.related_model.objects.exists()
        ):
            with pytest.raises(DomainError, match="不能删除"), transaction.atomic():
                obj.delete()
        assert model.objects.filter(pk=obj.pk).exists(), model._meta.label
    assert set(missing) <= NOT_IN_DEMO, missing


def test_a_cascade_from_a_protected_parent_is_refused_as_a_whole(demo):
    framework = Framework.objects.filter(status="frozen").first()
    runs = EvaluationRun.objects.filter(framework=framework).count()
    with (
        pytest.raises(DomainError, match="不能删除评价运行（其下的评价结果同样受保护）"),
        transaction.atomic(),
    ):
        EvaluationRun.objects.filter(framework=framework).delete()
    assert EvaluationRun.objects.filter(framework=framework).count() == runs


def test_the_refusal_is_a_chinese_sentence_that_says_what_to_do_instead(demo):
    run = EvaluationRun.objects.filter(status="published").first()
    with pytest.raises(DomainError) as refused:
        run.delete()
    assert "评价运行" in refused.value.message and "撤回" in refused.value.message


def test_deletion_is_possible_only_inside_an_explicit_permission(demo):
    run = EvaluationRun.objects.filter(status="draft").first() or EvaluationRun.objects.first()
    with deletion_permitted("test: the guard opens for one block"):
        run.delete()
    assert not EvaluationRun.objects.filter(pk=run.pk).exists()
    other = EvaluationRun.objects.first()
    with pytest.raises(DomainError), transaction.atomic():
        other.delete()
