"""API tokens (service and command) and the permission table every API endpoint must appear in."""

import base64
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from county_innovation.accounts.models import ApiToken
from county_innovation.accounts.services import api_token_create, api_token_revoke
from county_innovation.accounts.tests.api_sample import (
    ApiSample,
    api_sample_create,
    call,
    submission_versions,
    token_for,
)
from county_innovation.accounts.tokens import TokenExpired, api_token_authenticate
from county_innovation.api import api
from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError
from county_innovation.designation.tests import factory
from county_innovation.engine.eligibility.tests.factory import BASE as ELIGIBILITY_PAYLOAD
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.indicators.models import DataValue

CLI = system("测试签发API令牌")


# --- the token service and command ---------------------------------------------------------------------


def test_token_create_stores_only_the_hash_and_returns_the_key_once(users):
    token, key = api_token_create(actor=CLI, user=users["county"], name="县局数据同步")
    assert key.startswith("ci_") and len(key) > 40
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    assert token.prefix == key[:8]
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_token_without_a_name_is_refused(users):
    with pytest.raises(DomainError, match="用途"):
        api_token_create(actor=CLI, user=users["county"], name="  ")


def test_token_authenticate_records_last_use_and_refuses_revoked_unknown_and_inactive(users):
    token, key = api_token_create(actor=CLI, user=users["county"], name="同步")
    assert api_token_authenticate(key=key) == users["county"]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert api_token_authenticate(key=key + "x") is None
    api_token_revoke(actor=CLI, prefix=token.prefix)
    assert api_token_authenticate(key=key) is None
    _, other = api_token_create(actor=CLI, user=users["town"], name="同步")
    users["town"].is_active = False
    users["town"].save()
    assert api_token_authenticate(key=other) is None


def test_revoking_an_unknown_prefix_says_so(users):
    with pytest.raises(DomainError, match="没有前缀"):
        api_token_revoke(actor=CLI, prefix="ci_nope1")


def test_revoke_limited_to_a_user_does_not_touch_another_users_token(users):
    token, _ = api_token_create(actor=CLI, user=users["county"], name="同步")
    with pytest.raises(DomainError):
        api_token_revoke(actor=CLI, prefix=token.prefix, user=users["town"])
    token.refresh_from_db()
    assert not token.revoked


def test_token_command_prints_a_working_key_once_and_revokes_by_prefix(users):
    out = StringIO()
    call_command("token", "create", users["county"].username, "--name", "县局同步", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert api_token_authenticate(key=key) == users["county"]
    out = StringIO()
    call_command("token", "revoke", key[:8], stdout=out)
    assert "已吊销" in out.getvalue()
    assert api_token_authenticate(key=key) is None


def test_a_token_expires_after_the_default_validity_and_is_refused_in_chinese(users, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 30
    token, key = api_token_create(actor=CLI, user=users["county"], name="同步")
    validity = token.expires_at - token.created_at
    assert datetime.timedelta(days=29, hours=23) < validity <= datetime.timedelta(days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(TokenExpired, match=r"已于 .* 过期"):
        api_token_authenticate(key=key)
    response = Client().get("/api/regions/", headers={"authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert "过期" in response.json()["detail"] and "--days" in response.json()["detail"]


def test_token_validity_is_bounded(users):
    with pytest.raises(DomainError, match="有效期"):
        api_token_create(actor=CLI, user=users["county"], name="同步", days=0)
    token, _ = api_token_create(actor=CLI, user=users["county"], name="同步", days=365)
    assert (token.expires_at - token.created_at).days in (364, 365)


def test_last_use_is_written_at_most_once_a_minute(users, django_assert_num_queries):
    token, key = api_token_create(actor=CLI, user=users["county"], name="同步")
    api_token_authenticate(key=key)
    token.refresh_from_db()
    first = token.last_used_at
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        api_token_authenticate(key=key)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    api_token_authenticate(key=key)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)


def test_token_command_takes_days_and_lists_expiry_and_last_use(users):
    out = StringIO()
    call_command("token", "create", users["county"].username, "--name", "县局同步", "--days", "7", stdout=out)
    assert "有效期至" in out.getvalue()
    key = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(prefix=key[:8])
    assert (token.expires_at - token.created_at).days in (6, 7)
    out = StringIO()
    call_command("token", "list", users["county"].username, stdout=out)
    assert key[:8] in out.getvalue() and "从未使用" in out.getvalue() and "有效" in out.getvalue()
    api_token_authenticate(key=key)
    out = StringIO()
    call_command("token", "list", stdout=out)
    assert "从未使用" not in out.getvalue().split(key[:8])[1].splitlines()[0]


def test_token_command_reports_an_unknown_user_in_chinese(users):
    with pytest.raises(CommandError, match="不存在"):
        call_command("token", "create", "nobody", "--name", "x")


# --- the permission table: every endpoint, anonymous / bad token / allowed role / denied role ---------------


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # exactly as the OpenAPI schema names it
    allowed: str  # a role that may call it …
    status: int  # … and the status it gets
    denied: str | None  # a role that must get 403 (None: every signed-in user may call it, filtered by scope)
    query: str = ""
    body: dict | Callable[[], dict] | None = None  # a callable reads what it needs (e.g. versions) first
    params: dict = field(default_factory=dict)  # path parameters beyond the defaults


SAVE = {"framework": "county", "values": {"outreach_funding": 1234.5}, "submit": False}
IMPORT = {
    "framework": "county",
    "period": 2025,
    "dry_run": False,
    "values": [{"region": "360121", "indicator": "outreach_funding", "value": "1,234.5"}],
}


def _enterprise_in_nanchangxian() -> int:
    """An enterprise of a town of 南昌县 (360121100), made once: the county reads it, another county does not."""
    import datetime as dt
    import random

    from county_innovation.common.actors import system
    from county_innovation.enterprises.demo import demo_credit_code
    from county_innovation.enterprises.models import Enterprise
    from county_innovation.enterprises.services import enterprise_create
    from county_innovation.regions.models import Region

    town = Region.objects.get(code="360121100")
    existing = Enterprise.objects.filter(town=town).first()
    if existing is not None:
        return existing.pk
    return enterprise_create(
        actor=system("接口权限测试"),
        credit_code=demo_credit_code(random.Random(town.code), town),
        name="接口权限测试企业",
        town=town,
        founded=dt.date(2015, 1, 1),
    ).pk


CASES = [
    Case("get", "/api/regions/", "county", 200, None),
    Case("get", "/api/regions/{code}", "county", 200, "other_county"),
    Case("get", "/api/region-groups/", "city_admin", 200, None),
    Case("get", "/api/indicators/", "expert", 200, None),
    Case("get", "/api/frameworks/", "expert", 200, None),
    Case("get", "/api/frameworks/{code}/{version}", "expert", 200, None, params={"code": "county"}),
    Case("get", "/api/data/", "county", 200, "other_county", query="?framework=county&region=360121"),
    Case(
        "get",
        "/api/data/{region}/{period}",
        "county",
        200,
        "other_county",
        query="?framework=county",
        params={"period": 2025},
    ),
    Case(
        "put",
        "/api/data/{region}/{period}",
        "county",
        200,
        "other_county",
        body=lambda: SAVE | {"submission_versions": submission_versions("360121", 2025)},
        params={"period": 2025},
    ),
    Case("post", "/api/data/import", "county", 200, "expert", body=IMPORT),
    Case("get", "/api/evaluations/", "expert", 200, None),
    Case(
        "post", "/api/evaluations/", "city_admin", 201, "county", body={"framework": "county", "period": 2024}
    ),
    Case("get", "/api/evaluations/{run_id}", "city_admin", 200, "county", params={"run_id": "draft"}),
    Case("get", "/api/evaluations/{run_id}/results", "city_admin", 200, "expert", params={"run_id": "draft"}),
    Case(
        "post", "/api/evaluations/{run_id}/publish", "city_admin", 409, "county", params={"run_id": "draft"}
    ),
    # stateless: the figures are sent, nothing of the registry is read, so every signed-in role may call it
    Case("post", "/api/eligibility", "enterprise", 200, None, body=ELIGIBILITY_PAYLOAD),
]
# Collection rounds. {round_id}: the demo's open 2025 town round; {submission_id}: 莲塘镇's draft in it — the
# town may submit it (refused with 400 for missing values once past the permission check), only 南昌县 approves
# or returns it (400: it is a draft), only the city reopens (400: not approved).
R = {"round_id": lambda s: _demo_round().pk}
SUB = {"submission_id": lambda s: _demo_round().submissions.get(region_id="360121100", owner="").pk}
CASES += [
    Case("get", "/api/rounds/", "county", 200, "expert"),
    Case("get", "/api/rounds/{round_id}", "town", 200, "enterprise", params=R),
    Case("get", "/api/rounds/{round_id}/submissions", "department", 200, "expert", params=R),
    Case("post", "/api/submissions/{submission_id}/submit", "town", 400, "other_county", params=SUB),
    Case(
        "post", "/api/submissions/{submission_id}/approve", "county", 400, "city_admin", params=SUB, body={}
    ),
    Case(
        "post",
        "/api/submissions/{submission_id}/return",
        "county",
        400,
        "town",
        params=SUB,
        body={"comment": "请核实"},
    ),
    Case(
        "post",
        "/api/submissions/{submission_id}/reopen",
        "city_admin",
        400,
        "county",
        params=SUB,
        body={"reason": "更正"},
    ),
]


def _demo_round():
    from county_innovation.collection.models import CollectionRound

    return CollectionRound.objects.get(framework__code="town", period=2025)


# Designations and task supervision. {designation_id} etc. are built per test by designation/tests/factory.py.
D, DS = "/api/designations/{designation_id}", {"designation_id": factory.api_pending}
CASES += [
    Case("get", "/api/designations/", "county", 200, None),
    Case(
        "post",
        "/api/designations/",
        "county",
        201,
        "expert",
        body={"region": "360121102", "level": "city", "theme": "industry"},
    ),
    Case("get", D, "other_county", 200, "county", params=DS),
    Case(
        "post",
        D + "/materials",
        "other_county",
        201,
        "county",
        params=DS,
        body={"filename": "补充.pdf", "content_base64": base64.b64encode(factory.PDF).decode()},
    ),
    Case(
        "post",
        D + "/check",
        "city_admin",
        200,
        "other_county",
        params=DS,
        body={"checklist": factory.CHECKLIST_OK},
    ),
    Case(
        "post",
        D + "/experts",
        "city_admin",
        200,
        "county",
        params={"designation_id": factory.api_checked},
        body={"experts": ["t_expert", "t_api_expert_1", "t_api_expert_2"]},
    ),
    Case(
        "post",
        "/api/designation-reviews/{review_id}/score",
        "expert",
        200,
        "county",
        params={"review_id": factory.api_review},
        body={"scores": factory.FULL_MARKS},
    ),
    Case(
        "post",
        D + "/notice",
        "city_admin",
        200,
        "county",
        params={"designation_id": factory.api_scored},
        body={"start": "2026-01-01", "end": "2026-01-07"},
    ),
    Case(
        "post",
        D + "/objections",
        "city_admin",
        201,
        "county",
        params={"designation_id": factory.api_on_notice},
        body={"received_on": "2026-01-02", "content": "异议"},
    ),
    Case(
        "post",
        D + "/decision",
        "city_admin",
        200,
        "county",
        params={"designation_id": factory.api_on_notice},
        body={"approve": True},
    ),
    Case(
        "post",
        D + "/reports",
        "county",
        201,
        "other_county",
        params={"designation_id": factory.api_building},
        body={"year": 2026, "text": "年度进展"},
    ),
    Case(
        "post",
        D + "/acceptance",
        "city_admin",
        200,
        "county",
        params={"designation_id": factory.api_building_done},
        body={"result": "pass"},
    ),
    Case(
        "post",
        D + "/revocation",
        "city_admin",
        200,
        "county",
        params={"designation_id": factory.api_held},
        body={"reason": "接口测试"},
    ),
    Case(
        "post",
        D + "/funding",
        "city_admin",
        201,
        "county",
        params={"designation_id": factory.api_held},
        body={"year": 2026, "amount": "20"},
    ),
    Case("get", "/api/designation-funding", "expert", 200, None),
    Case("get", "/api/designation-targets", "expert", 200, None),
    Case("get", "/api/tasks/", "county", 200, "expert"),
    Case("get", "/api/tasks/{item_id}", "town", 200, "enterprise", params={"item_id": factory.api_task}),
    Case(
        "get",
        "/api/enterprises/{enterprise_id}",
        "county",
        200,
        "other_county",
        params={"enterprise_id": lambda _sample=None: _enterprise_in_nanchangxian()},
    ),
    Case(
        "post",
        "/api/tasks/{item_id}/reports",
        "county",
        201,
        "department",
        params={"item_id": factory.api_task},
        body={"percent": 40, "text": "进展"},
    ),
    Case(
        "post",
        "/api/tasks/{item_id}/assignments",
        "city_admin",
        201,
        "county",
        params={"item_id": factory.api_task},
        body={"department": "statistics"},
    ),
    Case(
        "post",
        "/api/tasks/{item_id}/children",
        "city_admin",
        201,
        "county",
        params={"item_id": factory.api_task},
        body={"title": "接口分解任务"},
    ),
    Case(
        "post",
        "/api/tasks/{item_id}/close",
        "city_admin",
        200,
        "county",
        params={"item_id": factory.api_leaf_task},
    ),
]
# Bulletins, county profiles and assessment points (reports app). With no stored version the bulletin is built
# on the spot and not saved; a profile is open to the city, departments, the county and its towns.
CASES += [
    Case(
        "get", "/api/reports/runs/{run_id}/bulletins", "city_admin", 200, "county", params={"run_id": "draft"}
    ),
    Case("get", "/api/reports/runs/{run_id}/bulletin", "expert", 200, None, query="?format=docx"),
    Case("get", "/api/reports/profiles/{code}", "county", 200, "other_county"),
    Case("get", "/api/reports/profiles/{code}/docx", "town", 200, "other_county"),
    Case("get", "/api/reports/runs/{run_id}/assessment", "department", 200, "county"),
]


def _url(case: Case, sample: ApiSample) -> str:
    runs = {"draft": sample.draft.pk, "published": sample.published.pk}
    params = {"code": "360121", "region": "360121", "period": 2024, "version": 1, "run_id": "published"}
    # a callable parameter builds (or finds) its object in the test database: see designation/tests/factory.py
    params.update({k: v(sample) if callable(v) else v for k, v in case.params.items()})
    params["run_id"] = runs[params["run_id"]]
    return case.path.format(**params) + case.query


def _body(case: Case) -> dict | None:
    return case.body() if callable(case.body) else case.body


@pytest.fixture
def sample(users, frameworks) -> ApiSample:
    return api_sample_create(users, frameworks)


def test_every_api_operation_is_in_the_permission_table():
    schema = api.get_openapi_schema()
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == {(c.method, c.path) for c in CASES}


def _case_id(case: Case) -> str:
    return f"{case.method} {case.path}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_anonymous_caller_gets_401_in_chinese(case, sample):
    status, body = call(Client(enforce_csrf_checks=True), case.method, _url(case, sample), _body(case))
    assert status == 401
    assert "Authorization" in body["detail"] and "登录" in body["detail"]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_unknown_or_revoked_token_gets_401(case, sample, users):
    token = token_for(users[case.allowed])
    api_token_revoke(actor=CLI, prefix=token[:8])
    for bad in (token, "ci_unknown-token", ""):
        status, body = call(Client(), case.method, _url(case, sample), _body(case), token=bad or "   ")
        assert status == 401, bad
        assert "令牌" in body["detail"] or "登录" in body["detail"]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_allowed_role_with_a_token_succeeds(case, sample, users):
    status, body = call(
        Client(), case.method, _url(case, sample), _body(case), token=token_for(users[case.allowed])
    )
    assert status == case.status, body


@pytest.mark.parametrize("case", [c for c in CASES if c.denied], ids=_case_id)
def test_denied_role_gets_403_and_nothing_changes(case, sample, users):
    values = list(DataValue.objects.order_by("pk").values_list("pk", "value", "status"))
    runs = list(EvaluationRun.objects.order_by("pk").values_list("pk", "status"))
    status, body = call(
        Client(), case.method, _url(case, sample), _body(case), token=token_for(users[case.denied])
    )
    assert status == 403, body
    assert body["detail"].endswith("。") and not body["detail"].isascii()
    assert list(DataValue.objects.order_by("pk").values_list("pk", "value", "status")) == values
    assert list(EvaluationRun.objects.order_by("pk").values_list("pk", "status")) == runs


def _versioned_save() -> dict:
    return SAVE | {"submission_versions": submission_versions("360121", 2025)}


def test_session_write_without_csrf_token_is_refused(sample, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["county"])
    status, body = call(client, "put", "/api/data/360121/2025", _versioned_save())
    assert status == 403 and "CSRF" in body["detail"]
    assert not DataValue.objects.filter(
        region_id="360121", indicator__code="outreach_funding", value=1234.5
    ).exists()


def test_session_write_with_csrf_token_is_accepted(sample, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["county"])
    client.get("/api/docs")  # renders {% csrf_token %}, which sets the cookie
    csrf = client.cookies["csrftoken"].value
    response = client.put(
        "/api/data/360121/2025",
        data=_versioned_save(),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200, response.content


def test_token_call_is_recorded_in_the_value_history_as_the_tokens_user(sample, users):
    status, _ = call(
        Client(), "put", "/api/data/360121/2025", _versioned_save(), token=token_for(users["county"])
    )
    assert status == 200
    value = DataValue.objects.get(region_id="360121", period=2025, indicator__code="outreach_funding")
    assert value.channel == DataValue.Channel.API
    assert value.history.first().history_user == users["county"]


def test_api_docs_render_for_a_signed_in_user_and_not_for_anonymous(client_for):
    client = client_for("town")
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert Client().get("/api/docs").status_code == 302
