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

from county_innovation.accounts.tests.api_sample import api_sample_create, submission_versions, token_for
from county_innovation.api import api

# One user per kind of role (conftest.users); a second county or town adds nothing a scope test does not check.
ROLES = ["city_admin", "department", "county", "town", "expert", "enterprise"]
EXAMPLES = {GenerationMode.POSITIVE: 1, GenerationMode.NEGATIVE: 2}
# Operations that build a Word document (seconds each) reach their real objects once, as the city admin.
DOCUMENTS = {"/api/reports/runs/{run_id}/bulletin", "/api/reports/profiles/{code}/docx"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _schema():
    return schemathesis.openapi.from_dict(api.get_openapi_schema())


def _known_path_parameters(sample) -> dict[str, object]:
    """Real objects of the session's demo for every path parameter the API names (None: leave generated)."""
    from county_innovation.collection.models import CollectionRound, Submission
    from county_innovation.designation.models import Designation, ExpertReview
    from county_innovation.enterprises.models import Enterprise
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
        "enterprise_id": Enterprise.objects.order_by("pk").values_list("pk", flat=True).first(),
    }


def _json(value: object) -> str:
    return json.dumps(
        value, ensure_ascii=False, default=lambda o: o.decode("latin-1") if isinstance(o, bytes) else str(o)
    )


AS_GENERATED = object()


def _send(case, token: str, query: dict | None = None, body: object = AS_GENERATED) -> tuple[int, str, bytes]:
    query = {k: v for k, v in (case.query if query is None else query or {}).items() if v is not None}
    url = case.formatted_path + ("?" + urlencode(query, doseq=True) if query else "")
    body = case.body if body is AS_GENERATED else body
    if isinstance(body, bytes):
        data = body  # a negative example may be no JSON at all
    elif isinstance(body, NotSet):
        data = b""
    else:
        data = _json(body).encode()
    with transaction.atomic():
        response = Client(raise_request_exception=False).generic(
            case.method.upper(),
            url,
            data=data,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        transaction.set_rollback(True)
    return response.status_code, response.get("Content-Type", ""), response.content


# Hostile variants of one valid request, the classes of fault the outside probe found: numbers far beyond any
# column (a 20-digit offset, a 40-digit amount), numeric text that overflows Decimal, and a body that is no JSON.
HUGE_INT = 10**40
HUGE_TEXT = "1e1000000"


def _replace_leaves(value: object, number: object, text: object) -> object:
    if isinstance(value, dict):
        return {k: _replace_leaves(v, number, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_leaves(v, number, text) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return number if number is not None else value
    if isinstance(value, str):
        return text if text is not None else value
    return value


# Query and body values the hostile variants keep real, so the request gets past the lookups to the numbers.
KNOWN_QUERY = {"framework": "county", "region": "360121", "level": "county", "format": "docx"}
KNOWN_BODY = {
    "framework": "county",
    "values": {"rd_expenditure": HUGE_TEXT},
    "submission_versions": lambda: submission_versions("360121", 2025),  # PUT /api/data/360121/2025
}


def _integer_parameters(operation) -> list[str]:
    return [p.name for p in operation.query if '"integer"' in json.dumps(p.definition.get("schema", {}))]


def _hostile(case) -> list[tuple[dict | None, object]]:
    """(query, body) pairs: every integer query parameter far too big, huge numbers and overflowing numeric
    text in the body, a body that is no JSON."""
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    query |= {k: v for k, v in KNOWN_QUERY.items() if k in {p.name for p in case.operation.query}}
    # one at a time: a huge version or year may end the request (404) before a huge offset is reached
    variants: list[tuple[dict | None, object]] = [
        (query | {name: 10**20}, AS_GENERATED) for name in _integer_parameters(case.operation)
    ]
    if not isinstance(case.body, NotSet):
        text = _replace_leaves(case.body, HUGE_TEXT, HUGE_TEXT)
        if isinstance(text, dict):
            keys = KNOWN_BODY if isinstance(text.get("values"), dict) else text  # PUT /api/data: all of them
            text |= {k: v() if callable(v) else v for k, v in KNOWN_BODY.items() if k in keys}
        variants += [(None, _replace_leaves(case.body, HUGE_INT, None)), (None, text), (None, b'{"values": ')]
    return variants


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


def _fuzz(
    operation,
    token: str,
    mode: GenerationMode,
    found: list[str],
    examples: int = 0,
    hostile: bool = False,
    **fixed,
) -> None:
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
        for query, body in [(None, AS_GENERATED), *(_hostile(case) if hostile else [])]:
            status, content_type, content = _send(case, token, query, body)
            problem = _problem(case, status, content_type, content)
            if problem and len(found) < 200:
                shown_query = urlencode(case.query if query is None else query, doseq=True)[:120]
                shown = case.body if body is AS_GENERATED else body
                shown_body = "" if isinstance(shown, NotSet) else _json(shown)[:160]
                found.append(
                    f"{case.method.upper()} {case.formatted_path}?{shown_query} {shown_body} → {problem}"
                )

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
        if not all(known.get(n) is not None for n in names):
            continue
        fixed = {"path_parameters": {n: known[n] for n in names}} if names else {}
        if operation.path not in DOCUMENTS:
            _fuzz(operation, token, GenerationMode.POSITIVE, found, examples=1, hostile=True, **fixed)
            if names:
                _fuzz(operation, token, GenerationMode.POSITIVE, found, **fixed)
        elif role == "city_admin":
            _fuzz(operation, token, GenerationMode.POSITIVE, found, examples=1, **fixed)
    assert not found, f"{role}：{len(found)} 个请求的回答不合要求\n" + "\n".join(found)
