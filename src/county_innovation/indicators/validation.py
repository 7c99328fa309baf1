"""Parsing and checking one entered value against its indicator; used by the form, the Excel import and the API."""

import re
from decimal import Decimal, InvalidOperation

from county_innovation.indicators.models import Indicator, ValueKind

# Largest value the DataValue column holds (max_digits=24, decimal_places=6).
MAX_ABS_VALUE = Decimal("1e17")
PERCENT_MAX = Decimal(100)

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class ValueProblem(ValueError):
    """A value that cannot be stored; the message is a Chinese clause describing what is wrong."""


def parse_value(indicator: Indicator, raw: object) -> Decimal | None:
    """Turn what a person typed (or a cell held) into a Decimal, or None for an empty entry.

    Raises ValueProblem with a Chinese reason when the text is not a number or breaks the indicator's range.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueProblem(f"应为数字，实际为「{raw}」")
    if isinstance(raw, int | float | Decimal):
        if isinstance(raw, float) and raw != raw:  # NaN
            return None
        text = repr(raw) if isinstance(raw, float) else str(raw)
    else:
        text = str(raw).strip().replace("，", ",").replace("％", "%")
        if text == "":
            return None
        if text.endswith("%") and indicator.value_kind == ValueKind.PERCENT:
            text = text[:-1].strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(f"应为数字，实际为「{raw}」") from None
    if not value.is_finite():
        raise ValueProblem(f"应为数字，实际为「{raw}」")
    if abs(value) >= MAX_ABS_VALUE:
        raise ValueProblem(f"数值「{raw}」过大，请检查单位（本指标单位为{indicator.unit}）")
    check_range(indicator, value)
    return value.quantize(Decimal("0.000001")) if value.as_tuple().exponent < -6 else value


def check_range(indicator: Indicator, value: Decimal) -> None:
    kind = indicator.value_kind
    if value < 0:
        label = {ValueKind.COUNT: "计数", ValueKind.PERCENT: "比重"}.get(kind, "该指标")
        raise ValueProblem(f"{label}不能为负数，实际为 {value}")
    if kind == ValueKind.COUNT and value != value.to_integral_value():
        raise ValueProblem(f"计数应为整数，实际为 {value}")
    if kind == ValueKind.PERCENT and value > PERCENT_MAX:
        raise ValueProblem(f"比重不能超过 100%，实际为 {value}（请填写百分数，如 2.5 表示 2.5%）")
