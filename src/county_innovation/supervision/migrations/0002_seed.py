"""Seed the policy's ten key tasks and five safeguard measures as the roots of the task tree; reversible."""

from django.db import migrations

from county_innovation.supervision.seeds import KEY_TASKS, SAFEGUARDS, SOURCE


def seed(apps, schema_editor):
    TaskItem = apps.get_model("supervision", "TaskItem")
    for kind, items in (("task", KEY_TASKS), ("safeguard", SAFEGUARDS)):
        for order, (number, title, text) in enumerate(items, start=1):
            TaskItem.objects.get_or_create(
                parent=None,
                number=number,
                defaults={
                    "kind": kind,
                    "title": title,
                    "description": text,
                    "source": SOURCE,
                    "order": order,
                },
            )


def unseed(apps, schema_editor):
    TaskItem = apps.get_model("supervision", "TaskItem")
    numbers = [n for n, _t, _x in KEY_TASKS + SAFEGUARDS]
    TaskItem.objects.filter(
        parent=None, number__in=numbers, children__isnull=True, assignments__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
