"""Move the free-text building targets that can be read as data into BuildingTarget rows.

A legacy target ({"name", "baseline", "target", "unit"}) becomes a row when its name is an indicator's name and
both values are plain numbers; the baseline year is the year before the application, the target year the end of
the 3-year building period. Targets such as "翻一番" stay in the old field, shown as 原文字目标. Reversible.
"""

from decimal import Decimal, InvalidOperation

from django.db import migrations

BUILD_YEARS = 3


def _number(text):
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def forwards(apps, schema_editor):
    Designation = apps.get_model("designation", "Designation")
    BuildingTarget = apps.get_model("designation", "BuildingTarget")
    Indicator = apps.get_model("indicators", "Indicator")
    by_name = {i.name: i for i in Indicator.objects.all()}
    for designation in Designation.objects.exclude(building_targets=[]):
        kept = []
        position = designation.targets.count()
        for target in designation.building_targets or []:
            indicator = by_name.get(str(target.get("name", "")).strip())
            baseline, goal = _number(target.get("baseline")), _number(target.get("target"))
            if indicator is None or baseline is None or goal is None:
                kept.append(target)
                continue
            position += 1
            BuildingTarget.objects.create(
                designation=designation,
                indicator=indicator,
                baseline_year=designation.year - 1,
                baseline_value=baseline,
                target_year=designation.year + BUILD_YEARS,
                target_value=goal,
                position=position,
            )
        if kept != designation.building_targets:
            designation.building_targets = kept
            designation.save(update_fields=["building_targets"])


def backwards(apps, schema_editor):
    Designation = apps.get_model("designation", "Designation")
    BuildingTarget = apps.get_model("designation", "BuildingTarget")
    for designation in Designation.objects.filter(pk__in=BuildingTarget.objects.values("designation_id")):
        rows = BuildingTarget.objects.filter(designation=designation).select_related("indicator")
        legacy = [
            {
                "name": t.indicator.name,
                "baseline": f"{t.baseline_value.normalize():f}",
                "target": f"{t.target_value.normalize():f}",
                "unit": t.indicator.unit,
            }
            for t in rows.order_by("position", "pk")
        ]
        designation.building_targets = legacy + list(designation.building_targets or [])
        designation.save(update_fields=["building_targets"])
        rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("designation", "0003_structured_targets_and_drafts"),
        ("indicators", "0002_indicator_origin_and_value_statuses"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
