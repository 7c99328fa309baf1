"""The workbench policy: which sections of the 工作台 concern each role."""

import pytest

from county_innovation.web.policies import workbench

SECTIONS = {
    "city_admin": {"approve", "designation", "tasks", "certificates"},
    "department": {"fill", "fill_any_region", "tasks"},
    "county": {"fill", "approve", "tasks", "certificates"},
    "town": {"fill"},
    "expert": {"review"},
    "enterprise": {"certificates", "enterprises"},
}


@pytest.mark.parametrize("role", sorted(SECTIONS))
def test_each_role_sees_its_sections_and_no_other(users, role):
    shown = {action for action in workbench.actions() if workbench.allows(users[role], action)}
    assert shown == SECTIONS[role]


def test_a_superuser_sees_what_the_city_admin_sees(users):
    boss = users["expert"]
    boss.is_superuser = True
    shown = {action for action in workbench.actions() if workbench.allows(boss, action)}
    assert shown == SECTIONS["city_admin"]
