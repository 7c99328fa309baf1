"""Fixtures shared by every app's tests: Nanchang's regions, the default frameworks, one user per role,
and the demo data set (synthetic 2020–2024 values with published evaluations)."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from county_innovation.accounts.models import User

# In CI (CI=true) the property tests draw the same examples every run, so a landing never depends on luck;
# on a developer's machine they keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

_DEMO_REPORT = {}


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # PBKDF2 costs about a second a password on a 2-core machine; tests only need a working hasher.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo once into the test database; every test runs in a transaction rolled back after it.

    Tests that need a database without demo data delete it inside their own transaction.
    """
    from county_innovation.web.demo import demo_load

    with django_db_blocker.unblock():
        _DEMO_REPORT["report"] = demo_load()


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    # django-axes' lockout is tested on its own (accounts tests); elsewhere it would only add noise.
    settings.AXES_ENABLED = False


@pytest.fixture
def nanchang(db):
    from county_innovation.common.actors import system
    from county_innovation.regions.models import Region
    from county_innovation.regions.services import regions_load

    regions_load(actor=system("测试准备区划"), city="360100")
    return Region.objects.get(code="360100")


@pytest.fixture
def frameworks(db):
    """{"county": Framework v1, "town": Framework v1}."""
    from county_innovation.common.actors import system
    from county_innovation.indicators.services import default_frameworks_ensure

    county, town = default_frameworks_ensure(actor=system("测试准备指标体系"))
    return {"county": county, "town": town}


def _user(username, role, region=None, department=""):
    from county_innovation.regions.models import Region

    user = User.objects.create_user(
        username=username,
        password="test-pass-2025",
        role=role,
        department=department,
        region=Region.objects.get(code=region) if region else None,
        display_name=username,
    )
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
    """The full demo (regions, frameworks, demo accounts, synthetic data, published evaluations 2020–2024).

    Loaded once per session (django_db_setup); a transactional test (browser) flushes the database and
    reloads it itself.
    """
    from county_innovation.common.models import DemoDataset
    from county_innovation.web.demo import demo_load

    if not DemoDataset.objects.exists():
        return demo_load()
    return _DEMO_REPORT["report"]


@pytest.fixture
def no_demo(db):
    """A database with regions and frameworks but without the demo data set, values, rounds and runs."""
    from county_innovation.collection.models import CollectionRound, Submission, SubmissionEvent
    from county_innovation.common.models import DemoDataset
    from county_innovation.common.protection import deletion_permitted
    from county_innovation.evaluation.models import EvaluationRun
    from county_innovation.indicators.models import DataValue

    with deletion_permitted("test cleanup: a database without the demo"):
        EvaluationRun.objects.all().delete()
        SubmissionEvent.objects.all().delete()
        Submission.objects.all().delete()
        CollectionRound.objects.all().delete()
        DataValue.objects.all().delete()
        DemoDataset.objects.all().delete()


@pytest.fixture
def client_for(client, users):
    """client_for("county") -> a test client logged in as that role's user."""

    def make(role):
        client.force_login(users[role])
        return client

    return make


@pytest.fixture
def demo_restored_afterwards(django_db_blocker):
    """Reload the session's demo data once a transactional browser test has flushed the database.

    Request it before ``transactional_db`` so that it is torn down after the flush.
    """
    yield
    from county_innovation.web.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()


@pytest.fixture
def query_budget(client):
    """query_budget(url, budget, user=None) -> the response: GET ``url`` as ``user`` (default: the demo's city
    admin) and fail when the page runs more than ``budget`` queries (an N+1 guard for the busiest pages)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def check(url, budget, user=None):
        if user is None:
            client.login(username="admin", password="demo-2025")
        else:
            client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(ctx.captured_queries) <= budget, (
            f"{url}: {len(ctx.captured_queries)} queries (budget {budget})"
        )
        return response

    return check
