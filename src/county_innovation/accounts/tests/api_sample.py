"""What the API tests share: the session's demo data plus one unpublished run, tokens, and a request helper.

The demo (loaded once per test session, see conftest.py) holds 2020–2024 values for every county and town
of Nanchang and a published evaluation per framework and year.
"""

import json
from dataclasses import dataclass

from django.test.client import Client

from county_innovation.accounts.models import User
from county_innovation.accounts.services import api_token_create
from county_innovation.common.actors import system
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.selectors import published_run
from county_innovation.evaluation.services import evaluation_run_create
from county_innovation.indicators.models import Framework
from county_innovation.regions.selectors import city_region

PERIOD = 2024


@dataclass
class ApiSample:
    period: int
    published: EvaluationRun
    draft: EvaluationRun


def api_sample_create(users: dict[str, User], frameworks: dict[str, Framework]) -> ApiSample:
    city = city_region()
    published = published_run(framework_code="county", period=PERIOD, scope=city)
    assert published is not None, "the demo data set (conftest.django_db_setup) is missing"
    draft = evaluation_run_create(
        framework=frameworks["county"], period=PERIOD, actor=users["city_admin"], scope=city
    )
    return ApiSample(period=PERIOD, published=published, draft=draft)


def submission_versions(region: str, period: int, framework: str = "county") -> dict[str, int]:
    """What a client reads from ``GET /api/data/{region}/{period}`` before a PUT: submission id → version."""
    from county_innovation.collection.models import Submission

    rows = Submission.objects.filter(round__framework__code=framework, round__period=period, region_id=region)
    return {str(pk): version for pk, version in rows.values_list("pk", "version")}


def token_for(user: User) -> str:
    return api_token_create(actor=system("测试签发API令牌"), user=user, name="测试")[1]


def call(
    client: Client, method: str, path: str, body: object = None, token: str | None = None
) -> tuple[int, object]:
    """One API request; returns (status, decoded JSON body)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = json.dumps(body) if body is not None else None
    response = client.generic(
        method.upper(), path, data=data or "", content_type="application/json", headers=headers
    )
    content = response.content.decode(errors="replace")  # downloads (docx, xlsx) are binary
    return response.status_code, (json.loads(content) if content.startswith(("{", "[")) else content)
