"""Writes of the enterprise registry: enterprises, a year's figures, qualifications and enterprise accounts.

Each service checks every input and the user's rights (``accounts.permissions``) before writing, inside one
transaction; a refusal is a DomainError with a Chinese sentence (and every problem listed), and nothing is
written. ``user=None`` means the platform itself (demo loading, command line).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts import permissions
from county_innovation.accounts.models import Role, User
from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.common.numbers import NumberProblem, integer_parse, number_parse
from county_innovation.enterprises.models import (
    Enterprise,
    EnterpriseYear,
    HightechField,
    ListingStatus,
    Qualification,
    QualificationKind,
)
from county_innovation.enterprises.validators import credit_code_problem, normalise_credit_code
from county_innovation.regions.models import Region

# 国科发火〔2016〕32号《高新技术企业认定管理办法》第九条：资格自颁发证书之日起有效期为三年。
HIGHTECH_VALID_YEARS = 3

# Yearly figures: (field, Chinese label). Money is 万元 with two decimals; counts are whole numbers.
MONEY_FIELDS = (
    ("sales_revenue", "销售收入"),
    ("total_revenue", "总收入"),
    ("total_assets", "资产总额"),
    ("net_assets", "净资产"),
    ("total_cost", "成本费用支出总额"),
    ("rd_expense", "研发费用"),
    ("rd_expense_domestic", "境内研发费用"),
    ("hightech_revenue", "高新技术产品（服务）收入"),
)
COUNT_FIELDS = (
    ("employees", "职工总数"),
    ("tech_staff", "科技人员"),
    ("ip_class1", "Ⅰ类知识产权"),
    ("ip_class2", "Ⅱ类知识产权"),
    ("results_converted", "科技成果转化"),
    ("financing_rounds", "融资轮次"),
)
OPTIONAL_MONEY_FIELDS = (("valuation", "估值"),)
# 净资产 may be negative (liabilities above assets); every other amount is a size or a flow and may not.
MAY_BE_NEGATIVE = {"net_assets"}
MONEY_LIMIT = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
COUNT_LIMIT = 2_147_483_647  # PositiveIntegerField: the largest value PostgreSQL's integer column holds


def _require_manage(user: User | None, town: Region) -> None:
    if user is not None and not permissions.can_manage_enterprises(user, town):
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
    user: User | None,
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
    _require_manage(user, town)
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
    return Enterprise.objects.create(
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


REGISTRY_FIELDS = (
    "credit_code",
    "name",
    "town",
    "founded",
    "industry_code",
    "industry_name",
    "hightech_field",
    "listing_status",
)


@transaction.atomic
def enterprise_update(*, user: User | None, enterprise: Enterprise, **changes: object) -> Enterprise:
    """Change registry fields; moving an enterprise needs the right to manage both the old and the new town."""
    unknown = set(changes) - set(REGISTRY_FIELDS)
    if unknown:
        raise DomainError(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    _require_manage(user, enterprise.town)
    values = {f: getattr(enterprise, f) for f in REGISTRY_FIELDS} | changes
    values["credit_code"] = normalise_credit_code(str(values["credit_code"]))
    if values["town"] != enterprise.town:
        _require_manage(user, values["town"])
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
    enterprise.save()
    return enterprise


def parse_amount(value: object, label: str, *, negative_ok: bool, problems: list[str]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(f"请填写「{label}」。")
        return None
    try:
        amount = number_parse(
            value, label=label, unit="万元", expected="数字（万元）", max_abs=MONEY_LIMIT + 1, places=2
        )
    except NumberProblem as problem:
        problems.append(problem.message)
        return None
    if amount is None:
        problems.append(f"请填写「{label}」。")
        return None
    if amount < 0 and not negative_ok:
        problems.append(f"「{label}」不能为负数，实际为 {amount} 万元。")
    if abs(amount) > MONEY_LIMIT:
        problems.append(f"「{label}」{amount} 万元超出可登记的范围，请核对单位是否为万元。")
    return amount


def parse_count(value: object, label: str, problems: list[str]) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(f"请填写「{label}」。")
        return None
    try:
        number = integer_parse(value, label=label, max_abs=COUNT_LIMIT + 1, min_value=0)
    except NumberProblem as problem:
        problems.append(problem.message)
        return None
    if number is None:
        problems.append(f"请填写「{label}」。")
    return number


def year_figures_check(*, enterprise: Enterprise, year: int, figures: dict) -> tuple[dict, list[str]]:
    """Parse and check one year's figures; returns (clean values, every problem in Chinese)."""
    problems: list[str] = []
    clean: dict = {}
    this_year = timezone.localdate().year
    if not enterprise.founded.year <= year <= this_year:
        problems.append(f"年度 {year} 不在 {enterprise.founded.year}（成立年份）至 {this_year} 年之间。")
    for field, label in COUNT_FIELDS:
        clean[field] = parse_count(figures.get(field), label, problems)
    for field, label in MONEY_FIELDS:
        clean[field] = parse_amount(
            figures.get(field), label, negative_ok=field in MAY_BE_NEGATIVE, problems=problems
        )
    for field, label in OPTIONAL_MONEY_FIELDS:
        raw = figures.get(field)
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        clean[field] = None if blank else parse_amount(raw, label, negative_ok=False, problems=problems)
    pairs = (
        ("tech_staff", "employees", "科技人员 {a} 人多于职工总数 {b} 人，科技人员应包含在职工总数之内。"),
        (
            "rd_expense_domestic",
            "rd_expense",
            "境内研发费用 {a} 万元大于研发费用总额 {b} 万元，境内部分不能超过总额。",
        ),
        (
            "hightech_revenue",
            "total_revenue",
            "高新技术产品（服务）收入 {a} 万元大于总收入 {b} 万元，它是总收入的一部分。",
        ),
        (
            "sales_revenue",
            "total_revenue",
            "销售收入 {a} 万元大于总收入 {b} 万元，销售收入是总收入的一部分。",
        ),
    )
    for part, whole, sentence in pairs:
        a, b = clean.get(part), clean.get(whole)
        if a is not None and b is not None and a > b:
            problems.append(sentence.format(a=a, b=b))
    return clean, problems


@transaction.atomic
def enterprise_year_save(
    *, user: User | None, enterprise: Enterprise, year: int, figures: dict
) -> EnterpriseYear:
    """Create or replace the figures of ``year``; all fields are required except the valuation."""
    if user is not None:
        permissions.require_edit_enterprise_figures(user, enterprise)
    clean, problems = year_figures_check(enterprise=enterprise, year=year, figures=figures)
    _refuse(problems, f"{year}年数据")
    record, _ = EnterpriseYear.objects.update_or_create(enterprise=enterprise, year=year, defaults=clean)
    return record


def qualification_default_end(kind: str, valid_from: date) -> date | None:
    """The end of validity the rules fix: 高企 three years from the certificate, 科小 the registration year."""
    if kind == QualificationKind.HIGHTECH:
        try:
            anniversary = valid_from.replace(year=valid_from.year + HIGHTECH_VALID_YEARS)
        except ValueError:  # 29 February
            anniversary = date(valid_from.year + HIGHTECH_VALID_YEARS, 3, 1)
        return anniversary - timedelta(days=1)
    if kind == QualificationKind.TECH_SME:
        # 国科发政〔2017〕115号：入库登记编号当年有效，次年须重新评价入库（domain README §2.2）。
        return date(valid_from.year, 12, 31)
    return None


@transaction.atomic
def qualification_add(
    *,
    user: User | None,
    enterprise: Enterprise,
    kind: str,
    number: str,
    valid_from: date,
    valid_to: date | None = None,
    note: str = "",
) -> Qualification:
    if user is not None:
        permissions.require_manage_enterprises(user, enterprise.town)
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
    return Qualification.objects.create(
        enterprise=enterprise, kind=kind, number=number, valid_from=valid_from, valid_to=valid_to, note=note
    )


@transaction.atomic
def enterprise_member_add(*, user: User | None, enterprise: Enterprise, member: User) -> None:
    """Give an enterprise account (role 企业) access to this enterprise's profile and figures."""
    if user is not None:
        permissions.require_manage_enterprises(user, enterprise.town)
    if member.role != Role.ENTERPRISE:
        raise DomainError(
            f"用户「{member}」的角色是「{member.get_role_display()}」，只有企业账号可以关联到企业。"
        )
    enterprise.users.add(member)
