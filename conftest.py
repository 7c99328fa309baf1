"""Fixtures shared by every app's tests: Nanchang's regions, the default frameworks, one user per role,
and the demo data set (synthetic 2020–2024 values with published evaluations)."""

import pytest

from county_innovation.accounts.models import User


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    # django-axes' lockout is tested on its own (accounts tests); elsewhere it would only add noise.
    settings.AXES_ENABLED = False


@pytest.fixture
def nanchang(db):
    from county_innovation.regions.models import Region
    from county_innovation.regions.services import regions_load

    regions_load(city="360100")
    return Region.objects.get(code="360100")


@pytest.fixture
def frameworks(db):
    """{"county": Framework v1, "town": Framework v1}."""
    from county_innovation.indicators.services import default_frameworks_ensure

    county, town = default_frameworks_ensure()
    return {"county": county, "town": town}


def _user(username, role, region=None, department=""):
    from county_innovation.regions.models import Region

    user = User.objects.create_user(username=username, password="test-pass-2025", role=role, department=department,
                                    region=Region.objects.get(code=region) if region else None,
                                    display_name=username)
    return user


@pytest.fixture
def users(nanchang, frameworks):
    """One user per role; county and town officers in 南昌县 (360121) plus neighbours to test scope against."""
    return {
        "city_admin": _user("t_admin", "city_admin", "360100"),
        "department": _user("t_tongji", "department", "360100", "statistics"),
        "county": _user("t_nanchangxian", "county", "360121"),
        "other_county": _user("t_jinxian", "county", "360124"),
        "town": _user("t_liantang", "town", "360121100"),
        "other_town": _user("t_xiangtang", "town", "360121101"),
        "expert": _user("t_expert", "expert"),
        "enterprise": _user("t_enterprise", "enterprise"),
    }


@pytest.fixture
def demo(db):
    """The full demo (regions, frameworks, demo accounts, synthetic data, published evaluations 2020–2024)."""
    from county_innovation.web.demo import demo_load

    return demo_load()


@pytest.fixture
def client_for(client, users):
    """client_for("county") -> a test client logged in as that role's user."""

    def make(role):
        client.force_login(users[role])
        return client

    return make
