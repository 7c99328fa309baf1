"""N+1 guard for the designation and supervision pages (the shared ``query_budget`` fixture of conftest.py)."""

import pytest
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
def test_page_stays_within_its_query_budget(demo, query_budget, name, args, budget):
    query_budget(reverse(name, args=args()), budget)
