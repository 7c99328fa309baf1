"""The foundation issue's closing scenario, through the web client as people would do it.

The city admin prepares 2025 from 2024's figures with the Excel template; the 南昌县 officer enters 2025 data
for 南昌县 and for 莲塘镇 in the grid; the city admin runs and publishes the 2025 evaluations; the ranking
moves accordingly.
"""

from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from county_innovation.evaluation.models import EvaluationRun
from county_innovation.indicators.models import DataValue, Framework
from county_innovation.indicators.selectors import framework_indicators

FIRST_DATA_ROW = 4


def _fill_template_with_last_year(client, framework_code: str, period: int) -> bytes:
    """Download the template, copy each region's previous-year values into it."""
    response = client.get(reverse("collection:template", args=[framework_code, period]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    sheet = book["数据填报"]
    # The hidden _meta sheet maps each value column to its indicator (「column:D」 → code).
    codes = {
        code: openpyxl.utils.column_index_from_string(key[len("column:") :])
        for key, code in book["_meta"].iter_rows(values_only=True)
        if str(key).startswith("column:") and not str(code).endswith("#说明")
    }
    previous = {
        (r, i): v
        for r, i, v in DataValue.objects.filter(period=period - 1).values_list(
            "region_id", "indicator__code", "value"
        )
    }
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        region = sheet.cell(row, 1).value
        for code, col in codes.items():
            if (region, code) in previous:
                sheet.cell(row, col, float(previous[(region, code)]))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, framework_code: str, period: int, content: bytes) -> None:
    upload = SimpleUploadedFile(
        f"{framework_code}-{period}.xlsx",
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response = client.post(
        reverse("collection:import", args=[framework_code, period]),
        {"file": upload, "submit": "on"},
        follow=True,
    )
    assert response.status_code == 200
    assert "已导入" in response.content.decode(), response.content.decode()[:3000]


def _rank(framework_code: str, period: int, region: str) -> int:
    run = EvaluationRun.objects.get(framework__code=framework_code, period=period, status="published")
    return run.results.get(region_id=region).rank


@pytest.mark.django_db
def test_county_officer_enters_2025_and_the_ranking_follows(demo, client):
    assert _rank("county", 2024, "360121") == 1  # 南昌县 leads the demo's 2024 ranking
    liantang_2024 = _rank("town", 2024, "360121100")

    # 1. The city admin prepares 2025 from 2024's figures through the Excel template.
    client.login(username="admin", password="demo-2025")
    for code in ("county", "town"):
        _upload(client, code, 2025, _fill_template_with_last_year(client, code, 2025))
    client.logout()

    # 2. The 南昌县 officer enters 2025 data for 南昌县 (the weakest figures of the city) and 莲塘镇 (the strongest).
    client.login(username="nanchangxian", password="demo-2025")
    county_fw = Framework.objects.get(code="county", version=1)
    town_fw = Framework.objects.get(code="town", version=1)
    grid = client.get(reverse("collection:grid", args=["360121", 2025]))
    assert grid.status_code == 200 and "2024年数值" in grid.content.decode()
    weakest = {}
    for indicator in framework_indicators(county_fw):
        values = [
            float(v)
            for v in DataValue.objects.filter(indicator=indicator, period=2025).values_list(
                "value", flat=True
            )
        ]
        worst = max(values) * 1.1 if indicator.direction < 0 else 0
        weakest[f"v_{indicator.code}"] = f"{worst:.2f}" if indicator.value_kind != "count" else "0"
    # The county enters its own indicators; the departments' cells are theirs (issue 11, item 3).
    own = {f"v_{i.code}" for i in framework_indicators(county_fw) if i.is_reported and not i.owner}
    response = client.post(
        reverse("collection:grid", args=["360121", 2025]),
        {**{k: v for k, v in weakest.items() if k in own}, "action": "submit"},
    )
    assert response.status_code in (200, 302)
    refused = client.post(reverse("collection:grid", args=["360121", 2025]), {"v_rd_expenditure": "1"})
    assert refused.status_code == 403
    assert (
        DataValue.objects.get(region_id="360121", period=2025, indicator__code="hightech_enterprises").value
        == 0
    )

    strongest = {}
    for indicator in framework_indicators(town_fw):
        top = max(
            float(v)
            for v in DataValue.objects.filter(indicator=indicator, period=2025).values_list(
                "value", flat=True
            )
        )
        strongest[f"v_{indicator.code}"] = (
            str(int(top * 2)) if indicator.value_kind == "count" else f"{top * 2:.2f}"
        )
    response = client.post(
        reverse("collection:grid", args=["360121100", 2025]), {**strongest, "action": "submit"}
    )
    assert response.status_code in (200, 302)

    # ... but not for 进贤县, which is not theirs.
    refused = client.post(reverse("collection:grid", args=["360124", 2025]), {"v_tech_smes": "1"})
    assert refused.status_code == 403
    client.logout()

    # 3. The city admin corrects the departments' figures of 南昌县 (drafts still), then runs and publishes
    #    the 2025 evaluations.
    client.login(username="admin", password="demo-2025")
    departments = {f"v_{i.code}" for i in framework_indicators(county_fw) if i.is_reported and i.owner}
    response = client.post(
        reverse("collection:grid", args=["360121", 2025]),
        {**{k: v for k, v in weakest.items() if k in departments}, "action": "draft"},
    )
    assert response.status_code == 302
    for fw in (county_fw, town_fw):
        response = client.post(
            reverse("evaluation:run_create"),
            {
                "framework": fw.pk,
                "period": 2025,
                "normalisation": "minmax",
                "aggregation": "arithmetic",
                "availability_threshold": "60",
                "publish": "on",
            },
        )
        assert response.status_code == 302

    # 4. The ranking changed accordingly.
    assert _rank("county", 2025, "360121") == 9
    assert _rank("town", 2025, "360121100") == 1 != liantang_2024
    dashboard = client.get(reverse("web:dashboard"), {"period": 2025}).content.decode()
    assert "2025" in dashboard and "南昌县" in dashboard
