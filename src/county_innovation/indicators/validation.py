"""Parsing and checking one entered value against its indicator; used by the form, the Excel import and the API."""

import re
from decimal import Decimal, InvalidOperation

from county_innovation.indicators.models import Indicator, ValueKind

# Largest value the DataValue column holds (max_digits=24, decimal_places=6).
MAX_ABS_VALUE = Decimal("1e17")
PERCENT_MAX = Decimal(100)

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# Full-width forms (U+FF01–U+FF5E: 「１２３」「－」「，」「．」「％」) map to ASCII as NFKC maps them; the ideographic
# space, the minus sign (U+2212) and the ideographic full stop some input methods type are added. Only these,
# not all of NFKC, so that "10²" is not read as 102.
_ASCII = str.maketrans(
    {**{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}, "\u3000": " ", "\u2212": "-", "\u3002": "."}
)


def normalise_number_text(text: str) -> str:
    """Full-width digits, signs and separators (「１２３」「－１，２３４．５」「８０％」) as ASCII; trimmed.

    Chinese input methods in full-width mode type these, so a figure is read the same however it was
    typed. Text that is not a number (「约300万」) keeps its words.
    """
    return text.translate(_ASCII).strip()


class ValueProblem(ValueError):
    """A value that cannot be stored; the message is a Chinese clause describing what is wrong."""


def parse_value(indicator: Indicator, raw: object) -> Decimal | None:
    """Turn what a person typed (or a cell held) into a Decimal, or None for an empty entry.

    Text may use thousands separators ("1,234.5") and full-width characters ("１２３" → 123); a percent
    indicator may end in "%". Raises ValueProblem with a Chinese reason when the text is not a number
    ("约300万") or breaks the indicator's range.
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
        text = normalise_number_text(str(raw))
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
