"""Seed the policy targets (seed policy and Jiangxi) and the default expert score sheet; reversible."""

from django.db import migrations

from county_innovation.designation.seeds import DEFAULT_SCORE_SHEET, TARGETS


def seed(apps, schema_editor):
    Target = apps.get_model("designation", "Target")
    ScoreSheet = apps.get_model("designation", "ScoreSheet")
    for scope_kind, code, name, unit, level, share, count, year, source, wording in TARGETS:
        Target.objects.get_or_create(
            scope_kind=scope_kind,
            scope_code=code,
            unit=unit,
            deadline_year=year,
            defaults={
                "scope_name": name,
                "min_level": level,
                "share": share,
                "count": count,
                "source": source,
                "wording": wording,
            },
        )
    ScoreSheet.objects.get_or_create(
        name=DEFAULT_SCORE_SHEET["name"],
        defaults={"criteria": DEFAULT_SCORE_SHEET["criteria"], "is_default": True},
    )


def unseed(apps, schema_editor):
    Target = apps.get_model("designation", "Target")
    ScoreSheet = apps.get_model("designation", "ScoreSheet")
    for scope_kind, code, _name, unit, _level, _share, _count, year, _source, _wording in TARGETS:
        Target.objects.filter(scope_kind=scope_kind, scope_code=code, unit=unit, deadline_year=year).delete()
    ScoreSheet.objects.filter(name=DEFAULT_SCORE_SHEET["name"]).delete()


class Migration(migrations.Migration):
    dependencies = [("designation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
