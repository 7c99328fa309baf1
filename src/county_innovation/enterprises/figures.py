"""The rules a year's figures and a qualification's validity must satisfy: pure checks, no database.

Both the entry form (``services.enterprise_year_save``) and the workbook import (``importing``) check the figures
here, so a rule lives in one place.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from county_innovation.common.numbers import NumberProblem, integer_parse, number_parse
from county_innovation.enterprises.models import Enterprise, QualificationKind

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
