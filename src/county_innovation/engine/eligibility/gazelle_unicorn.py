"""瞪羚 and 独角兽: configurable rule sets, since no national or Jiangxi numeric definition exists.

The defaults follow the domain README §2.3: 独角兽 as in the 科技部火炬中心 + 长城战略咨询 list (≤ 10 years,
估值超过10亿美元, unlisted, backed by private equity) with the 潜在独角兽 tiers; 瞪羚 as revenue growth ≥ 20 %
a year over the three years, ≤ 10 years old, a 高企. A county changes them by a JSON rule set
(:meth:`GazelleRules.from_dict`), and every result names the rules that made it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any, TypeVar

from county_innovation.engine.errors import EngineError

from .common import _CONTEXT, EnterpriseFigures, add_years, fmt_money, fmt_pct, fmt_threshold

__all__ = ["GazelleResult", "GazelleRules", "UnicornResult", "UnicornRules", "gazelle_check", "unicorn_check"]

_Rules = TypeVar("_Rules", bound="_RuleSet")


class _RuleSet:
    """JSON round trip shared by both rule sets: Decimals as strings, unknown keys refused in Chinese."""

    def to_dict(self) -> dict[str, Any]:
        """The rule set as JSON-ready values (Decimals as strings, ``None`` kept)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_dict(cls: type[_Rules], data: dict[str, Any]) -> _Rules:
        """Build a rule set from :meth:`to_dict`'s output; missing keys take the defaults.

        Raises
        ------
        EngineError
            Unknown key, or a value of the wrong kind, named in Chinese.
        """
        if not isinstance(data, dict):
            raise EngineError(f"{cls.__name__} 规则应为 JSON 对象")
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = [k for k in data if k not in fields]
        if unknown:
            raise EngineError(
                f"{cls.__name__} 规则中有未知项「{'、'.join(map(str, unknown))}」，可用项：{'、'.join(fields)}"
            )
        values: dict[str, Any] = {}
        defaults = cls()
        for name, value in data.items():
            default = getattr(defaults, name)
            values[name] = _coerce(cls.__name__, name, value, default)
        return cls(**values)


def _coerce(owner: str, name: str, value: Any, default: Any) -> Any:
    if value is None:
        return None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise EngineError(f"{owner} 规则「{name}」应为 true 或 false，实际为「{value}」")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise EngineError(f"{owner} 规则「{name}」应为非负整数，实际为「{value}」")
        return value
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise EngineError(f"{owner} 规则「{name}」应为数字，实际为「{value}」") from None
    if isinstance(value, bool) or not number.is_finite():
        raise EngineError(f"{owner} 规则「{name}」应为数字，实际为「{value}」")
    return number


@dataclass(frozen=True)
class GazelleRules(_RuleSet):
    """瞪羚 rule set.

    Parameters
    ----------
    max_age_years : int, default 10
        成立不超过 N 年 (a firm exactly N years old qualifies).
    min_revenue_growth : Decimal, default 0.20
        Minimum compound annual growth of 销售收入 from the first to the last of the three years
        (Y3 ≥ Y1 × (1 + g)²).
    alt_min_last_revenue : Decimal or None, default None
        If set (万元), a last-year 销售收入 at least this large passes the growth condition instead
        (the 啟信寶 variant uses 5,000).
    require_hightech : bool, default True
        Must hold a valid 高企 certificate.
    """

    max_age_years: int = 10
    min_revenue_growth: Decimal = Decimal("0.20")
    alt_min_last_revenue: Decimal | None = None
    require_hightech: bool = True


@dataclass(frozen=True)
class UnicornRules(_RuleSet):
    """独角兽 / 潜在独角兽 rule set (valuations in 亿美元).

    Parameters
    ----------
    max_age_years : int, default 10
        独角兽: 成立不超过 10 年.
    min_valuation_usd : Decimal, default 10
        独角兽: 估值超过（strictly above）10 亿美元.
    require_unlisted, require_private_equity : bool, default True
        未上市 (新三板 counts as unlisted) and 获得过私募投资; they apply to 潜在独角兽 as well.
    young_max_age_years : int, default 5; young_min_valuation_usd : Decimal, default 0.5
        潜在独角兽: 成立不超过 5 年、估值不低于 0.5 亿美元.
    older_max_age_years : int, default 9; older_min_valuation_usd : Decimal, default 1
        潜在独角兽: 成立 5–9 年、估值不低于 1 亿美元 (and not a 独角兽).
    """

    max_age_years: int = 10
    min_valuation_usd: Decimal = Decimal(10)
    require_unlisted: bool = True
    require_private_equity: bool = True
    young_max_age_years: int = 5
    young_min_valuation_usd: Decimal = Decimal("0.5")
    older_max_age_years: int = 9
    older_min_valuation_usd: Decimal = Decimal(1)


@dataclass(frozen=True)
class GazelleResult:
    """Whether the enterprise is a 瞪羚 under ``rules``, with the Chinese reasons (failures first)."""

    gazelle: bool
    reasons: list[str]
    rules: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UnicornResult:
    """独角兽 and 潜在独角兽 under ``rules``; ``None`` valuation or flags make both false with a reason."""

    unicorn: bool
    potential: bool
    reasons: list[str]
    rules: dict[str, Any] = field(default_factory=dict)


def _age_within(f: EnterpriseFigures, years: int) -> bool:
    return f.as_of <= add_years(f.founded, years)


def gazelle_check(figures: EnterpriseFigures, rules: GazelleRules | None = None) -> GazelleResult:
    """Evaluate the 瞪羚 rule set (defaults: ≥ 20 % a year, ≤ 10 years, a 高企)."""
    rules = rules or GazelleRules()
    f = figures
    failed: list[str] = []
    met: list[str] = []
    if _age_within(f, rules.max_age_years):
        met.append(f"成立于 {f.founded.isoformat()}，不超过 {rules.max_age_years} 年")
    else:
        failed.append(f"成立于 {f.founded.isoformat()}，已超过 {rules.max_age_years} 年")
    first, _, last = f.sales_revenue
    with localcontext(_CONTEXT):
        needed = first * (1 + rules.min_revenue_growth) ** 2
        grows = first > 0 and last >= needed
        cagr_text = fmt_pct(((last / first).sqrt() - 1) if first > 0 else None)
    alt = rules.alt_min_last_revenue is not None and last >= rules.alt_min_last_revenue
    if grows:
        met.append(f"近三年销售收入年均增长 {cagr_text}，不低于 {fmt_threshold(rules.min_revenue_growth)}")
    elif alt:
        met.append(
            f"上年销售收入 {fmt_money(last)} 万元，不低于 {fmt_money(rules.alt_min_last_revenue)} 万元"
        )
    elif first <= 0:
        failed.append("第一年销售收入为 0，无法计算近三年年均增长率")
    else:
        failed.append(
            f"近三年销售收入年均增长 {cagr_text}，低于 {fmt_threshold(rules.min_revenue_growth)} 的要求；"
            f"上年销售收入至少需 {fmt_money(needed, round_up=True)} 万元，还差 {fmt_money(needed - last, round_up=True)} 万元"
        )
    if rules.require_hightech and not f.direct.hightech_certificate:
        failed.append("不是高新技术企业（未持有有效的高企证书）")
    if f.serious_violation:
        failed.append("有重大安全、重大质量事故或严重环境违法记录")
    return GazelleResult(
        gazelle=not failed, reasons=[*failed, *met], rules=rules.to_dict(), failures=list(failed)
    )


def unicorn_check(figures: EnterpriseFigures, rules: UnicornRules | None = None) -> UnicornResult:
    """Evaluate the 独角兽 and 潜在独角兽 rule sets from ``valuation_usd``, ``listed``, ``private_equity``."""
    rules = rules or UnicornRules()
    f = figures
    base: list[str] = []
    if f.valuation_usd is None:
        base.append("未提供估值（valuation_usd，亿美元），无法判断")
    if rules.require_unlisted and f.listed is not False:
        base.append("已上市（新三板除外）" if f.listed else "未提供是否上市（listed），无法判断")
    if rules.require_private_equity and f.private_equity is not True:
        base.append(
            "未获得私募股权投资" if f.private_equity is False else "未提供是否获得私募投资（private_equity）"
        )
    if f.serious_violation:
        base.append("有重大安全、重大质量事故或严重环境违法记录")
    if base:
        return UnicornResult(unicorn=False, potential=False, reasons=base, rules=rules.to_dict())
    value = f.valuation_usd
    assert value is not None  # checked above
    unicorn_age = _age_within(f, rules.max_age_years)
    unicorn = unicorn_age and value > rules.min_valuation_usd
    young = _age_within(f, rules.young_max_age_years) and value >= rules.young_min_valuation_usd
    older = (
        not _age_within(f, rules.young_max_age_years)
        and _age_within(f, rules.older_max_age_years)
        and value >= rules.older_min_valuation_usd
    )
    potential = not unicorn and (young or older)
    reasons: list[str] = []
    if unicorn:
        reasons.append(
            f"估值 {value} 亿美元，超过 {rules.min_valuation_usd} 亿美元，成立不超过 {rules.max_age_years} 年：独角兽"
        )
    else:
        if not unicorn_age:
            reasons.append(f"成立已超过 {rules.max_age_years} 年，不是独角兽")
        else:
            reasons.append(
                f"估值 {value} 亿美元，未超过 {rules.min_valuation_usd} 亿美元，不是独角兽，"
                f"差 {rules.min_valuation_usd - value} 亿美元以上"
            )
        reasons.append("符合潜在独角兽条件" if potential else "不符合潜在独角兽条件（成立年限与估值不匹配）")
    return UnicornResult(unicorn=unicorn, potential=potential, reasons=reasons, rules=rules.to_dict())
