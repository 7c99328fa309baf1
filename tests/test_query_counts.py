"""Guards against N+1 queries: the busiest pages run a bounded number of queries however many regions
they list (the town dashboard lists 139 towns; one query per town would blow each budget)."""

import pytest
from django.urls import reverse

BUDGETS = [
    ("web:workbench", [], "", 20),
    ("web:dashboard", [], "", 40),
    ("web:dashboard", [], "?level=town", 40),
    ("web:region", ["360124"], "", 45),
    ("web:region", ["360121100"], "", 40),
    ("evaluation:run_list", [], "", 15),
    ("collection:entry", [], "", 20),
    # the round, the region's submissions and the validation rules (rules, last year's values, peers)
    ("collection:grid", ["360121", 2024], "", 26),
    ("regions:zone_list", [], "", 25),
    ("indicators:framework_list", [], "", 10),
]


@pytest.mark.parametrize(("name", "args", "query", "budget"), BUDGETS)
def test_page_stays_within_its_query_budget(demo, query_budget, name, args, query, budget):
    query_budget(reverse(name, args=args) + query, budget)
