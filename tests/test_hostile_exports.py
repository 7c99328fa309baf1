"""Formula injection (issue 12, item 3): every text field of every model starts with a formula trigger
(=, +, -, @, tab, CR) and carries a control character; then every Excel export is downloaded and opened with
openpyxl: no cell is a formula, and text that Excel could take for one is marked as text (quotePrefix).

The list of exports is checked against the source: a new module that builds a workbook fails
``test_every_workbook_builder_is_walked`` until it is added here.
"""

import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.urls import reverse
from openpyxl import load_workbook

import county_innovation
from county_innovation.common.excel import FORMULA_TRIGGERS

TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = "HYPERLINK(1+1)\x07"
SKIPPED_NAME = re.compile(
    r"code|password|username|email|content_type|sha256|formula|^file|token|key|digest|path"
)

# Every module that builds an openpyxl workbook, and the export each is downloaded through below.
WORKBOOK_BUILDERS = {
    "collection/excel.py",
    "collection/audit.py",
    "enterprises/exporting.py",
    "supervision/exporting.py",
    "reports/assessment.py",
}


def test_every_workbook_builder_is_walked():
    root = Path(county_innovation.__file__).parent
    builders = {
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts and re.search(r"Workbook\(\)", path.read_text(encoding="utf-8"))
    }
    assert builders == WORKBOOK_BUILDERS


def _hostile_everywhere() -> int:
    """Prefix every free-text field of every model of the platform (histories included)."""
    changed = 0
    for model in apps.get_models():
        if not model.__module__.startswith("county_innovation."):
            continue
        for n, field in enumerate(model._meta.concrete_fields):
            if (
                not isinstance(field, models.CharField | models.TextField)
                or field.choices
                or field.unique
                or field.primary_key
                or SKIPPED_NAME.search(field.name)
            ):
                continue
            prefix = TRIGGERS[n % len(TRIGGERS)]
            hostile = Concat(Value(prefix + PAYLOAD), F(field.name))
            if field.max_length:  # PostgreSQL refuses what SQLite would store beyond the column's length
                hostile = Left(hostile, field.max_length)
            changed += model._base_manager.exclude(**{field.name: None}).update(**{field.name: hostile})
    return changed


def _exports(users, client) -> dict[str, bytes]:
    from county_innovation.collection.models import CollectionRound
    from county_innovation.evaluation.models import EvaluationRun

    client.force_login(users["city_admin"])
    round_ = CollectionRound.objects.order_by("-period").first()
    run = (
        EvaluationRun.objects.filter(status="published", framework__code="county").order_by("-period").first()
    )
    urls = {
        "collection/excel.py": reverse("collection:template", args=["county", round_.period]),
        "collection/audit.py": reverse("collection:audit_export", args=[round_.pk]),
        "enterprises/exporting.py": reverse("enterprises:export"),
        "enterprises/exporting.py (template)": reverse("enterprises:import_template"),
        "supervision/exporting.py": reverse("supervision:export"),
        "reports/assessment.py": reverse("reports:assessment_xlsx") + f"?run={run.pk}&mode=rank",
    }
    answers = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
        answers[name] = response.content
    return answers


@pytest.mark.django_db
def test_no_export_writes_user_text_as_a_formula(demo, users, client):
    assert _hostile_everywhere() > 100
    exports = _exports(users, client)
    assert {name.split(" ")[0] for name in exports} == WORKBOOK_BUILDERS
    for name, content in exports.items():
        book = load_workbook(io.BytesIO(content))
        hostile = 0
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (name, ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert "\x07" not in cell.value, (name, cell.coordinate)
                        if cell.value.startswith(FORMULA_TRIGGERS):
                            assert cell.quotePrefix, (name, ws.title, cell.coordinate, cell.value)
                        hostile += PAYLOAD.rstrip("\x07") in cell.value
        # The blank import template holds no user text; every other export must have met the hostile text.
        assert hostile or name.endswith("(template)"), f"{name}: no hostile text reached the export"
