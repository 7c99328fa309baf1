"""Writes of the enterprise registry: enterprises, a year's figures, qualifications, accounts, deregistration.

Each service takes the ``actor`` (a user, or ``system(purpose)`` for the platform's own jobs), asks the policy
(``enterprises.policies``) and checks every input before writing, inside one transaction; a refusal is a
DomainError with a Chinese sentence (and every problem listed), and nothing is written. The history rows name
the acting user.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.common.actors import actor_required, history_user
from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.enterprises import policies
from county_innovation.enterprises.figures import qualification_default_end, year_figures_check
from county_innovation.enterprises.models import (
    REGISTRY_FIELDS,
    Enterprise,
    EnterpriseStatus,
    EnterpriseYear,
    HightechField,
    ListingStatus,
    Qualification,
    QualificationKind,
)
from county_innovation.enterprises.validators import credit_code_problem, normalise_credit_code
from county_innovation.regions.models import Region


def _require_manage(actor, town: Region) -> None:
    actor_required(actor)
    if not policies.regions.allows(actor, "manage_enterprises", town):
        raise ScopeError(
            f"您无权在「{town.name}」登记或修改企业：只有所在县（区）科技局和市科技局可以维护企业名录。"
        )


def _check_registry_fields(
    *, credit_code: str, name: str, town: Region, founded: date, hightech_field: str, listing_status: str
) -> list[str]:
    problems = []
    code_problem = credit_code_problem(credit_code)
    if code_problem:
        problems.append(code_problem)
    if not name.strip():
        problems.append("请填写企业名称。")
    if town.level != Region.Level.TOWN:
        problems.append(f"「{town.name}」不是乡镇（街道），企业应登记到所在的乡镇（街道）。")
    if founded > timezone.localdate():
        problems.append(f"成立日期 {founded:%Y-%m-%d} 晚于今天，请核对。")
    if hightech_field and hightech_field not in HightechField.values:
        problems.append(f"「{hightech_field}」不是国家重点支持的高新技术领域之一。")
    if listing_status not in ListingStatus.values:
        problems.append(f"「{listing_status}」不是可选的上市状态。")
    return problems


def _refuse(problems: list[str], what: str) -> None:
    if problems:
        message = (
            problems[0]
            if len(problems) == 1
            else f"{what}有 {len(problems)} 处问题，均未保存：" + "；".join(problems)
        )
        raise DomainError(message, problems)


@transaction.atomic
def enterprise_create(
    *,
    actor,
    credit_code: str,
    name: str,
    town: Region,
    founded: date,
    industry_code: str = "",
    industry_name: str = "",
    hightech_field: str = "",
    listing_status: str = ListingStatus.UNLISTED,
    is_demo: bool = False,
) -> Enterprise:
    _require_manage(actor, town)
    credit_code = normalise_credit_code(credit_code)
    problems = _check_registry_fields(
        credit_code=credit_code,
        name=name,
        town=town,
        founded=founded,
        hightech_field=hightech_field,
        listing_status=listing_status,
    )
    existing = Enterprise.objects.filter(credit_code=credit_code).first()
    if existing is not None:
        problems.append(f"统一社会信用代码「{credit_code}」已登记为「{existing.name}」，不能重复登记。")
    _refuse(problems, "企业登记")
    enterprise = Enterprise(
        credit_code=credit_code,
        name=name.strip(),
        town=town,
        founded=founded,
        industry_code=industry_code.strip().upper(),
        industry_name=industry_name.strip(),
        hightech_field=hightech_field,
        listing_status=listing_status,
        is_demo=is_demo,
    )
    enterprise._history_user = history_user(actor)
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, **changes: object) -> Enterprise:
    """Change registry fields; moving an enterprise needs the right to manage both the old and the new town."""
    unknown = set(changes) - set(REGISTRY_FIELDS)
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _require_manage(actor, enterprise.town)
    values = {f: getattr(enterprise, f) for f in REGISTRY_FIELDS} | changes
    values["credit_code"] = normalise_credit_code(str(values["credit_code"]))
    if values["town"] != enterprise.town:
        _require_manage(actor, values["town"])
    problems = _check_registry_fields(
        credit_code=values["credit_code"],
        name=values["name"],
        town=values["town"],
        founded=values["founded"],
        hightech_field=values["hightech_field"],
        listing_status=values["listing_status"],
    )
    clash = Enterprise.objects.filter(credit_code=values["credit_code"]).exclude(pk=enterprise.pk).first()
    if clash is not None:
        problems.append(
            f"统一社会信用代码「{values['credit_code']}」已登记为「{clash.name}」，不能重复登记。"
        )
    _refuse(problems, "企业信息")
    for field, value in values.items():
        setattr(enterprise, field, value.strip() if isinstance(value, str) and field != "town" else value)
    enterprise._history_user = history_user(actor)
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_year_save(*, actor, enterprise: Enterprise, year: int, figures: dict) -> EnterpriseYear:
    """Create or replace the figures of ``year``; all fields are required except the valuation."""
    policies.enterprises.require(actor, "edit_figures", enterprise)
    clean, problems = year_figures_check(enterprise=enterprise, year=year, figures=figures)
    _refuse(problems, f"{year}年数据")
    record = EnterpriseYear.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
    record = record or EnterpriseYear(enterprise=enterprise, year=year)
    for name, value in clean.items():
        setattr(record, name, value)
    record._history_user = history_user(actor)
    record.save()
    return record


@transaction.atomic
def qualification_add(
    *,
    actor,
    enterprise: Enterprise,
    kind: str,
    number: str,
    valid_from: date,
    valid_to: date | None = None,
    note: str = "",
) -> Qualification:
    policies.enterprises.require(actor, "manage", enterprise)
    problems = []
    number = number.strip()
    if kind not in QualificationKind.values:
        problems.append(f"「{kind}」不是可登记的资质类型。")
    if not number:
        problems.append("请填写证书编号或入库登记编号。")
    elif Qualification.objects.filter(kind=kind, number=number).exists():
        problems.append(f"编号「{number}」已登记过，请核对。")
    valid_to = valid_to or qualification_default_end(kind, valid_from)
    if valid_to is None:
        problems.append("请填写有效期至（该类资质的有效期没有统一规定）。")
    elif valid_to < valid_from:
        problems.append(f"有效期至 {valid_to:%Y-%m-%d} 早于发证日期 {valid_from:%Y-%m-%d}。")
    _refuse(problems, "资质")
    qualification = Qualification(
        enterprise=enterprise, kind=kind, number=number, valid_from=valid_from, valid_to=valid_to, note=note
    )
    qualification._history_user = history_user(actor)
    qualification.save()
    return qualification


@transaction.atomic
def enterprise_member_add(*, actor, enterprise: Enterprise, member: User) -> None:
    """Give an enterprise account (role 企业) access to this enterprise's profile and figures."""
    policies.enterprises.require(actor, "manage_members", enterprise)
    if not policies.is_enterprise_account(member):
        raise DomainError(
            f"用户「{member}」的角色是「{member.get_role_display()}」，只有企业账号可以关联到企业。"
        )
    enterprise.users.add(member)


@transaction.atomic
def enterprise_deregister(*, actor, enterprise: Enterprise, on: date, reason: str) -> Enterprise:
    """Record that the enterprise was deregistered (注销) on ``on``; the entry and its figures stay.

    The county bureau of its town or the city bureau records it, with the reason; the date may not lie in the
    future nor before the founding. The registry's published counts leave it out from the year of ``on``
    (``publishing``), earlier years keep it.
    """
    enterprise = Enterprise.objects.select_for_update().select_related("town").get(pk=enterprise.pk)
    policies.enterprises.require(actor, "deregister", enterprise)
    problems = []
    if enterprise.is_deregistered:
        problems.append(
            f"「{enterprise.name}」已于 {enterprise.deregistered_on:%Y-%m-%d} 注销，不能重复注销。"
        )
    reason = (reason or "").strip()
    if not reason:
        problems.append("请填写注销原因。")
    if on is None:
        problems.append("请填写注销日期。")
    elif on > timezone.localdate():
        problems.append(f"注销日期 {on:%Y-%m-%d} 晚于今天，只能登记已经发生的注销。")
    elif on < enterprise.founded:
        problems.append(f"注销日期 {on:%Y-%m-%d} 早于成立日期 {enterprise.founded:%Y-%m-%d}，请核对。")
    _refuse(problems, "企业注销")
    enterprise.status = EnterpriseStatus.DEREGISTERED
    enterprise.deregistered_on = on
    enterprise.deregistration_reason = reason
    enterprise._history_user = history_user(actor)
    enterprise.save(update_fields=["status", "deregistered_on", "deregistration_reason", "updated_at"])
    return enterprise
