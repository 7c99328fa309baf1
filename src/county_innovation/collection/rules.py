"""Validation rules (校验规则): the checks a framework asks for on top of the per-value ones.

``indicators.validation.parse_value`` already refuses text, negatives and shares over 100 % value by value;
this module checks values against each other: required, range, A ≤ factor × B, change from last year and
outliers among peers. The grid, the imports and the API call ``check_values`` with the values as they will
stand after the write; findings come back as Chinese sentences, never exceptions.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast

from county_innovation.collection.models import ValidationRule
from county_innovation.indicators.models import DataValue, Framework, Indicator, Origin
from county_innovation.indicators.selectors import framework_indicators

Kind = ValidationRule.Kind
Severity = ValidationRule.Severity

STAGES = ("save", "submit")

# Default thresholds of the collection procedure: a change beyond ±50 % from last year warns; outliers by z-score.
DEFAULT_CHANGE_PERCENT = Decimal(50)
DEFAULT_Z_LIMIT = Decimal(3)
# The robust z limit of Iglewicz & Hoaglin (1993), "How to Detect and Handle Outliers", on the modified z-score.
ROBUST_Z_LIMIT = 3.5
ROBUST_Z_SCALE = 0.6745  # Φ⁻¹(0.75): makes the MAD comparable with a standard deviation for normal data
MIN_PEERS = 5  # fewer values (the region itself included) say nothing about what is unusual

# A query with more region codes than this filters by level instead of listing the codes (SQLite variables).
_IN_LIST_LIMIT = 500
# Floating-point candidates of the change rule are confirmed in Decimal, so a change of exactly the threshold
# never warns; this margin only widens the candidate set.
_FLOAT_MARGIN = 1e-9


@dataclass(frozen=True)
class Finding:
    """One broken rule for one value: where, how serious, and a Chinese sentence that says it all."""

    region_code: str
    indicator_code: str
    severity: str  # "error" | "warning"
    message: str
    rule_id: int | None


# --------------------------------------------------------------------------------------------------- formats


def format_number(value: Decimal | float | int, unit: str = "") -> str:
    """``Decimal("12000")``, "万元" → "12,000 万元"; a percent reads "12.5%"."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    elif isinstance(value, int):
        value = Decimal(value)
    text = format(value.normalize(), ",f")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def named(indicator: Indicator) -> str:
    return f"「{indicator.name}」"


def _with_note(text: str, rule: ValidationRule) -> str:
    return f"{text}。{rule.message}" if rule.message else text


# ---------------------------------------------------------------------------------------------------- reads


def rules_for(framework: Framework) -> list[ValidationRule]:
    """The framework's active rules, with their indicators, in kind order."""
    return list(
        ValidationRule.objects.filter(framework=framework, active=True)
        .select_related("indicator", "other")
        .order_by("kind", "pk")
    )


def reported_of(indicators: list[Indicator]) -> list[Indicator]:
    return [i for i in indicators if i.origin == Origin.REPORTED]


def _targets(rule: ValidationRule, reported: list[Indicator]) -> list[Indicator]:
    """The indicators a rule applies to: its own, or every reported indicator of the framework."""
    if rule.indicator_id is not None:
        return [rule.indicator]
    return reported


def _stored(
    *, period: int, indicators: dict[int, str], level: str, region_codes: list[str] | None
) -> pd.DataFrame:
    """Stored values of one period in one query: columns region, code, value (float).

    ``region_codes`` None reads every region of ``level``; a long list also reads by level and filters here.
    """
    qs = DataValue.objects.filter(period=period, indicator_id__in=list(indicators))
    if region_codes is not None and len(region_codes) <= _IN_LIST_LIMIT:
        qs = qs.filter(region_id__in=region_codes)
    else:
        qs = qs.filter(region__level=level)
    # Run the ORM's SQL on a plain cursor: tens of thousands of rows without per-row converters.
    sql, params = (
        qs.annotate(v=Cast("value", FloatField()))
        .values_list("region_id", "indicator_id", "v")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    regions, ids, values = zip(*rows, strict=True) if rows else ((), (), ())
    frame = pd.DataFrame(
        {
            "region": np.array(regions, dtype=object),
            "code": pd.Series(np.array(ids, dtype=np.int64)).map(indicators).to_numpy(dtype=object),
            "value": np.array(values, dtype=float),  # None becomes NaN
        }
    )
    keep = ~np.isnan(frame["value"].to_numpy())
    if region_codes is not None and len(region_codes) > _IN_LIST_LIMIT:
        keep &= frame["region"].isin(set(region_codes)).to_numpy()
    return frame[keep]


# ----------------------------------------------------------------------------------------------- the checks


def check_values(
    *,
    framework: Framework,
    period: int,
    values: dict[tuple[str, str], Decimal | None],
    regions: list[str] | None = None,
    stage: str = "save",
    indicators: list[str] | None = None,
) -> list[Finding]:
    """Check values against the framework's active rules.

    Parameters
    ----------
    values : {(region code, indicator code): value}
        The values as they will stand after the write being checked (stored merged with new); None is empty.
    regions : region codes to report on; default every region present in ``values``.
    stage : "save" checks range and cross rules at their severity and returns change and outlier findings as
        warnings; "submit" checks everything, required included, at each rule's severity.
    indicators : indicator codes to report on (e.g. one owner's part of a submission); default all.

    Returns
    -------
    Findings ordered by region, indicator and rule; an empty list when everything passes.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    rules = rules_for(framework)
    if not rules:
        return []
    all_regions = regions is None
    if regions is None:
        regions = sorted({r for r, _ in values})
    all_indicators = framework_indicators(framework)
    reported = reported_of(all_indicators)
    if indicators is not None:
        wanted = set(indicators)
        reported_scope = [i for i in reported if i.code in wanted]
    else:
        wanted = None
        reported_scope = reported
    ctx = _Context(framework, period, values, regions, stage, wanted, all_regions)

    findings: list[Finding] = []
    by_kind: dict[str, list[ValidationRule]] = defaultdict(list)
    for rule in rules:
        by_kind[rule.kind].append(rule)
    if stage == "submit":
        for rule in by_kind[Kind.REQUIRED]:
            findings += _check_required(ctx, rule, _in_scope(_targets(rule, reported_scope), wanted))
    for rule in by_kind[Kind.RANGE]:
        findings += _check_range(ctx, rule)
    if by_kind[Kind.CROSS]:
        published = _published(ctx, by_kind[Kind.CROSS])
        for rule in by_kind[Kind.CROSS]:
            findings += _check_cross(ctx, rule, published)
    if by_kind[Kind.CHANGE]:
        findings += _check_change(ctx, by_kind[Kind.CHANGE], reported_scope)
    if by_kind[Kind.OUTLIER]:
        findings += _check_outliers(ctx, by_kind[Kind.OUTLIER], reported_scope)
    order = {code: n for n, code in enumerate(i.code for i in all_indicators)}
    findings.sort(key=lambda f: (f.region_code, order.get(f.indicator_code, len(order)), f.rule_id or 0))
    return findings


def _in_scope(targets: list[Indicator], wanted: set[str] | None) -> list[Indicator]:
    return targets if wanted is None else [i for i in targets if i.code in wanted]


class _Context:
    """What every check reads: the values, the regions reported on, the stage."""

    def __init__(
        self,
        framework: Framework,
        period: int,
        values: dict[tuple[str, str], Decimal | None],
        regions: list[str],
        stage: str,
        wanted: set[str] | None,
        all_regions: bool,
    ) -> None:
        self.framework = framework
        self.period = period
        self.values = values
        self.regions = regions
        self.stage = stage
        self.wanted = wanted
        self.all_regions = all_regions
        self._table: pd.DataFrame | None = None

    def table(self) -> pd.DataFrame:
        """The values as columns: region, code, value (float, NaN when empty), checked (region reported on)."""
        if self._table is None:
            keys = list(self.values)
            regions = [r for r, _ in keys]
            table = pd.DataFrame(
                {
                    "region": regions,
                    "code": [c for _, c in keys],
                    "value": np.array(
                        [np.nan if v is None else float(v) for v in self.values.values()], dtype=float
                    ),
                }
            )
            table["checked"] = True if self.all_regions else table["region"].isin(set(self.regions))
            self._table = table
        return self._table

    def severity(self, rule: ValidationRule) -> str:
        """Change and outlier findings only warn while saving; everything else keeps its rule's severity."""
        if self.stage == "save" and rule.kind in (Kind.CHANGE, Kind.OUTLIER):
            return Severity.WARNING.value
        return rule.severity

    def finding(self, region: str, indicator: Indicator, rule: ValidationRule, text: str) -> Finding:
        return Finding(region, indicator.code, self.severity(rule), _with_note(text, rule), rule.pk)


def _check_required(ctx: _Context, rule: ValidationRule, targets: list[Indicator]) -> list[Finding]:
    out = []
    for region in ctx.regions:
        for ind in targets:
            if ctx.values.get((region, ind.code)) is None:
                out.append(ctx.finding(region, ind, rule, f"{named(ind)}为必填项，尚未填写"))
    return out


def _check_range(ctx: _Context, rule: ValidationRule) -> list[Finding]:
    ind = rule.indicator
    if ind is None or (ctx.wanted is not None and ind.code not in ctx.wanted):
        return []
    low, high = rule.min_value, rule.max_value
    out = []
    for region in ctx.regions:
        value = ctx.values.get((region, ind.code))
        if value is None:
            continue
        if low is not None and value < low:
            text = f"{named(ind)}{format_number(value, ind.unit)}低于下限 {format_number(low, ind.unit)}"
        elif high is not None and value > high:
            text = f"{named(ind)}{format_number(value, ind.unit)}超过上限 {format_number(high, ind.unit)}"
        else:
            continue
        out.append(ctx.finding(region, ind, rule, text))
    return out


def _published(ctx: _Context, rules: list[ValidationRule]) -> dict[tuple[str, str], Decimal]:
    """Stored values of the registry indicators that cross rules compare with (nobody types them in)."""
    wanted = {
        ind.pk: ind.code
        for rule in rules
        for ind in (rule.indicator, rule.other)
        if ind is not None and ind.origin == Origin.REGISTRY
    }
    if not wanted:
        return {}
    qs = DataValue.objects.filter(period=ctx.period, indicator_id__in=list(wanted))
    if len(ctx.regions) <= _IN_LIST_LIMIT:
        qs = qs.filter(region_id__in=ctx.regions)
    else:
        qs = qs.filter(region__level=ctx.framework.level)
    return {(r, wanted[i]): v for r, i, v in qs.values_list("region_id", "indicator_id", "value")}


def _check_cross(
    ctx: _Context, rule: ValidationRule, published: dict[tuple[str, str], Decimal]
) -> list[Finding]:
    """A ≤ factor × B; either side may be a registry indicator, whose published value is read from the store.

    The finding goes to A, or to B when A is not typed in, so it lands on a value someone can correct.
    """
    a, b = rule.indicator, rule.other
    if a is None or b is None:
        return []
    if ctx.wanted is not None and a.code not in ctx.wanted and b.code not in ctx.wanted:
        return []
    target = a if a.origin == Origin.REPORTED else b
    out = []
    for region in ctx.regions:
        va, vb = _value_of(ctx, published, region, a), _value_of(ctx, published, region, b)
        if va is None or vb is None:
            continue
        bound = rule.factor * vb
        if va <= bound:
            continue
        shown_a = f"{named(a)}{format_number(va, a.unit)}"
        shown_b = f"{named(b)}{format_number(vb, b.unit)}"
        if rule.factor == 1:
            text = f"{shown_a}超过{shown_b}（应不大于）"
        elif rule.factor == unit_factor(a, b):  # the factor only converts B's unit into A's
            text = f"{shown_a}超过{shown_b}（合 {format_number(bound, a.unit)}，应不大于）"
        else:
            factor = format_number(rule.factor)
            text = f"{shown_a}超过{shown_b}的 {factor} 倍即 {format_number(bound, a.unit)}（应不大于）"
        out.append(ctx.finding(region, target, rule, text))
    return out


def _value_of(
    ctx: _Context, published: dict[tuple[str, str], Decimal], region: str, indicator: Indicator
) -> Decimal | None:
    key = (region, indicator.code)
    if key not in ctx.values and indicator.origin == Origin.REGISTRY:
        return published.get(key)
    return ctx.values.get(key)


def _per_indicator(
    ctx: _Context, rules: list[ValidationRule], reported: list[Indicator]
) -> dict[str, tuple[Indicator, ValidationRule]]:
    """Which rule speaks for each indicator: an indicator's own rule wins over a framework-wide one."""
    chosen: dict[str, tuple[Indicator, ValidationRule]] = {}
    for rule in rules:
        for ind in _in_scope(_targets(rule, reported), ctx.wanted):
            if ind.code not in chosen or rule.indicator_id is not None:
                chosen[ind.code] = (ind, rule)
    return chosen


def _check_change(ctx: _Context, rules: list[ValidationRule], reported: list[Indicator]) -> list[Finding]:
    """Change from last year's stored value beyond ±threshold %; skipped when last year is 0 or missing.

    Floats find the candidates for all values at once; each candidate is confirmed in Decimal, so a change of
    exactly the threshold never warns.
    """
    chosen = _per_indicator(ctx, rules, reported)
    if not chosen:
        return []
    now = ctx.table()
    now = now[now["checked"] & now["code"].isin(chosen.keys())]
    if now.empty:
        return []
    last = _stored(
        period=ctx.period - 1,
        indicators={ind.pk: code for code, (ind, _) in chosen.items()},
        level=ctx.framework.level,
        region_codes=ctx.regions,
    )
    both = now.merge(last.rename(columns={"value": "before"}), on=["region", "code"])
    both = both[both["before"] != 0]
    limits = {
        code: rule.threshold if rule.threshold is not None else DEFAULT_CHANGE_PERCENT
        for code, (_, rule) in chosen.items()
    }
    limit = both["code"].map({code: float(v) for code, v in limits.items()}).to_numpy(dtype=float)
    x, before = both["value"].to_numpy(), both["before"].to_numpy()
    ratio = np.abs(x - before) / np.abs(before) * 100.0
    candidates = both[ratio > limit * (1 - _FLOAT_MARGIN)]
    out = []
    for region, code, before_f in zip(
        candidates["region"], candidates["code"], candidates["before"], strict=True
    ):
        ind, rule = chosen[code]
        value = ctx.values[(region, code)]
        previous = Decimal(repr(before_f))
        percent = (value - previous) / abs(previous) * 100
        if abs(percent) <= limits[code]:
            continue  # exactly at the threshold is allowed
        direction = "增长" if percent > 0 else "下降"
        text = (
            f"{named(ind)}{format_number(value, ind.unit)}较上年 {format_number(previous, ind.unit)}"
            f"{direction} {format_number(abs(percent).quantize(Decimal('0.01')))}%，"
            f"超过 ±{format_number(limits[code])}% 的提示阈值，请核实并填写说明"
        )
        out.append(ctx.finding(region, ind, rule, text))
    return out


def _check_outliers(ctx: _Context, rules: list[ValidationRule], reported: list[Indicator]) -> list[Finding]:
    """Values far from their peers' (every region of the framework's level with a value this period).

    Two views, either of which flags: the z-score against mean and standard deviation (limit: the rule's
    threshold, default 3), and the robust z of Iglewicz & Hoaglin against median and MAD (limit 3.5, or the
    threshold when higher). Skipped with fewer than ``MIN_PEERS`` values or a MAD of 0.
    """
    chosen = _per_indicator(ctx, rules, reported)
    if not chosen:
        return []
    table = ctx.table()
    table = table[table["code"].isin(chosen.keys())]
    stored = _stored(
        period=ctx.period,
        indicators={ind.pk: code for code, (ind, _) in chosen.items()},
        level=ctx.framework.level,
        region_codes=None,
    )
    # Peers: the values being checked (an empty one removes its stored value) and the other stored values.
    given = pd.MultiIndex.from_frame(table[["region", "code"]])
    others = stored[~pd.MultiIndex.from_frame(stored[["region", "code"]]).isin(given)]
    peers = pd.concat([table.loc[table["value"].notna(), ["code", "value"]], others[["code", "value"]]])
    if peers.empty:
        return []
    groups = peers.groupby("code")["value"]
    stats = pd.DataFrame({"n": groups.size(), "mean": groups.mean(), "sd": groups.std(ddof=0)})
    stats["median"] = groups.median()
    peers = peers.join(stats["median"], on="code")
    stats["mad"] = (peers["value"] - peers["median"]).abs().groupby(peers["code"]).median()
    stats = stats[(stats["n"] >= MIN_PEERS) & (stats["mad"] > 0)]
    checked = table[table["checked"] & table["value"].notna() & table["code"].isin(stats.index)]
    if checked.empty:
        return []
    checked = checked.join(stats, on="code")
    x = checked["value"].to_numpy()
    sd = checked["sd"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (x - checked["mean"].to_numpy()) / sd, 0.0)
    robust = ROBUST_Z_SCALE * (x - checked["median"].to_numpy()) / checked["mad"].to_numpy()
    limits = {
        code: float(rule.threshold if rule.threshold is not None else DEFAULT_Z_LIMIT)
        for code, (_, rule) in chosen.items()
    }
    z_limit = checked["code"].map(limits).to_numpy(dtype=float)
    # A raised threshold raises the robust limit too, so a skewed indicator can be quietened with one number.
    robust_limit = np.maximum(z_limit, ROBUST_Z_LIMIT)
    flagged = np.flatnonzero((np.abs(z) > z_limit) | (np.abs(robust) > robust_limit))
    regions, codes = checked["region"].to_numpy(), checked["code"].to_numpy()
    medians, counts = checked["median"].to_numpy(), checked["n"].to_numpy()
    out = []
    for n in flagged:
        ind, rule = chosen[codes[n]]
        value = ctx.values[(regions[n], codes[n])]
        side = "偏高" if x[n] > medians[n] else "偏低"
        text = (
            f"{named(ind)}{format_number(value, ind.unit)}与同级 {int(counts[n])} 个地区相比明显{side}"
            f"（中位数 {format_number(_round(float(medians[n])), ind.unit)}，z 分数 {z[n]:.1f}，"
            f"稳健 z 分数 {robust[n]:.1f}），请核实"
        )
        out.append(ctx.finding(str(regions[n]), ind, rule, text))
    return out


def _round(x: float) -> Decimal:
    """A float statistic shown to people: at most 2 decimals, no float noise."""
    return Decimal(repr(x)).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------------------------------- writes

# Unit conversions to bring B into A's unit for the default cross rules.
_AMOUNT_UNITS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000)}

# Part ≤ whole pairs of the default frameworks, by indicator code or name: (part, whole).
# 全社会R&D经费支出 ≤ 地区生产总值 applies only when the framework has a GDP indicator; the defaults in
# indicators/defaults.py have none, and no other pair of their indicators is a part and its whole.
DEFAULT_CROSS_PAIRS: list[tuple[str, tuple[str, ...]]] = [
    ("rd_expenditure", ("gdp", "地区生产总值")),
]


def find_indicator(indicators: list[Indicator], keys: tuple[str, ...]) -> Indicator | None:
    for ind in indicators:
        if ind.code in keys or ind.name in keys:
            return ind
    return None


def unit_factor(part: Indicator, whole: Indicator) -> Decimal | None:
    """How many of the part's unit one unit of the whole is; None when the units cannot be compared."""
    if part.unit == whole.unit:
        return Decimal(1)
    if part.unit in _AMOUNT_UNITS and whole.unit in _AMOUNT_UNITS:
        return _AMOUNT_UNITS[whole.unit] / _AMOUNT_UNITS[part.unit]
    return None
