"""Every API operation, every role, on its own region and on others: a permission test generated from the
OpenAPI schema.

The schema (``api.get_openapi_schema()``) lists the operations; each needs a RULE below that says, from a
role's region scope alone, what every role must get. For every operation and every role the test fills the
path parameters (each of four regions — two counties, two towns of one county — so every regional role meets
its own region and regions outside it; the published and an unpublished run; ids from the session's demo),
makes the request with the role's bearer token (anonymous: none) and compares the status with the rule.
An operation without a rule fails the test with its name, so a new endpoint cannot ship unchecked.

The expectations are computed from ``SCOPE`` below (the region prefix each test user is scoped to), not from
``accounts.permissions``, so the rules are an independent statement of the policy. The hand table in
accounts/tests/test_tokens.py stays: it checks the Chinese messages and that refused writes change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client

from county_innovation.accounts.tests.api_sample import (
    api_sample_create,
    call,
    submission_versions,
    token_for,
)
from county_innovation.api import api
from county_innovation.engine.eligibility.tests.factory import BASE as ELIGIBILITY_PAYLOAD
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.indicators.models import DataValue

ROLES = [
    "anonymous",
    "city_admin",
    "department",
    "county",
    "other_county",
    "town",
    "other_town",
    "expert",
    "enterprise",
]
# The region subtree each test user (conftest.users) is scoped to; experts and enterprises see no region data.
SCOPE = {
    "city_admin": "3601",
    "department": "3601",
    "county": "360121",
    "other_county": "360124",
    "town": "360121100",
    "other_town": "360121101",
}
# Two counties and two towns of the first: every regional role has its own region among them and others not.
REGIONS = ["360121", "360124", "360121100", "360121101"]
RUNS = ["published", "draft"]
PERIOD = 2024
# The indicator a write names, per framework, and the department that owns it ("" = the region's own).
WRITE_INDICATOR = {"county": ("rd_expenditure", "statistics"), "town": ("town_tech_smes", "")}
DEPARTMENT = "statistics"  # conftest.users["department"]


@dataclass(frozen=True)
class Target:
    """What one request is about: a region code, a run ("published"/"draft"), or nothing."""

    region: str = ""
    run: str = ""

    @property
    def framework(self) -> str:
        return "town" if len(self.region) == 9 else "county"

    def __str__(self) -> str:
        return self.region or self.run or "-"


def in_scope(role: str, target: Target) -> bool:
    prefix = SCOPE.get(role)
    return prefix is not None and target.region.startswith(prefix)


# --- the rules: role × target → expected status ----------------------------------------------------------

# Allowed through the permission check, where the outcome then depends on the state of the data (a write to
# a published collection round is refused with 400 and a Chinese reason): any 2xx, or 400/409 with a reason.
PASSES = 0
Expect = Callable[[str, Target], int]


def signed_in(ok: int = 200) -> Expect:
    """Every signed-in user (what they see is filtered by their scope)."""
    return lambda role, target: ok


def scoped_read(role: str, target: Target) -> int:
    """Raw data of a region: only within the caller's scope."""
    return 200 if in_scope(role, target) else 403


def raw_read(role: str, target: Target) -> int:
    """A region's raw values (issue 11, item 9): its own subtree, and a town's officers for their own county."""
    own_county = (
        role in ("town", "other_town") and len(target.region) == 6 and SCOPE[role][:6] == target.region
    )
    return 200 if in_scope(role, target) or own_county else 403


def _owner_may_write(role: str, target: Target) -> bool:
    """The indicator's owner writes it (issue 11, item 3): a department its own, a county or town the region's
    own (owner ""); the city admin any."""
    owner = WRITE_INDICATOR[target.framework][1]
    if role == "department":
        return owner == DEPARTMENT
    if role == "city_admin":
        return True
    return owner == ""


def scoped_write(role: str, target: Target) -> int:
    """Enter data for a region: within scope, and only an indicator the caller owns (the city admin any)."""
    if not in_scope(role, target):
        return 403
    return PASSES if _owner_may_write(role, target) else 403


def city_admin(ok: int = 200) -> Expect:
    return lambda role, target: ok if role == "city_admin" else 403


def run_read(role: str, target: Target) -> int:
    """Published results for every signed-in user; an unpublished run for the city admin only."""
    return 200 if target.run == "published" or role == "city_admin" else 403


class ByTarget:
    """A path parameter that depends on the target region, looked up when the URL is formatted."""

    def __init__(self, lookup: Callable[[Target], object]) -> None:
        self.lookup = lookup


@dataclass(frozen=True)
class Rule:
    expect: Expect
    targets: str = "none"  # "regions", "runs" or "none"
    query: str = ""  # may name {region}, {framework}, {period}
    body: Callable[[Target], dict] | None = None
    params: dict = field(default_factory=dict)  # fixed path parameters


def _save_body(target: Target) -> dict:
    code, _ = WRITE_INDICATOR[target.framework]
    versions = submission_versions(target.region, PERIOD, target.framework)  # required (optimistic locking)
    return {
        "framework": target.framework,
        "values": {code: 12},
        "submit": False,
        "submission_versions": versions,
    }


RULES: dict[tuple[str, str], Rule] = {
    ("get", "/api/regions/"): Rule(signed_in()),
    ("get", "/api/regions/{code}"): Rule(scoped_read, targets="regions"),
    ("get", "/api/region-groups/"): Rule(signed_in()),
    ("get", "/api/indicators/"): Rule(signed_in()),
    ("get", "/api/frameworks/"): Rule(signed_in()),
    ("get", "/api/frameworks/{code}/{version}"): Rule(signed_in(), params={"code": "county", "version": 1}),
    ("get", "/api/data/"): Rule(
        raw_read, targets="regions", query="?framework={framework}&region={region}&period={period}"
    ),
    ("get", "/api/data/{region}/{period}"): Rule(
        scoped_read, targets="regions", query="?framework={framework}"
    ),
    ("put", "/api/data/{region}/{period}"): Rule(scoped_write, targets="regions", body=_save_body),
    ("get", "/api/evaluations/"): Rule(signed_in()),
    ("post", "/api/evaluations/"): Rule(
        city_admin(201), body=lambda t: {"framework": "county", "period": PERIOD}
    ),
    ("get", "/api/evaluations/{run_id}"): Rule(run_read, targets="runs"),
    ("get", "/api/evaluations/{run_id}/results"): Rule(run_read, targets="runs"),
    # the city admin publishes a draft; the draft's year already has an official run, so without a replacement
    # reason it is refused (409, asking for one); publishing twice is refused (400) with a reason
    ("post", "/api/evaluations/{run_id}/publish"): Rule(
        lambda role, t: (409 if t.run == "draft" else 400) if role == "city_admin" else 403, targets="runs"
    ),
    # stateless: the figures are sent, nothing of the registry is read
    ("post", "/api/eligibility"): Rule(signed_in(), body=lambda t: ELIGIBILITY_PAYLOAD),
    # reports: a bulletin wherever its run may be read (built on the spot when none is stored); a county
    # profile for the city, departments, the county and its towns (a town code is no county: 404); the
    # assessment points for the city admin and departments, of a run they may read
    ("get", "/api/reports/runs/{run_id}/bulletins"): Rule(run_read, targets="runs"),
    ("get", "/api/reports/runs/{run_id}/bulletin"): Rule(run_read, targets="runs", query="?format=docx"),
    ("get", "/api/reports/profiles/{code}"): Rule(lambda r, t: county_profile_read(r, t), targets="regions"),
    ("get", "/api/reports/profiles/{code}/docx"): Rule(
        lambda r, t: county_profile_read(r, t), targets="regions"
    ),
    ("get", "/api/reports/runs/{run_id}/assessment"): Rule(
        lambda r, t: 200 if r == "city_admin" or (r == "department" and t.run == "published") else 403,
        targets="runs",
    ),
}


# Designations and task supervision (designation, supervision apps). Objects come from the session's demo or are
# built by designation/tests/factory.py when the URL is formatted ({pending}: 进贤县李渡镇's application).
def _designation_rules() -> dict[tuple[str, str], Rule]:
    import base64

    from county_innovation.designation.tests import factory as f

    regional = {"city_admin", "department", "county", "other_county", "town", "other_town"}

    def only(*roles: str) -> Expect:
        return lambda role, target: PASSES if role in roles else 403

    def d(build) -> dict:
        return {"designation_id": f.LazyId(build)}

    task = {"item_id": f.LazyId(f.api_task)}
    pdf = {"filename": "补充.pdf", "content_base64": base64.b64encode(f.PDF).decode()}
    base = "/api/designations/{designation_id}"
    return {
        ("get", "/api/designations/"): Rule(signed_in()),
        # 进贤县 applying for a 南昌县 town: a refused input (400), not a permission
        ("post", "/api/designations/"): Rule(
            lambda r, t: PASSES if r in ("city_admin", "county") else 400 if r == "other_county" else 403,
            body=lambda t: {"region": "360121102", "level": "city", "theme": "industry"},
        ),
        ("get", base): Rule(
            lambda r, t: 200 if r in ("city_admin", "other_county") else 403, params=d(f.api_pending)
        ),
        ("post", base + "/materials"): Rule(
            only("city_admin", "other_county"), params=d(f.api_pending), body=lambda t: pdf
        ),
        ("post", base + "/check"): Rule(
            only("city_admin"), params=d(f.api_pending), body=lambda t: {"checklist": f.CHECKLIST_OK}
        ),
        ("post", base + "/experts"): Rule(
            only("city_admin"),
            params=d(f.api_checked),
            body=lambda t: {"experts": ["t_expert", "t_api_expert_1", "t_api_expert_2"]},
        ),
        ("post", "/api/designation-reviews/{review_id}/score"): Rule(
            only("expert"),
            params={"review_id": f.LazyId(f.api_review)},
            body=lambda t: {"scores": f.FULL_MARKS},
        ),
        ("post", base + "/notice"): Rule(
            only("city_admin"),
            params=d(f.api_scored),
            body=lambda t: {"start": "2026-01-01", "end": "2026-01-07"},
        ),
        ("post", base + "/objections"): Rule(
            only("city_admin"),
            params=d(f.api_on_notice),
            body=lambda t: {"received_on": "2026-01-02", "content": "异议"},
        ),
        ("post", base + "/decision"): Rule(
            only("city_admin"), params=d(f.api_on_notice), body=lambda t: {"approve": True}
        ),
        ("post", base + "/reports"): Rule(
            only("city_admin", "county"),
            params=d(f.api_building),
            body=lambda t: {"year": 2026, "text": "进展"},
        ),
        ("post", base + "/acceptance"): Rule(
            only("city_admin"), params=d(f.api_building_done), body=lambda t: {"result": "pass"}
        ),
        ("post", base + "/revocation"): Rule(
            only("city_admin"), params=d(f.api_held), body=lambda t: {"reason": "测试"}
        ),
        ("post", base + "/funding"): Rule(
            only("city_admin"), params=d(f.api_held), body=lambda t: {"year": 2026, "amount": "20"}
        ),
        ("get", "/api/designation-funding"): Rule(signed_in()),
        ("get", "/api/designation-targets"): Rule(signed_in()),
        ("get", "/api/tasks/"): Rule(lambda r, t: 200 if r in regional else 403),
        ("get", "/api/tasks/{item_id}"): Rule(lambda r, t: 200 if r in regional else 403, params=task),
        # 三（七）: 南昌县 and 进贤县 support it, the city department in the tests (统计局) does not
        ("post", "/api/tasks/{item_id}/reports"): Rule(
            only("city_admin", "county", "other_county"),
            params=task,
            body=lambda t: {"percent": 40, "text": "进展"},
        ),
        ("post", "/api/tasks/{item_id}/assignments"): Rule(
            only("city_admin"), params=task, body=lambda t: {"department": "statistics"}
        ),
        ("post", "/api/tasks/{item_id}/children"): Rule(
            only("city_admin"), params=task, body=lambda t: {"title": "分解"}
        ),
        ("post", "/api/tasks/{item_id}/close"): Rule(
            only("city_admin"), params={"item_id": f.LazyId(f.api_leaf_task)}
        ),
    }


RULES.update(_designation_rules())


# Collection rounds (collection/round_api.py), on the demo's open 2025 rounds. A region target's submission is the
# town's own in the town round, or the statistics bureau's share of a county in the county round; each is a
# draft, so a permitted step is then refused for its state (400: values missing, not submitted, not approved).
def _demo_submission(target: Target) -> int:
    from county_innovation.collection.models import Submission

    owner = "" if target.framework == "town" else DEPARTMENT
    return Submission.objects.get(
        round__framework__code=target.framework, round__period=2025, region_id=target.region, owner=owner
    ).pk


def _demo_round_id() -> int:
    from county_innovation.collection.models import CollectionRound

    return CollectionRound.objects.get(framework__code="town", period=2025).pk


class _RoundId:
    def __format__(self, spec: str) -> str:
        return format(_demo_round_id(), spec)


def collection_reader(role: str, target: Target) -> int:
    return 200 if role in SCOPE else 403


def submitter(role: str, target: Target) -> int:
    """A town's own submission: its town officer and its county's officers; a county's statistics share: the
    statistics bureau only."""
    if not in_scope(role, target):
        return 403
    if target.framework == "town":
        return PASSES if role in ("county", "other_county", "town", "other_town") else 403
    return PASSES if role == "department" else 403  # a department's share: never a county (issue 11, item 3)


def approver(role: str, target: Target) -> int:
    """Towns by the officers of their county; counties' department shares by the city admin."""
    if not in_scope(role, target):
        return 403
    if target.framework == "town":
        return PASSES if role in ("county", "other_county") else 403
    return PASSES if role == "city_admin" else 403


def importer(role: str, target: Target) -> int:
    """A dry-run import of one value into the open 2025 round: everyone who enters data reaches the checks;
    a region outside the caller's scope, or an indicator its department does not own, is a refused row (400)."""
    if role not in SCOPE:
        return 403
    if not in_scope(role, target):
        return 400
    if not _owner_may_write(role, target):
        return 400
    return 200


def _import_body(target: Target) -> dict:
    code, _ = WRITE_INDICATOR[target.framework]
    return {
        "framework": target.framework,
        "period": 2025,
        "dry_run": True,
        "values": [{"region": target.region, "indicator": code, "value": 12}],
    }


SUBMISSION = {"submission_id": ByTarget(_demo_submission)}
RULES.update(
    {
        ("post", "/api/data/import"): Rule(importer, targets="regions", body=_import_body),
        ("get", "/api/rounds/"): Rule(collection_reader),
        ("get", "/api/rounds/{round_id}"): Rule(collection_reader, params={"round_id": _RoundId()}),
        ("get", "/api/rounds/{round_id}/submissions"): Rule(
            collection_reader, params={"round_id": _RoundId()}
        ),
        ("post", "/api/submissions/{submission_id}/submit"): Rule(
            submitter, targets="regions", params=SUBMISSION
        ),
        ("post", "/api/submissions/{submission_id}/approve"): Rule(
            approver, targets="regions", params=SUBMISSION, body=lambda t: {}
        ),
        ("post", "/api/submissions/{submission_id}/return"): Rule(
            approver, targets="regions", params=SUBMISSION, body=lambda t: {"comment": "请核实"}
        ),
        ("post", "/api/submissions/{submission_id}/reopen"): Rule(
            lambda r, t: (PASSES if r == "city_admin" else 403) if in_scope(r, t) else 403,
            targets="regions",
            params=SUBMISSION,
            body=lambda t: {"reason": "更正"},
        ),
    }
)


# The registry entry of an enterprise (enterprises/api.py): the public directory, so experts and enterprise
# accounts read every entry and a regional officer the enterprises of its subtree. The enterprise is one of the
# target town, or of a town of the target county other than the two test towns.
def _enterprise_in(target: Target) -> int:
    import datetime as dt
    import random

    from county_innovation.common.actors import system
    from county_innovation.enterprises.demo import demo_credit_code
    from county_innovation.enterprises.models import Enterprise
    from county_innovation.enterprises.services import enterprise_create
    from county_innovation.regions.models import Region

    if len(target.region) == 9:
        town = Region.objects.get(code=target.region)
    else:
        towns = Region.objects.filter(level="town", code__startswith=target.region).exclude(code__in=REGIONS)
        town = towns.order_by("-code").first()
    existing = Enterprise.objects.filter(town=town).first()
    if existing is not None:
        return existing.pk
    code = demo_credit_code(random.Random(town.code), town)
    return enterprise_create(
        actor=system("权限测试"),
        credit_code=code,
        name=f"权限测试企业{town.code}",
        town=town,
        founded=dt.date(2015, 1, 1),
    ).pk


RULES[("get", "/api/enterprises/{enterprise_id}")] = Rule(
    lambda r, t: 200 if r not in SCOPE or in_scope(r, t) else 403,
    targets="regions",
    params={"enterprise_id": ByTarget(_enterprise_in)},
)


def county_profile_read(role: str, target: Target) -> int:
    if len(target.region) != 6:
        return 404
    if role in ("city_admin", "department"):
        return 200
    prefix = SCOPE.get(role)
    return 200 if prefix is not None and prefix.startswith(target.region) else 403


def _operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return sorted((method, path) for path, ops in schema["paths"].items() for method in ops)


def test_every_api_operation_has_a_permission_rule():
    missing = [f"{m.upper()} {p}" for m, p in _operations() if (m, p) not in RULES]
    assert not missing, (
        "这些 API 操作没有权限规则（请在 tests/test_api_permissions_generated.py 的 RULES 中补充）："
        + "；".join(missing)
    )
    stale = [f"{m.upper()} {p}" for m, p in RULES if (m, p) not in set(_operations())]
    assert not stale, "RULES 中有已不存在的 API 操作：" + "；".join(stale)


def _targets(rule: Rule) -> list[Target]:
    if rule.targets == "regions":
        return [Target(region=code) for code in REGIONS]
    if rule.targets == "runs":
        return [Target(run=run) for run in RUNS]
    return [Target()]


def _url(path: str, rule: Rule, target: Target, runs: dict[str, int]) -> str:
    params = {"period": PERIOD, **rule.params}
    params = {k: (v.lookup(target) if isinstance(v, ByTarget) else v) for k, v in params.items()}
    if target.region:
        params |= {"code": target.region, "region": target.region}
    if target.run:
        params["run_id"] = runs[target.run]
    values = {"region": target.region, "framework": target.framework, "period": PERIOD}
    return path.format(**params) + rule.query.format(**values)


def _fingerprint() -> int:
    """A digest of what a refused write must not change: every data value and every run's status."""
    return hash(
        (
            tuple(DataValue.objects.order_by("pk").values_list("pk", "value", "status")),
            tuple(EvaluationRun.objects.order_by("pk").values_list("pk", "status")),
        )
    )


def _as_expected(status: int, expected: int) -> bool:
    if expected == PASSES:
        return 200 <= status < 300 or status in (400, 409)
    return status == expected


@pytest.mark.parametrize("operation", [op for op in _operations() if op in RULES], ids=" ".join)
def test_operation_answers_every_role_as_its_rule_says(operation, users, frameworks):
    method, path = operation
    rule = RULES[operation]
    sample = api_sample_create(users, frameworks)
    runs = {"published": sample.published.pk, "draft": sample.draft.pk}
    tokens = {role: token_for(users[role]) for role in ROLES if role != "anonymous"}
    wrong = []
    for target in _targets(rule):
        url = _url(path, rule, target, runs)
        body = rule.body(target) if rule.body else None
        for role in ROLES:
            expected = 401 if role == "anonymous" else rule.expect(role, target)
            before = _fingerprint() if method != "get" and expected >= 400 else None
            with transaction.atomic():
                status, answer = call(Client(), method, url, body, token=tokens.get(role))
                after = _fingerprint() if before is not None else None
                transaction.set_rollback(True)
            if not _as_expected(status, expected):
                shown = "通过权限检查" if expected == PASSES else expected
                wrong.append(f"{role} @ {target}: {status}（应为 {shown}） {str(answer)[:160]}")
            elif before is not None and after != before:
                wrong.append(f"{role} @ {target}: 被拒绝（{status}）却写入了数据")
            elif status >= 400 and not (isinstance(answer, dict) and not answer["detail"].isascii()):
                wrong.append(f"{role} @ {target}: {status} 没有中文说明：{answer}")
    assert not wrong, f"{method.upper()} {path}\n" + "\n".join(wrong)
