"""Parsing and checking one entered value against its indicator; used by the form, the Excel import and the API."""

from decimal import Decimal

from county_innovation.common.numbers import NumberProblem, normalise_number_text, number_parse
from county_innovation.indicators.models import Indicator, ValueKind

# Largest value the DataValue column holds (max_digits=24, decimal_places=6).
MAX_ABS_VALUE = Decimal("1e17")
VALUE_PLACES = 6
PERCENT_MAX = Decimal(100)

__all__ = [
    "MAX_ABS_VALUE",
    "PERCENT_MAX",
    "ValueProblem",
    "check_range",
    "normalise_number_text",
    "parse_value",
]


class ValueProblem(ValueError):
    """A value that cannot be stored; the message is a Chinese clause describing what is wrong."""


def parse_value(indicator: Indicator, raw: object) -> Decimal | None:
    """Turn what a person typed (or a cell held) into a Decimal, or None for an empty entry.

    Every entry path (grid, CSV, Excel, API, import) comes through here, and through ``common.numbers``
    before any arithmetic. Text may use thousands separators ("1,234.5") and full-width characters
    ("１２３" → 123); a percent indicator may end in "%". Raises ValueProblem with a Chinese reason when the
    text is not a finite number ("约300万", "NaN", "1e1000000") or breaks the indicator's range; decimals
    beyond the column's six places are rounded.
    """
    try:
        value = number_parse(
            raw,
            unit=indicator.unit,
            max_abs=MAX_ABS_VALUE,
            places=VALUE_PLACES,
            round_excess_places=True,
            percent_sign=indicator.value_kind == ValueKind.PERCENT,
        )
    except NumberProblem as problem:
        raise ValueProblem(problem.reason) from None
    if value is None:
        return None
    check_range(indicator, value)
    return value


def check_range(indicator: Indicator, value: Decimal) -> None:
    kind = indicator.value_kind
    if value < 0:
        label = {ValueKind.COUNT: "计数", ValueKind.PERCENT: "比重"}.get(kind, "该指标")
        raise ValueProblem(f"{label}不能为负数，实际为 {value}")
    if kind == ValueKind.COUNT and value != value.to_integral_value():
        raise ValueProblem(f"计数应为整数，实际为 {value}")
    if kind == ValueKind.PERCENT and value > PERCENT_MAX:
        raise ValueProblem(f"比重不能超过 100%，实际为 {value}（请填写百分数，如 2.5 表示 2.5%）")
