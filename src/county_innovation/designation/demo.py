"""Demo designations and task supervision for the Nanchang demo (called from web.demo.demo_load).

Everything made here is flagged ``is_demo`` and labelled 演示数据; dates, amounts and reports are invented.
Deterministic: fixed regions, dates and amounts, no randomness. Re-running replaces the previous demo rows.
"""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.models import Role, User
from county_innovation.common.actors import system
from county_innovation.common.protection import deletion_permitted
from county_innovation.designation.models import (
    BUILD_YEARS,
    BuildingTarget,
    BuildReport,
    Designation,
    ExpertProfile,
    ExpertReview,
    Funding,
    Material,
    Objection,
)
from county_innovation.designation.rules import FORMAL_CHECKLIST
from county_innovation.designation.services import (
    designation_apply,
    experts_assign,
    formal_check,
    material_add,
)
from county_innovation.regions.models import Region
from county_innovation.supervision.models import TaskAssignment, TaskAttachment, TaskItem, TaskReport

S = Designation.Status
DEMO_NOTE = "（演示数据）"
DEMO = system("加载演示数据")

# (region, level, theme, decided year, acceptance or "" while building, funding in 万元)
DEMO_DESIGNATIONS = [
    ("360121", "national", "industry", 2023, "", "300"),
    ("360111", "city", "industry", 2020, "pass", "100"),
    ("360112", "city", "ecology", 2021, "excellent", "100"),
    ("360121100", "city", "industry", 2020, "excellent", "30"),
    ("360121101", "city", "industry", 2021, "pass", "30"),
    ("360112108", "city", "ecology", 2021, "pass", "30"),
    ("360111100", "city", "industry", 2022, "excellent", "30"),
    ("360121105", "city", "livelihood", 2022, "pass", "30"),
    ("360123103", "city", "industry", 2023, "", "30"),
    ("360112101", "city", "industry", 2023, "", "30"),
    ("360121203", "city", "livelihood", 2024, "", "30"),
    ("360124103", "city", "industry", 2024, "", "30"),
    ("360111103", "city", "ecology", 2025, "", "30"),
]
# The 专家库: (username, organisation, field, home county or None for 市外); the accounts are demo accounts.
DEMO_EXPERTS = [
    ("expert", "南昌大学", "区域创新", None),
    ("expert2", "南昌县农业科学研究所", "农业科技", "360121"),
    ("expert3", "进贤县医疗器械产业园管委会", "医疗器械", "360124"),
    ("expert4", "南昌航空大学", "先进制造", "360111"),
    ("expert5", "江西省科学院", "科技管理", None),
]
# One building target per demo designation: the indicator and the growth aimed at over the building period.
DEMO_TARGET = {"county": ("hightech_enterprises", Decimal("1.5")), "town": ("town_hightech_enterprises", 2)}
# Pilots whose building period has ended but whose last annual report is still due: the county reports it,
# then the city can accept (评估验收 checks that every annual report exists).
DEMO_REPORT_DUE = {"360121"}
# One application under expert review, so the demo experts `expert`, `expert4` and `expert5` see 待评审 on signing in.
DEMO_REVIEWING = ("360112103", "city", "ecology", 2026, ["expert", "expert4", "expert5"])
# One application waiting for the formal check.
DEMO_PENDING = ("360124101", "city", "industry", 2026)

# A tiny valid PDF, so the pending application has a downloadable document.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# Task assignments: (item number, lead department, supporting counties)
DEMO_LEADS = {
    "三（一）": ("science", ["360121", "360124"]),
    "三（二）": ("industry", ["360121", "360112"]),
    "三（三）": ("science", ["360111"]),
    "三（四）": ("hr", []),
    "三（五）": ("science", ["360112"]),
    "三（六）": ("science", []),
    "三（七）": ("agriculture", ["360121", "360123", "360124"]),
    "三（八）": ("development", []),
    "三（九）": ("banking", []),
    "三（十）": ("science", ["360123"]),
    "四（一）": ("science", []),
    "四（二）": ("development", []),
    "四（三）": ("finance", []),
    "四（四）": ("statistics", []),
    "四（五）": ("science", []),
}
# Work items under some tasks: (parent number, title, deadline, county, reports [(date, percent, text)])
DEMO_WORK_ITEMS = [
    (
        "三（一）",
        "开展市级创新型县（区）、乡（镇）试点认定",
        datetime.date(2026, 6, 30),
        "360124",
        [(datetime.date(2026, 3, 15), 40, "已完成试点申报通知的起草和县（区）动员。")],
    ),
    (
        "三（二）",
        "编制县域特色产业集群培育清单",
        datetime.date(2025, 12, 31),
        "360121",
        [(datetime.date(2025, 6, 20), 60, "已梳理南昌县首位产业和两个特色产业集群的企业名单。")],
    ),
    (
        "三（七）",
        "推进科技特派员富民强县工程",
        datetime.date(2026, 12, 31),
        "360123",
        [(datetime.date(2026, 10, 30), 75, "选派科技特派员 42 名，覆盖全县 10 个乡镇。")],
    ),
    ("三（十）", "建成县级科普基地", datetime.date(2026, 9, 30), "360123", []),
    (
        "四（四）",
        "建立县（区）主要科技创新指标定期通报制度",
        datetime.date(2025, 9, 30),
        "",
        [(datetime.date(2025, 8, 1), 100, "通报制度已印发，按季度通报。")],
    ),
]


def _clear() -> None:
    demo = Designation.objects.filter(is_demo=True)
    with deletion_permitted("demo reset: demo designations and tasks only"):
        for model in (Material, ExpertReview, Objection, BuildReport, Funding, BuildingTarget):
            model.objects.filter(designation__in=demo).delete()
        demo.delete()
        TaskAttachment.objects.filter(report__is_demo=True).delete()
        TaskReport.objects.filter(is_demo=True).delete()
        TaskAssignment.objects.filter(is_demo=True).delete()
        TaskItem.objects.filter(is_demo=True).delete()


def _designations() -> int:
    for code, level, theme, year, acceptance, amount in DEMO_DESIGNATIONS:
        region = Region.objects.get(code=code)
        start = datetime.date(year, 6, 30)
        end = start.replace(year=year + BUILD_YEARS)
        status = S.BUILDING
        if acceptance:
            status = S.FAILED if acceptance == "fail" else S.ACCEPTED
        designation = Designation.objects.create(
            region=region,
            county=region if region.is_county else region.parent,
            level=level,
            theme=theme,
            year=year,
            status=status,
            summary=f"{region.name}创新型建设方案摘要{DEMO_NOTE}",
            checklist={"demo": True},
            check_note=f"历史认定，材料不在本系统中{DEMO_NOTE}",
            decided_level=level,
            decided_year=year,
            decided_at=timezone.make_aware(datetime.datetime(year, 6, 30, 10)),
            decision_note=f"认定{DEMO_NOTE}",
            build_start=start,
            build_end=end,
            acceptance=acceptance,
            acceptance_note=f"评估验收{DEMO_NOTE}" if acceptance else "",
            accepted_at=timezone.make_aware(datetime.datetime(end.year, 9, 1, 10)) if acceptance else None,
            is_demo=True,
        )
        Funding.objects.create(
            designation=designation, year=year, amount=Decimal(amount), note=f"认定支持资金{DEMO_NOTE}"
        )
        _demo_target(designation)
        last_year = min(year + BUILD_YEARS - 1, 2025) - (1 if code in DEMO_REPORT_DUE else 0)
        for report_year in range(year, last_year + 1):
            BuildReport.objects.create(
                designation=designation,
                year=report_year,
                text=f"{report_year}年度建设进展：按建设方案推进，主要目标完成过半{DEMO_NOTE}",
            )
    return len(DEMO_DESIGNATIONS)


def _demo_target(designation: Designation) -> None:
    """A structured target from the region's own demo value in the year before the decision."""
    from county_innovation.indicators.models import DataValue, Indicator

    code, factor = DEMO_TARGET["town" if designation.is_town else "county"]
    indicator = Indicator.objects.filter(code=code).first()
    base = DataValue.objects.filter(
        region=designation.region, indicator=indicator, period=designation.year - 1
    ).first()
    if indicator is None or base is None:
        return
    BuildingTarget.objects.create(
        designation=designation,
        indicator=indicator,
        baseline_year=designation.year - 1,
        baseline_value=base.value,
        target_year=designation.year + BUILD_YEARS,
        target_value=(base.value * Decimal(factor)).quantize(Decimal("1")),
        position=1,
    )


def _experts() -> None:
    for username, organisation, field, home in DEMO_EXPERTS:
        account = User.objects.filter(username=username, role=Role.EXPERT).first()
        if account is None:
            continue
        ExpertProfile.objects.update_or_create(
            user=account,
            defaults={
                "home_region": Region.objects.filter(code=home).first() if home else None,
                "affiliation": f"{organisation}{DEMO_NOTE}",
                "field": field,
            },
        )


def _pending(applicant: User | None) -> None:
    code, level, theme, year = DEMO_PENDING
    region = Region.objects.get(code=code)
    designation = designation_apply(
        actor=DEMO,
        region=region,
        level=level,
        theme=theme,
        year=year,
        summary=f"以医疗器械配套产业为特色，建设科技支撑产业发展型创新型乡镇{DEMO_NOTE}",
        building_targets=[
            {"name": "高新技术企业数", "baseline": "6", "target": "12", "unit": "家"},
            {"name": "科技型中小企业数", "baseline": "15", "target": "30", "unit": "家"},
        ],
        is_demo=True,
    )
    designation.applied_by = applicant
    designation.save(update_fields=["applied_by"])
    material_add(
        designation=designation,
        actor=DEMO,
        title=f"申报书{DEMO_NOTE}",
        filename="申报书.pdf",
        content=DEMO_PDF,
    )


def _reviewing() -> int:
    code, level, theme, year, panel = DEMO_REVIEWING
    experts = list(User.objects.filter(username__in=panel, role=Role.EXPERT, is_active=True))
    if len(experts) < len(panel):
        return 0
    region = Region.objects.get(code=code)
    designation = designation_apply(
        actor=DEMO,
        region=region,
        level=level,
        theme=theme,
        year=year,
        summary=f"以湿地生态保护与生态旅游为特色，建设科技支撑生态文明型创新型乡镇{DEMO_NOTE}",
        building_targets=[
            {
                "indicator": "town_agri_demo_bases",
                "baseline_year": year - 1,
                "baseline_value": "2",
                "target_year": year + BUILD_YEARS,
                "target_value": "5",
            }
        ],
        is_demo=True,
    )
    material_add(
        designation=designation,
        actor=DEMO,
        title=f"申报书{DEMO_NOTE}",
        filename="申报书.pdf",
        content=DEMO_PDF,
    )
    formal_check(designation=designation, actor=DEMO, checklist=dict.fromkeys(FORMAL_CHECKLIST, True))
    experts_assign(designation=designation, actor=DEMO, experts=experts)
    return 1


def _tasks() -> int:
    items = {i.number: i for i in TaskItem.objects.filter(parent=None)}
    for order, (number, (department, counties)) in enumerate(DEMO_LEADS.items()):
        item = items[number]
        TaskAssignment.objects.create(
            item=item,
            duty=TaskAssignment.Role.LEAD,
            department=department,
            deliverable=f"牵头推进{DEMO_NOTE}",
            deadline=datetime.date(2030, 12, 31),
            is_demo=True,
        )
        for code in counties:
            TaskAssignment.objects.create(
                item=item,
                duty=TaskAssignment.Role.SUPPORT,
                region=Region.objects.get(code=code),
                deliverable=f"配合落实{DEMO_NOTE}",
                is_demo=True,
            )
        TaskReport.objects.create(
            item=item,
            percent=20 + 5 * (order % 10),
            text=f"年度工作要点已分解落实{DEMO_NOTE}",
            # two reports a month through 2026, so some items look active and older ones stalled
            reported_at=timezone.make_aware(datetime.datetime(2026, 4 + order // 2, 1 + 14 * (order % 2), 9)),
            is_demo=True,
        )
    for parent_number, title, deadline, county, reports in DEMO_WORK_ITEMS:
        parent = items[parent_number]
        order = parent.children.count() + 1
        child = TaskItem.objects.create(
            parent=parent,
            kind=parent.kind,
            number=f"{parent.number}-{order}",
            title=title,
            deliverables=f"{title}{DEMO_NOTE}",
            deadline=deadline,
            order=order,
            source=parent.source,
            is_demo=True,
        )
        lead = DEMO_LEADS[parent_number][0]
        assignment = TaskAssignment.objects.create(
            item=child, duty=TaskAssignment.Role.LEAD, department=lead, deadline=deadline, is_demo=True
        )
        if county:
            assignment = TaskAssignment.objects.create(
                item=child,
                duty=TaskAssignment.Role.SUPPORT,
                region=Region.objects.get(code=county),
                deliverable=f"{title}（县级落实）{DEMO_NOTE}",
                deadline=deadline,
                is_demo=True,
            )
        for day, percent, text in reports:
            TaskReport.objects.create(
                item=child,
                assignment=assignment,
                percent=percent,
                text=f"{text}{DEMO_NOTE}",
                reported_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
                is_demo=True,
            )
        if reports and reports[-1][1] == 100:
            child.status = TaskItem.Status.CLOSED
            child.closed_at = timezone.make_aware(
                datetime.datetime.combine(reports[-1][0], datetime.time(10))
            )
            child.save()
    return len(DEMO_WORK_ITEMS)


@transaction.atomic
def _seeds_ensure() -> None:
    """The policy's tasks, the targets and the score sheet come from data migrations; a database flushed by a
    transactional test has lost them, so the demo puts them back (each seed is idempotent)."""
    from django.apps import apps

    for module in (
        "county_innovation.supervision.migrations.0002_seed",
        "county_innovation.designation.migrations.0002_seed",
    ):
        importlib.import_module(module).seed(apps, None)


def designation_demo_load() -> dict:
    """Replace the demo designations and task supervision rows; returns counts."""
    _seeds_ensure()
    _clear()
    _experts()
    designations = _designations()
    _pending(User.objects.filter(username="jinxian").first())
    reviewing = _reviewing()
    work_items = _tasks()
    return {"designations": designations + 1 + reviewing, "work_items": work_items}
