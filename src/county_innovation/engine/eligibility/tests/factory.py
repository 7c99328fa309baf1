"""A hand-checked enterprise for the eligibility tests; each test changes only what it is about.

Base figures (万元): 职工 200, 科技人员 40 (20 %); 销售收入 6,000 / 8,000 / 10,000 (sum 24,000); 研发费用
300 / 400 / 500 (sum 1,200 = 5.00 % of sales, all domestic); 成本费用 9,000; 收入总额 10,000 of which
高新技术 7,000 (70 %); 资产总额 15,000; 净资产 3,000 / 3,600 / 4,500; Ⅱ类知识产权 5.
科小: staff 12 + R&D 40 (5 % of sales; 5.56 % of cost scores 0) + IP 24 = 76. 高企: all conditions met.
"""

from __future__ import annotations

import copy
from typing import Any

from county_innovation.engine.eligibility import EnterpriseFigures

BASE: dict[str, Any] = {
    "founded": "2020-03-01",
    "as_of": "2024-06-30",
    "employees": 200,
    "tech_staff": 40,
    "sales_revenue": [6000, 8000, 10000],
    "total_revenue": 10000,
    "hightech_revenue": 7000,
    "rd_expense": [300, 400, 500],
    "rd_expense_domestic": [300, 400, 500],
    "total_cost": 9000,
    "total_assets": 15000,
    "net_assets": [3000, 3600, 4500],
    "ip_class1": 0,
    "ip_class2": 5,
    "in_hightech_field": True,
    "serious_violation": False,
    "direct": {
        "hightech_certificate": False,
        "national_award_top3": False,
        "provincial_rd_institution": False,
        "led_standard": False,
    },
}


def payload(**changes: Any) -> dict[str, Any]:
    """The base payload with ``changes`` applied (a ``direct`` change merges into the four flags)."""
    data = copy.deepcopy(BASE)
    direct = changes.pop("direct", None)
    data.update(changes)
    if direct is not None:
        data["direct"].update(direct)
    return data


def figures(**changes: Any) -> EnterpriseFigures:
    """:class:`EnterpriseFigures` parsed from :func:`payload`."""
    return EnterpriseFigures.from_payload(payload(**changes))
