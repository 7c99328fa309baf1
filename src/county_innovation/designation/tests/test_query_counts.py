"""N+1 guard for the designation and supervision pages (same idea as tests/test_query_counts.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from county_innovation.designation.models import Designation

BUDGETS = [
    ("designation:list", lambda: [], 10),
    ("designation:targets", lambda: [], 40),
    ("designation:funding", lambda: [], 10),
    ("designation:detail", lambda: [Designation.objects.get(region_id="360121", status="building").pk], 20),
    ("supervision:overview", lambda: [], 12),
    ("supervision:export", lambda: [], 12),
]


@pytest.mark.parametrize(("name", "args", "budget"), BUDGETS, ids=[b[0] for b in BUDGETS])
def test_page_stays_within_its_query_budget(demo, client, name, args, budget):
    client.login(username="admin", password="demo-2025")
    url = reverse(name, args=args())
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= budget, f"{name}: {len(ctx.captured_queries)} queries"
