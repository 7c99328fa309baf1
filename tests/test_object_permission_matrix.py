"""A permission matrix over objects, not only URLs (issue 12): every model with a region or an owner, every
role × its own / another's object × read / write, through the pages and the API.

The models come from introspection: every model of the project with a foreign key to ``regions.Region`` or to an
owner (an enterprise, or the user an object belongs to). Each must have an entry in ``MATRIX``: either how to
build one object inside 南昌县 (the test users' county; 莲塘镇 is the town user's) and one inside 进贤县, where the
pages and API endpoints that read and write it are, and who may do which — stated here from the policy in
DESIGN §1 and docs/permissions, independently of ``accounts.permissions`` — or the reason it has no page or
endpoint of its own (then its parent's entry covers it). A new model with a region or an owner and no entry
fails ``test_every_model_with_a_region_or_an_owner_is_in_the_matrix`` with its name.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from county_innovation.accounts.models import User
from county_innovation.accounts.tests.api_sample import submission_versions, token_for
from county_innovation.regions.models import Region

ROLES = ["city_admin", "department", "county", "other_county", "town", "other_town", "expert", "enterprise"]
# The region subtree each test user (conftest.users) is scoped to.
SCOPE = {
    "city_admin": "3601",
    "department": "3601",
    "county": "360121",
    "other_county": "360124",
    "town": "360121100",
    "other_town": "360121101",
}
OWN_TOWN, OTHER_TOWN = "360121100", "360124101"  # 莲塘镇 (南昌县), 李渡镇 (进贤县)
PERIOD = 2025  # the demo's open round
OWNER_FIELDS = {"enterprise", "user", "users", "expert", "owner"}


def in_scope(role: str, region: str) -> bool:
    return region.startswith(SCOPE.get(role, "-"))


def county_officer_of(role: str, region: str) -> bool:
    return role in ("county", "other_county") and in_scope(role, region)


# --- how one request is made and what counts as allowed -----------------------------------------------------


@dataclass(frozen=True)
class Access:
    """One way to read or write an object: a page or an API call, built from the object."""

    kind: str  # "read" or "write"
    channel: str  # "page" or "api"
    method: str
    url: Callable[[object], str]
    body: Callable[[object], object] | None = None
    form: bool = False  # a page POST (form fields) rather than JSON


def _request(access: Access, obj: object, user: User) -> int:
    body = access.body(obj) if access.body else None
    with transaction.atomic():  # a write is undone: every role meets the same object
        if access.channel == "api":
            response = Client(raise_request_exception=False).generic(
                access.method.upper(),
                access.url(obj),
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
                headers={"Authorization": f"Bearer {token_for(user)}"},
            )
        else:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            if access.method == "get":
                response = client.get(access.url(obj))
            else:
                response = client.post(access.url(obj), body or {})
        transaction.set_rollback(True)
    return response.status_code


def _allowed(status: int) -> bool | None:
    """True: let through (a page, a redirect after a form, or a refusal for the object's state, 400/409/422);
    False: refused by permission (403, or 404 where the object is hidden); None: an error (5xx)."""
    if status >= 500:
        return None
    return status not in (403, 404)


@dataclass(frozen=True)
class Entry:
    build: Callable[[dict[str, User]], dict[str, object]]  # {"own": obj in 南昌县, "other": obj in 进贤县}
    region: Callable[[object], str]  # the region code that decides scope
    may_read: Callable[[str, object], bool]
    may_write: Callable[[str, object], bool]
    accesses: tuple[Access, ...]


@dataclass(frozen=True)
class Covered:
    """A model without pages or endpoints of its own; ``reason`` names what covers it."""

    reason: str


# --- data values and submissions (collection) ---------------------------------------------------------------


def _data_values(users):
    from county_innovation.indicators.models import DataValue

    return {
        name: DataValue.objects.filter(region_id=code, period=PERIOD - 1, indicator__level="town").first()
        for name, code in (("own", OWN_TOWN), ("other", OTHER_TOWN))
    }


def _town_value_body(dv) -> dict:
    return {
        "framework": "town",
        "values": {"town_tech_smes": 3},
        "submission_versions": submission_versions(dv.region_id, PERIOD, "town"),
    }


DATA_VALUE = Entry(
    build=_data_values,
    region=lambda dv: dv.region_id,
    may_read=lambda role, dv: in_scope(role, dv.region_id),
    # town indicators are the town's own: its officers, its county's officers, the city admin; no department
    may_write=lambda role, dv: in_scope(role, dv.region_id) and role != "department",
    accesses=(
        Access("read", "page", "get", lambda dv: reverse("collection:grid", args=[dv.region_id, dv.period])),
        Access("read", "api", "get", lambda dv: f"/api/data/{dv.region_id}/{dv.period}?framework=town"),
        Access("read", "api", "get", lambda dv: f"/api/data/?framework=town&region={dv.region_id}"),
        Access(
            "write",
            "page",
            "post",
            lambda dv: reverse("collection:grid", args=[dv.region_id, PERIOD]),
            body=lambda dv: {"v_town_tech_smes": "3", "action": "draft"},
        ),
        Access("write", "api", "put", lambda dv: f"/api/data/{dv.region_id}/{PERIOD}", body=_town_value_body),
    ),
)


def _submissions(users):
    from county_innovation.collection.models import Submission

    return {
        name: Submission.objects.get(
            round__framework__code="town", round__period=PERIOD, region_id=code, owner=""
        )
        for name, code in (("own", OWN_TOWN), ("other", OTHER_TOWN))
    }


SUBMISSION = Entry(
    build=_submissions,
    region=lambda s: s.region_id,
    may_read=lambda role, s: in_scope(role, s.region_id),
    # a town's own submission is handed in by the town or its county's officer
    may_write=lambda role, s: in_scope(role, s.region_id) and role in ("county", "other_county", "town"),
    accesses=(
        Access("read", "page", "get", lambda s: reverse("collection:submission_detail", args=[s.pk])),
        Access("write", "page", "post", lambda s: reverse("collection:submission_submit", args=[s.pk])),
        Access("write", "api", "post", lambda s: f"/api/submissions/{s.pk}/submit"),
    ),
)


# --- enterprises --------------------------------------------------------------------------------------------


def _enterprises(users):
    from county_innovation.enterprises.models import Enterprise

    own = Enterprise.objects.filter(town_id=OWN_TOWN).order_by("pk").first()
    other = Enterprise.objects.filter(town__code__startswith="360124").order_by("pk").first()
    own.users.add(users["enterprise"])  # the enterprise user's own company
    return {"own": own, "other": other}


def _enterprise_figures(role: str, e) -> bool:
    """Figures: the enterprise itself, its county's officers, the city admin."""
    member = role == "enterprise" and e.users.filter(username="t_enterprise").exists()
    return role == "city_admin" or county_officer_of(role, e.town_id) or member


ENTERPRISE = Entry(
    build=_enterprises,
    region=lambda e: e.town_id,
    may_read=_enterprise_figures,
    may_write=_enterprise_figures,
    accesses=(Access("write", "page", "get", lambda e: reverse("enterprises:year_edit", args=[e.pk, 2024])),),
)

ENTERPRISE_REGISTRY = Entry(
    build=_enterprises,
    region=lambda e: e.town_id,
    may_read=lambda role, e: True,
    # the registry entry: the county's officers and the city admin
    may_write=lambda role, e: role == "city_admin" or county_officer_of(role, e.town_id),
    accesses=(
        Access("read", "page", "get", lambda e: reverse("enterprises:detail", args=[e.pk])),
        Access("write", "page", "get", lambda e: reverse("enterprises:edit", args=[e.pk])),
    ),
)


# --- designations -------------------------------------------------------------------------------------------


def _designations(users):
    from county_innovation.designation.models import Designation
    from county_innovation.designation.tests.factory import applied

    other = Designation.objects.filter(region_id=OTHER_TOWN, status=Designation.Status.RECOMMENDED).first()
    return {"own": applied(None, "360121104"), "other": other or applied(None, OTHER_TOWN)}


PDF = base64.b64encode(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").decode()

DESIGNATION = Entry(
    build=_designations,
    region=lambda d: d.region_id,
    # a pending application: the city admin and the officers of its county and town (experts once assigned)
    may_read=lambda role, d: (
        role == "city_admin" or (role in SCOPE and role != "department" and in_scope(role, d.region_id))
    ),
    may_write=lambda role, d: role == "city_admin" or county_officer_of(role, d.region_id),
    accesses=(
        Access("read", "page", "get", lambda d: reverse("designation:detail", args=[d.pk])),
        Access("read", "api", "get", lambda d: f"/api/designations/{d.pk}"),
        Access(
            "write",
            "api",
            "post",
            lambda d: f"/api/designations/{d.pk}/materials",
            body=lambda d: {"filename": "补充.pdf", "content_base64": PDF},
        ),
    ),
)


def _reviews(users):
    from county_innovation.designation.tests.factory import expert, reviewing

    colleagues = [expert(f"t_matrix_expert_{i}", "360124") for i in range(2)]
    designation = reviewing(None, [users["expert"], *colleagues], code="360121103")
    reviews = designation.reviews.select_related("expert", "designation")
    return {"own": reviews.get(expert=users["expert"]), "other": reviews.get(expert=colleagues[0])}


def _own_review(role: str, review) -> bool:
    """An expert's review is theirs alone: nobody else reads the score sheet or scores in their name."""
    return role == "expert" and review.expert.username == "t_expert"


EXPERT_REVIEW = Entry(
    build=_reviews,
    region=lambda r: r.designation.region_id,
    may_read=_own_review,
    may_write=_own_review,
    accesses=(
        Access("read", "page", "get", lambda r: reverse("designation:score", args=[r.pk])),
        Access(
            "write",
            "api",
            "post",
            lambda r: f"/api/designation-reviews/{r.pk}/score",
            body=lambda r: {"scores": _full_marks()},
        ),
    ),
)


def _assignments(users):
    from county_innovation.supervision.models import TaskAssignment

    def only(county: str, other: str):
        return (
            TaskAssignment.objects.filter(region_id=county)
            .exclude(item__assignments__region_id=other)
            .select_related("item")
            .order_by("pk")
            .first()
        )

    return {"own": only("360121", "360124"), "other": only("360124", "360121")}


def _may_report(role: str, assignment) -> bool:
    """Progress on a task: the city admin and the units the task is assigned to (a county, a department)."""
    item = assignment.item
    if role == "city_admin":
        return True
    if role == "department":
        return item.assignments.filter(department="statistics").exists()
    if role in ("county", "other_county"):
        return item.assignments.filter(region_id=SCOPE[role]).exists()
    return False


TASK_ASSIGNMENT = Entry(
    build=_assignments,
    region=lambda a: a.region_id,
    # the task list is the leading group's: every user with a region (and the departments) reads it
    may_read=lambda role, a: role in SCOPE,
    may_write=_may_report,
    accesses=(
        Access("read", "page", "get", lambda a: reverse("supervision:item", args=[a.item_id])),
        Access("read", "api", "get", lambda a: f"/api/tasks/{a.item_id}"),
        Access(
            "write",
            "api",
            "post",
            lambda a: f"/api/tasks/{a.item_id}/reports",
            body=lambda a: {"percent": 40, "text": "进展"},
        ),
    ),
)


def _full_marks() -> dict:
    from county_innovation.designation.tests.factory import FULL_MARKS

    return FULL_MARKS


MATRIX: dict[str, Entry | Covered | tuple[Entry, ...]] = {
    "indicators.DataValue": DATA_VALUE,
    "collection.Submission": SUBMISSION,
    "enterprises.Enterprise": (ENTERPRISE, ENTERPRISE_REGISTRY),
    "designation.Designation": DESIGNATION,
    "regions.Region": Covered(
        "the region tree is public; region data is DataValue's entry and the API's generated table"
    ),
    "regions.RegionGroup": Covered(
        "development zones: city admin only, tests/test_view_permissions.py (regions:zone_*)"
    ),
    "accounts.User": Covered("users are managed in the Django admin only (superusers)"),
    "accounts.ApiToken": Covered(
        "tokens are issued and listed by the `token` command on the server, no page or endpoint"
    ),
    "collection.CollectionRound": Covered("rounds are city-wide; their submissions are Submission's entry"),
    "evaluation.EvaluationRun": Covered(
        "published results are public; a draft run is the city admin's: tests/test_api_permissions_generated.py run_read"
    ),
    "evaluation.RegionResult": Covered("rows of an EvaluationRun, read only through the run"),
    "enterprises.EnterpriseYear": Covered("an enterprise's yearly figures: Enterprise's entry (year_edit)"),
    "enterprises.Qualification": Covered(
        "an enterprise's qualifications: registry writes of Enterprise's entry"
    ),
    "enterprises.PoolEntry": Covered(
        "the cultivation pool is city-wide, city admin and county pages in test_view_permissions.py"
    ),
    "designation.ExpertProfile": Covered(
        "set by the city admin in the Django admin; decides which reviews an expert may get"
    ),
    "designation.ExpertReview": EXPERT_REVIEW,
    "supervision.TaskAssignment": TASK_ASSIGNMENT,
}


def _owned_models() -> list[str]:
    """Every model of the project with a foreign key to a region or to an owner."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("county_innovation") or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if not (field.concrete and field.is_relation and field.related_model is not None):
                continue
            if field.related_model is Region or (
                field.name in OWNER_FIELDS and isinstance(field, models.ForeignKey | models.ManyToManyField)
            ):
                found.append(model._meta.label)
                break
    return sorted(set(found))


def test_every_model_with_a_region_or_an_owner_is_in_the_matrix():
    missing = [label for label in _owned_models() if label not in MATRIX]
    assert not missing, (
        "这些模型有区划或所有者字段，却不在对象权限矩阵中（请在 tests/test_object_permission_matrix.py 的 "
        "MATRIX 中补充其读写入口与规则，或说明由谁覆盖）：" + "、".join(missing)
    )
    stale = [label for label in MATRIX if label not in _owned_models()]
    assert not stale, "MATRIX 中有已不存在的模型：" + "、".join(stale)


def _entries() -> list[tuple[str, Entry]]:
    rows = []
    for label, entry in MATRIX.items():
        for one in entry if isinstance(entry, tuple) else (entry,):
            if isinstance(one, Entry):
                rows.append((label, one))
    return rows


@pytest.mark.parametrize(
    ("label", "entry"), _entries(), ids=[f"{label}-{i}" for i, (label, _) in enumerate(_entries())]
)
def test_each_role_reads_and_writes_own_and_other_objects_as_the_rules_say(label, entry, users, demo):
    objects = entry.build(users)
    wrong = []
    for which, obj in objects.items():
        assert obj is not None, f"{label}: no {which} object in the demo"
        for role in ROLES:
            mine = "本辖区" if in_scope(role, entry.region(obj)) else "他人"
            for access in entry.accesses:
                rule = entry.may_read if access.kind == "read" else entry.may_write
                expected = rule(role, obj)
                status = _request(access, obj, users[role])
                got = _allowed(status)
                if got is not expected:
                    want = "允许" if expected else "拒绝"
                    wrong.append(
                        f"{role} {access.kind} {mine}对象（{entry.region(obj)}）经{access.channel} "
                        f"{access.method.upper()} {access.url(obj)}：{status}，应{want}"
                    )
    assert not wrong, f"{label}\n" + "\n".join(wrong)
