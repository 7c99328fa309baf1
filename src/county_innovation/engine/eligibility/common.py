"""Shared vocabulary of the eligibility rules: the parsed enterprise figures, exact decimal arithmetic and
the Chinese formatting of amounts and ratios. Pure Python; the rule modules build on it, nothing on Django.

Money is in 万元 and always :class:`~decimal.Decimal`: a JSON number or string becomes ``Decimal(str(x))``,
so ``0.1`` stays one tenth and a ratio exactly at a threshold is decided exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext
from typing import Any

from county_innovation.engine.errors import EngineError

__all__ = [
    "DirectQualifications",
    "EligibilityInputError",
    "EnterpriseFigures",
    "add_years",
    "fmt_money",
    "fmt_pct",
    "ratio",
    "ratio_at_least",
    "to_decimal",
]

YEARS = 3
"""Lists in the contract hold the last three fiscal years, oldest first."""

# Enough digits that products and quotients of 万元 amounts with ≤ 6 decimals are exact or far below
# any threshold's resolution.
_CONTEXT = Context(prec=60)

FIELD_LABELS: dict[str, str] = {
    "founded": "注册成立日期",
    "as_of": "评价基准日",
    "employees": "职工总数",
    "tech_staff": "科技人员数",
    "sales_revenue": "销售收入",
    "total_revenue": "收入总额",
    "hightech_revenue": "高新技术产品（服务）收入",
    "rd_expense": "研究开发费用",
    "rd_expense_domestic": "境内研究开发费用",
    "total_cost": "成本费用支出总额",
    "total_assets": "资产总额",
    "net_assets": "净资产",
    "ip_class1": "Ⅰ类知识产权数",
    "ip_class2": "Ⅱ类知识产权数",
    "in_hightech_field": "核心技术属于《国家重点支持的高新技术领域》",
    "serious_violation": "上一年度发生重大安全、重大质量事故或严重环境违法行为",
    "direct": "直接认定条件",
    "innovation": "创新能力评价专家打分",
    "valuation_usd": "估值（亿美元）",
    "listed": "已上市（不含新三板）",
    "private_equity": "获得过私募股权投资",
}
DIRECT_LABELS: dict[str, str] = {
    "hightech_certificate": "持有有效的高新技术企业证书",
    "national_award_top3": "近五年内获得国家级科技奖励，并在获奖单位中排名前三",
    "provincial_rd_institution": "拥有经认定的省部级以上研发机构",
    "led_standard": "近五年内主导制定过国际标准、国家标准或行业标准",
}
REQUIRED = (
    "founded",
    "as_of",
    "employees",
    "tech_staff",
    "sales_revenue",
    "total_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "total_cost",
    "total_assets",
    "net_assets",
    "ip_class1",
    "ip_class2",
    "in_hightech_field",
    "serious_violation",
    "direct",
)
OPTIONAL = ("innovation", "valuation_usd", "listed", "private_equity")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EligibilityInputError(EngineError):
    """The payload cannot be evaluated; ``errors`` maps each bad field to its Chinese message.

    ``str(exc)`` joins all messages, so a command line or a form shows every problem at once.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("；".join(self.errors.values()))


def _label(field: str) -> str:
    return f"「{FIELD_LABELS.get(field, field)}」（{field}）"


# The engine checks its own boundary (it imports nothing of the platform; the platform's parser is
# common/numbers.py, with the same bounds): no figure of an enterprise comes near 10^15 万元, and text longer
# than 64 characters is refused before Decimal() sees it (「1e1000000」 would raise decimal.Overflow).
MAX_FIGURE_DIGITS = 15  # |x| < 10^15
MAX_NUMBER_TEXT = 64


def _shown(value: Any) -> str:
    text = str(value) if not isinstance(value, int) or value.bit_length() < 256 else "（位数过多的整数）"
    return text if len(text) <= 30 else f"{text[:20]}…（共 {len(text)} 个字符）"


def _bounded_decimal(value: Any, field: str, expected: str) -> Decimal:
    if isinstance(value, str) and len(value.strip()) > MAX_NUMBER_TEXT:
        raise EngineError(f"{_label(field)}应为{expected}，实际为 {len(value)} 个字符的文本，过长")
    if isinstance(value, int) and value.bit_length() > 256:
        raise EngineError(f"{_label(field)}数值过大，请核对单位")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError:  # InvalidOperation for words, Overflow for 「1e1000000」
        raise EngineError(f"{_label(field)}应为{expected}，实际为「{_shown(value)}」") from None
    # adjusted() reads the exponent without arithmetic: abs() of 1e1000000 would itself overflow.
    if number.is_finite() and number and number.adjusted() >= MAX_FIGURE_DIGITS:
        raise EngineError(f"{_label(field)}数值「{_shown(value)}」过大，请核对单位")
    return number


def to_decimal(value: Any, field: str, *, allow_negative: bool = False) -> Decimal:
    """One amount in 万元 as an exact :class:`Decimal`.

    Parameters
    ----------
    value : int, float, str or Decimal
        A JSON number or a numeric string. Floats go through ``str`` so ``0.1`` is one tenth.
    field : str
        The contract field, named in the error message.
    allow_negative : bool, default False
        Only 净资产 may be negative (liabilities above assets).

    Raises
    ------
    EngineError
        Chinese message for text, booleans, NaN/infinity or a negative amount.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise EngineError(f"{_label(field)}应为数字（万元），实际为「{_shown(value)}」")
    number = _bounded_decimal(value, field, "数字（万元）")
    if not number.is_finite():
        raise EngineError(f"{_label(field)}应为有限的数字，实际为「{value}」")
    if number < 0 and not allow_negative:
        raise EngineError(f"{_label(field)}不能为负数，实际为 {value}")
    return number


def _to_count(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise EngineError(f"{_label(field)}应为非负整数，实际为「{value}」")
    number = _bounded_decimal(value, field, "非负整数")
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise EngineError(f"{_label(field)}应为非负整数，实际为「{value}」")
    return int(number)


def _to_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise EngineError(f"{_label(field)}应为 true 或 false，实际为「{value}」")
    return value


def _to_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise EngineError(f"{_label(field)}应为 YYYY-MM-DD 格式的日期，实际为「{value}」")


def _to_years(value: Any, field: str, *, allow_negative: bool = False) -> tuple[Decimal, Decimal, Decimal]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise EngineError(f"{_label(field)}应为近三个会计年度的 {YEARS} 个数（从早到晚），实际为「{value}」")
    if len(value) != YEARS:
        raise EngineError(
            f"{_label(field)}应为近三个会计年度的 {YEARS} 个数（从早到晚），实际为 {len(value)} 个"
        )
    first, second, third = (to_decimal(v, field, allow_negative=allow_negative) for v in value)
    return first, second, third


@dataclass(frozen=True)
class DirectQualifications:
    """第八条's four grounds for direct qualification as a 科技型中小企业 (国科发政〔2017〕115号)."""

    hightech_certificate: bool = False
    national_award_top3: bool = False
    provincial_rd_institution: bool = False
    led_standard: bool = False

    def applying(self) -> list[str]:
        """The Chinese names of the grounds that apply."""
        return [DIRECT_LABELS[name] for name in DIRECT_LABELS if getattr(self, name)]


@dataclass(frozen=True)
class EnterpriseFigures:
    """One enterprise's figures as the JSON contract gives them; amounts in 万元 as Decimal.

    Lists are the last three fiscal years, oldest first; single amounts are the last year. The optional
    ``innovation`` mapping holds the expert-judged items of the 创新能力评价 (see
    :func:`~county_innovation.engine.eligibility.innovation_score`); ``valuation_usd`` (亿美元),
    ``listed`` and ``private_equity`` feed only the 独角兽 rules.
    """

    founded: dt.date
    as_of: dt.date
    employees: int
    tech_staff: int
    sales_revenue: tuple[Decimal, Decimal, Decimal]
    total_revenue: Decimal
    hightech_revenue: Decimal
    rd_expense: tuple[Decimal, Decimal, Decimal]
    rd_expense_domestic: tuple[Decimal, Decimal, Decimal]
    total_cost: Decimal
    total_assets: Decimal
    net_assets: tuple[Decimal, Decimal, Decimal]
    ip_class1: int
    ip_class2: int
    in_hightech_field: bool
    serious_violation: bool
    direct: DirectQualifications
    innovation: Mapping[str, int] | None = None
    valuation_usd: Decimal | None = None
    listed: bool | None = None
    private_equity: bool | None = None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> EnterpriseFigures:
        """Parse and validate the contract payload.

        Raises
        ------
        EligibilityInputError
            One Chinese message per bad field (missing, unknown, wrong type or length, negative amount,
            inconsistent figures such as 科技人员 above 职工 or ``as_of`` before ``founded``).
        """
        if not isinstance(payload, Mapping):
            raise EligibilityInputError(
                {"": f"企业数据应为 JSON 对象（{{...}}），实际为「{type(payload).__name__}」"}
            )
        errors: dict[str, str] = {}
        for key in payload:
            if key not in REQUIRED and key not in OPTIONAL:
                errors[str(key)] = f"未知字段「{key}」，请检查拼写（可用字段见 docs/eligibility.md）"
        for key in REQUIRED:
            if key not in payload or payload[key] is None:
                errors[key] = f"缺少必填字段{_label(key)}"
        values: dict[str, Any] = {}
        parsers = {
            "founded": _to_date,
            "as_of": _to_date,
            "employees": _to_count,
            "tech_staff": _to_count,
            "ip_class1": _to_count,
            "ip_class2": _to_count,
            "in_hightech_field": _to_bool,
            "serious_violation": _to_bool,
            "listed": _to_bool,
            "private_equity": _to_bool,
            "sales_revenue": _to_years,
            "rd_expense": _to_years,
            "rd_expense_domestic": _to_years,
            "net_assets": lambda v, f: _to_years(v, f, allow_negative=True),
            "total_revenue": to_decimal,
            "hightech_revenue": to_decimal,
            "total_cost": to_decimal,
            "total_assets": to_decimal,
            "valuation_usd": to_decimal,
            "direct": _to_direct,
            "innovation": _to_innovation,
        }
        for key, parse in parsers.items():
            if key in errors or payload.get(key) is None:
                continue
            try:
                values[key] = parse(payload[key], key)
            except EngineError as exc:
                errors[key] = str(exc)
        errors.update(_consistency_errors(values))
        if errors:
            raise EligibilityInputError(errors)
        return cls(**values)


def _to_direct(value: Any, field: str) -> DirectQualifications:
    if not isinstance(value, Mapping):
        raise EngineError(
            f"{_label(field)}应为 JSON 对象，含 {', '.join(DIRECT_LABELS)} 四个 true/false 字段"
        )
    unknown = [str(k) for k in value if k not in DIRECT_LABELS]
    if unknown:
        raise EngineError(
            f"{_label(field)}中有未知字段「{'、'.join(unknown)}」，可用字段为 {', '.join(DIRECT_LABELS)}"
        )
    missing = [k for k in DIRECT_LABELS if k not in value]
    if missing:
        raise EngineError(f"{_label(field)}缺少字段「{'、'.join(missing)}」（各为 true 或 false）")
    flags = {}
    for key in DIRECT_LABELS:
        if not isinstance(value[key], bool):
            raise EngineError(
                f"{_label(field)}的「{DIRECT_LABELS[key]}」（{key}）应为 true 或 false，实际为「{value[key]}」"
            )
        flags[key] = value[key]
    return DirectQualifications(**flags)


def _to_innovation(value: Any, field: str) -> dict[str, int]:
    # Imported here: innovation_score builds on this module.
    from .innovation_score import parse_items

    return parse_items(value)


def _consistency_errors(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    founded, as_of = values.get("founded"), values.get("as_of")
    if founded and as_of and as_of < founded:
        errors["as_of"] = f"评价基准日 {as_of.isoformat()} 早于注册成立日期 {founded.isoformat()}，请检查日期"
    employees, tech = values.get("employees"), values.get("tech_staff")
    if employees is not None and employees == 0:
        errors["employees"] = "「职工总数」（employees）应至少为 1 人"
    elif employees is not None and tech is not None and tech > employees:
        errors["tech_staff"] = f"科技人员数 {tech} 人多于职工总数 {employees} 人，请检查"
    total, hightech = values.get("total_revenue"), values.get("hightech_revenue")
    if total is not None and hightech is not None and hightech > total:
        errors["hightech_revenue"] = (
            f"高新技术产品（服务）收入 {fmt_money(hightech)} 万元多于收入总额 {fmt_money(total)} 万元，请检查"
        )
    rd, domestic = values.get("rd_expense"), values.get("rd_expense_domestic")
    if rd and domestic:
        for year, (all_rd, home) in enumerate(zip(rd, domestic, strict=True), start=1):
            if home > all_rd:
                errors["rd_expense_domestic"] = (
                    f"第 {year} 年境内研究开发费用 {fmt_money(home)} 万元多于研究开发费用 {fmt_money(all_rd)} 万元，请检查"
                )
                break
    return errors


def add_years(start: dt.date, years: int) -> dt.date:
    """The date ``years`` years after ``start``; 29 February falls back to 28 February.

    民法典 第二百零二条: a period in years ends on the corresponding day, or the last day of that month
    when it has no corresponding day.
    """
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` to 60 significant digits, ``None`` when the denominator is zero."""
    if denominator == 0:
        return None
    with localcontext(_CONTEXT):
        return numerator / denominator


def ratio_at_least(numerator: Decimal, denominator: Decimal, threshold: Decimal) -> bool:
    """Whether ``numerator / denominator ≥ threshold``, decided exactly by cross-multiplication.

    A zero denominator never meets a positive threshold.
    """
    if denominator <= 0:
        return threshold <= 0 and numerator >= 0
    with localcontext(_CONTEXT):
        return numerator >= threshold * denominator


def fmt_pct(value: Decimal | None, places: int = 2) -> str:
    """A fraction as a Chinese-report percentage, rounded down (``Decimal('0.0399')`` → ``3.99%``).

    Rounding down never shows a ratio below a threshold (thresholds have at most two decimals in %)
    as if it met it.
    """
    if value is None:
        return "无法计算"
    with localcontext(_CONTEXT):
        shown = (value * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR)
    return f"{shown}%"


def fmt_threshold(value: Decimal) -> str:
    """A threshold fraction as a short percentage: ``Decimal('0.04')`` → ``4%``, ``0.6`` → ``60%``."""
    shown = (value * 100).normalize()
    return f"{shown:f}%"


def fmt_money(value: Decimal, *, round_up: bool = False) -> str:
    """An amount in 万元 with thousands separators and at most two decimals: ``5000`` → ``5,000``.

    ``round_up`` for a shortfall or a minimum, so a gap of 0.001 万元 shows as 0.01, never as 0.
    """
    with localcontext(_CONTEXT):
        shown = value.quantize(Decimal("0.01"), rounding=ROUND_CEILING if round_up else None)
    text = f"{shown:,.2f}"
    return text[:-3] if text.endswith(".00") else text
