"""Building blocks for designation tests (also used by tests/test_view_permissions.py and the API table)."""

from __future__ import annotations

import datetime
import io
import zipfile

from county_innovation.accounts.models import Role, User
from county_innovation.common.actors import system
from county_innovation.designation import services
from county_innovation.designation.models import (
    BuildReport,
    Designation,
    ExpertProfile,
    ExpertReview,
    Material,
)
from county_innovation.designation.rules import FORMAL_CHECKLIST
from county_innovation.regions.models import Region
from county_innovation.supervision.models import TaskAttachment, TaskItem, TaskReport

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
CHECKLIST_OK = {k: True for k in FORMAL_CHECKLIST}
SYSTEM = system("测试")
FULL_MARKS = {"basis": 22, "plan": 20, "industry": 16, "support": 12, "demonstration": 12}


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def expert(username: str, home: str | None = None) -> User:
    user = User.objects.create_user(username=username, password="x", role=Role.EXPERT, display_name=username)
    services.expert_profile_set(
        actor=SYSTEM, expert=user, home_region=Region.objects.get(code=home) if home else None
    )
    return user


def applied(user: User | None, code: str = "360121102", level: str = "city") -> Designation:
    """A town application with one PDF, recommended by ``user`` (None: the platform itself)."""
    actor = user or SYSTEM
    designation = services.designation_apply(
        actor=actor,
        region=Region.objects.get(code=code),
        level=level,
        theme="industry",
        year=2026,
        summary="测试申报",
        building_targets=[{"name": "高新技术企业数", "baseline": "3", "target": "8", "unit": "家"}],
    )
    services.material_add(
        designation=designation, actor=actor, title="申报书", filename="申报书.pdf", content=PDF
    )
    return designation


def reviewing(admin: User | None, experts: list[User], code: str = "360121102") -> Designation:
    designation = applied(None, code)
    services.formal_check(designation=designation, actor=admin or SYSTEM, checklist=CHECKLIST_OK)
    services.experts_assign(designation=designation, actor=admin or SYSTEM, experts=experts)
    designation.refresh_from_db()
    return designation


def permission_ids(users: dict[str, User]) -> dict[str, int]:
    """Objects the permission tables refer to: {pending} an application of a 南昌县 town (the "county" user's),
    {other_pending} one of a 进贤县 town, {held} a decided designation, {material}, {review} assigned to the
    "expert" user, {task} an item assigned to 南昌县 and 进贤县, {attachment}."""
    helpers = [expert(f"t_expert_{i}", "360124") for i in range(2)]
    review_case = reviewing(None, [users["expert"], *helpers], code="360121103")
    pending = applied(None, "360121104")
    other_pending = Designation.objects.filter(is_demo=True, region_id="360124101").first() or applied(
        None, "360124101"
    )
    held = Designation.objects.get(region_id="360121100", status=Designation.Status.ACCEPTED)  # 莲塘镇 (demo)
    task = TaskItem.objects.get(parent=None, number="三（七）")
    report = TaskReport.objects.create(
        item=task, percent=10, text="权限测试", reported_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )
    attachment = TaskAttachment.objects.create(
        report=report, filename="附件.pdf", content_type="application/pdf", size=len(PDF), content=PDF
    )
    return {
        "pending": pending.pk,
        "other_pending": other_pending.pk,
        "held": held.pk,
        "material": Material.objects.filter(designation=pending).first().pk,
        "review": ExpertReview.objects.get(designation=review_case, expert=users["expert"]).pk,
        "reviewing": review_case.pk,
        "task": task.pk,
        "attachment": attachment.pk,
        "draft_application": services.designation_apply(
            actor=SYSTEM,
            region=Region.objects.get(code="360121108"),
            level="city",
            theme="industry",
            year=2026,
            submit=False,
        ).pk,
        "expert_profile": ExpertProfile.objects.get(user__username="expert2").pk,
    }


def shift(days: int) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=days)


# --- objects for the API permission table (accounts/tests/test_tokens.py); each call builds what it needs ---


def _panel() -> list[User]:
    return [
        User.objects.filter(username=name).first() or expert(name)
        for name in ("t_expert", "t_api_expert_1", "t_api_expert_2")
    ]


def api_pending(_sample=None) -> int:
    """The demo's application of 李渡镇 (进贤县), waiting for the formal check (it has a PDF)."""
    return Designation.objects.get(region_id="360124101", status=Designation.Status.RECOMMENDED).pk


def _existing(code: str) -> Designation | None:
    # The token tests build the URL several times in one test: the second call finds the first one's object.
    return Designation.objects.filter(region_id=code, is_demo=False).order_by("-pk").first()


def api_checked(_sample=None) -> int:
    _panel()  # the experts the request names
    designation = _existing("360121104") or applied(None, "360121104")
    if designation.status == Designation.Status.RECOMMENDED:
        services.formal_check(designation=designation, actor=SYSTEM, checklist=CHECKLIST_OK)
    return designation.pk


def api_review(_sample=None) -> int:
    """The review of the "t_expert" user (the expert fixture) on a designation under review."""
    designation = _existing("360121106") or reviewing(None, _panel(), code="360121106")
    return designation.reviews.get(expert__username="t_expert").pk


def api_scored(_sample=None, code: str = "360121107") -> int:
    designation = _existing(code)
    if designation is None:
        designation = reviewing(None, _panel(), code=code)
        for review in designation.reviews.all():
            services.review_score(review=review, actor=SYSTEM, scores=FULL_MARKS)
    return designation.pk


def api_on_notice(_sample=None, code: str = "360121108") -> int:
    designation = Designation.objects.get(pk=api_scored(code=code))
    if designation.status == Designation.Status.REVIEWING:
        services.notice_start(designation=designation, actor=SYSTEM, start=shift(-8), end=shift(-1))
    return designation.pk


def api_building_done(_sample=None) -> int:
    designation = Designation.objects.get(pk=api_on_notice(code="360121191"))
    if designation.status == Designation.Status.NOTICE:
        services.designation_decide(designation=designation, actor=SYSTEM, approve=True)
        start = shift(-3 * 366)
        Designation.objects.filter(pk=designation.pk).update(build_start=start, build_end=shift(-1))
        for year in range(start.year, start.year + 3):  # acceptance needs every annual report
            BuildReport.objects.create(designation=designation, year=year, text="接口测试年度报告")
    return designation.pk


def api_held(_sample=None) -> int:
    return Designation.objects.get(region_id="360121100", status=Designation.Status.ACCEPTED).pk


def api_building(_sample=None) -> int:
    """南昌县's national designation (demo), in its building period: reports go to the "county" user's county."""
    return Designation.objects.get(region_id="360121", status=Designation.Status.BUILDING).pk


def api_task(_sample=None) -> int:
    return TaskItem.objects.get(parent=None, number="三（七）").pk


def api_leaf_task(_sample=None) -> int:
    from county_innovation.supervision.services import task_item_add

    existing = TaskItem.objects.filter(title="接口测试任务", status=TaskItem.Status.OPEN).first()
    return (
        existing
        or task_item_add(parent=TaskItem.objects.get(pk=api_task()), actor=SYSTEM, title="接口测试任务")
    ).pk


class LazyId:
    """A path parameter looked up (or built) when the URL is formatted, i.e. inside the test's database."""

    def __init__(self, build) -> None:
        self.build = build

    def __format__(self, spec: str) -> str:
        return format(self.build(), spec)
