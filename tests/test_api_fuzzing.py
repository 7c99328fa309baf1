"""Property-based fuzzing of the whole HTTP API from its own OpenAPI schema (issue 12, "checks that keep them
fixed"): every operation, with every role's bearer token, with valid and invalid generated requests.

Schemathesis turns the schema (``api.get_openapi_schema()``) into Hypothesis strategies; each generated request
is sent through Django's test client inside a transaction that is rolled back, so writes leave nothing behind.
Two passes per operation: path parameters as generated (mostly unknown ids: the 404 paths), and path parameters
taken from the demo (a real region, year, run, designation, task…) so the generated query and body reach the
deep code. The properties: no answer is a 5xx, and every 4xx answer is JSON whose ``detail`` is a Chinese
sentence. Examples are derandomised (the same every run) and bounded so the file runs in a few minutes.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core import NotSet

from county_innovation.accounts.tests.api_sample import api_sample_create, token_for
from county_innovation.api import api

# One user per kind of role (conftest.users); a second county or town adds nothing a scope test does not check.
ROLES = ["city_admin", "department", "county", "town", "expert", "enterprise"]
EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 2}
# Operations that build a Word document (seconds each) reach their real objects once, as the city admin.
DOCUMENTS = {"/api/reports/runs/{run_id}/bulletin", "/api/reports/profiles/{code}/docx"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _schema():
    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _known_path_parameters(sample) -> dict[str, object]:
    """Real objects of the session's demo for every path parameter the API names (None: leave generated)."""
    from county_innovation.collection.models import CollectionRound, Submission
    from county_innovation.designation.models import Designation, ExpertReview
    from county_innovation.supervision.models import TaskItem

    round_ = CollectionRound.objects.filter(period=2025).order_by("pk").first()
    return {
        "code": "360121",
        "region": "360121",
        "period": 2025,
        "version": 1,
        "run_id": sample.published.pk,
        "round_id": round_.pk if round_ else None,
        "submission_id": Submission.objects.filter(round=round_)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "designation_id": Designation.objects.order_by("pk").values_list("pk", flat=True).first(),
        "review_id": ExpertReview.objects.order_by("pk").values_list("pk", flat=True).first(),
        "item_id": TaskItem.objects.order_by("pk").values_list("pk", flat=True).first(),
    }


def _json(value: object) -> str:
    return json.dumps(
        value, ensure_ascii=False, default=lambda o: o.decode("latin-1") if isinstance(o, bytes) else str(o)
    )


def _send(case, token: str) -> tuple[int, str, bytes]:
    path = case.formatted_path
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    url = path + ("?" + urlencode(query, doseq=True) if query else "")
    body = b""
    if isinstance(case.body, bytes):
        body = case.body  # a negative example may be no JSON at all
    elif not isinstance(case.body, NotSet):
        body = _json(case.body).encode()
    with transaction.atomic():
        response = Client().generic(
            case.method.upper(),
            url,
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        transaction.set_rollback(True)
    return response.status_code, response.get("Content-Type", ""), response.content


def _problem(case, status: int, content_type: str, content: bytes) -> str | None:
    if status >= 500:
        return f"{status}"
    if 400 <= status < 500:
        if "json" not in content_type:
            return f"{status} 不是 JSON：{content[:120]!r}"
        detail = json.loads(content).get("detail") if content.startswith(b"{") else None
        if not isinstance(detail, str) or not CHINESE.search(detail):
            return f"{status} 没有中文说明：{content[:160].decode(errors='replace')}"
    return None


def _fuzz(operation, token: str, mode: GenerationMode, found: list[str], examples: int = 0, **fixed) -> None:
    @settings(
        max_examples=examples or EXAMPLES[mode],
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode, **fixed))
    def run(case) -> None:
        status, content_type, content = _send(case, token)
        problem = _problem(case, status, content_type, content)
        if problem and len(found) < 200:
            query = urlencode(case.query or {}, doseq=True)[:120]
            body = "" if isinstance(case.body, NotSet) else _json(case.body)[:160]
            found.append(f"{case.method.upper()} {case.formatted_path}?{query} {body} → {problem}")

    run()


@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_500_or_an_error_without_a_chinese_message(role, users, frameworks):
    sample = api_sample_create(users, frameworks)
    known = _known_path_parameters(sample)
    token = token_for(users[role])
    found: list[str] = []
    for result in _schema().get_all_operations():
        operation = result.ok()
        for mode in EXAMPLES:
            _fuzz(operation, token, mode, found)
        names = [p.name for p in operation.path_parameters]
        if names and all(known.get(n) is not None for n in names):
            fixed = {n: known[n] for n in names}
            if operation.path not in DOCUMENTS:
                _fuzz(operation, token, GenerationMode.POSITIVE, found, path_parameters=fixed)
            elif role == "city_admin":
                _fuzz(operation, token, GenerationMode.POSITIVE, found, examples=1, path_parameters=fixed)
    assert not found, f"{role}：{len(found)} 个请求的回答不合要求\n" + "\n".join(found)
