"""The one parser of every number a person or a file hands the platform (data values, enterprise figures,
funding amounts, targets, scores, weights), so that no entry path does arithmetic on something unchecked.

``number_parse`` refuses, with a Chinese clause, whatever is not a finite number within the field's range and
precision: words, NaN and Infinity, huge exponents (``1e1000000`` would raise ``decimal.Overflow``) and
million-digit figures (refused by their length before ``Decimal()`` sees them).
"""

from __future__ import annotations

import re
from decimal import Decimal, DecimalException, localcontext

from county_innovation.common.errors import DomainError

# A figure longer than this is not something anyone typed; refused before it is converted (「1,234,567,890.123456」
# is 20 characters).
MAX_NUMBER_TEXT = 64
# An integer handed over already as an int (JSON, calamine) is refused above this many bits before Decimal().
MAX_INT_BITS = 256
# Exponents past this are refused outright: no field of the platform comes near 10^100.
MAX_EXPONENT_DIGITS = 3

# Full-width forms (U+FF01–U+FF5E: 「１２３」「－」「，」「．」「％」) map to ASCII as NFKC maps them; the ideographic
# space, the minus sign (U+2212) and the ideographic full stop some input methods type are added. Only these,
# not all of NFKC, so that "10²" is not read as 102.
_ASCII = str.maketrans(
    {**{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}, "\u3000": " ", "\u2212": "-", "\u3002": "."}
)
# ASCII digits only: Decimal() would also take Arabic-Indic or Devanagari digits.
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?$")
_THOUSANDS = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")


class NumberProblem(DomainError, ValueError):
    """A number that cannot be accepted; ``reason`` is the Chinese clause without the field's name
    (「应为数字，实际为「约300万」」), ``message`` the sentence with it."""

    def __init__(self, reason: str, label: str = "") -> None:
        self.reason = reason
        super().__init__(f"「{label}」{reason}。" if label else reason)


def normalise_number_text(text: str) -> str:
    """Full-width digits, signs and separators (「１２３」「－１，２３４．５」「８０％」) as ASCII; trimmed."""
    return text.translate(_ASCII).strip()


def _shown(raw: object) -> str:
    text = str(raw) if not isinstance(raw, int) or raw.bit_length() <= MAX_INT_BITS else "（位数过多的整数）"
    return text if len(text) <= 30 else f"{text[:20]}…（共 {len(text)} 个字符）"


def _format_limit(limit: Decimal) -> str:
    return f"{limit:,f}".rstrip("0").rstrip(".") if "." in f"{limit:f}" else f"{limit:,f}"


def number_parse(
    raw: object,
    *,
    label: str = "",
    unit: str = "",
    max_abs: Decimal | int | str = Decimal("1e17"),
    min_value: Decimal | int | str | None = None,
    max_value: Decimal | int | str | None = None,
    places: int | None = None,
    integer: bool = False,
    percent_sign: bool = False,
    round_excess_places: bool = False,
    expected: str = "",
) -> Decimal | None:
    """Parse one number; None for an empty entry (None, "" or blanks); raise NumberProblem otherwise.

    Parameters
    ----------
    raw : text as typed or read from a cell (thousands separators and full-width forms accepted), an int,
        a float (as Excel stores numbers), or a Decimal.
    label, unit : the field's Chinese name and unit, used in the messages.
    max_abs : the largest magnitude the field holds (its database column); beyond it the value is refused.
    min_value, max_value : the field's own range (0 for counts, 100 for a percentage…), both inclusive.
    places : decimal places the field keeps; more are refused, or rounded when ``round_excess_places`` (data
        values, whose column keeps 6).
    integer : refuse a fractional value.
    percent_sign : accept a trailing 「%」.
    expected : what the refusal says the field should hold (default 「数字」, or 「整数」 when ``integer``).
    """
    expected = expected or ("整数" if integer else "数字")
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberProblem(f"应为{expected}，实际为「{raw}」", label)
    if isinstance(raw, int):
        if raw.bit_length() > MAX_INT_BITS:
            raise NumberProblem(f"数值过大（{_shown(raw)}），请检查单位{_unit_hint(unit)}", label)
        value = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise NumberProblem(f"应为有限的{expected}，实际为「{raw}」", label)
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NumberProblem(f"应为有限的{expected}，实际为「{raw}」", label)
        if raw.adjusted() > 10**MAX_EXPONENT_DIGITS:
            raise NumberProblem(f"数值过大，请检查单位{_unit_hint(unit)}", label)
        value = raw
    else:
        value = _text_parse(str(raw), label=label, unit=unit, percent_sign=percent_sign, expected=expected)
        if value is None:
            return None
    return _range_check(
        value,
        raw=raw,
        label=label,
        unit=unit,
        max_abs=Decimal(max_abs),
        min_value=None if min_value is None else Decimal(min_value),
        max_value=None if max_value is None else Decimal(max_value),
        places=places,
        integer=integer,
        round_excess=round_excess_places,
    )


def _unit_hint(unit: str) -> str:
    return f"（本项单位为{unit}）" if unit else ""


def _text_parse(raw: str, *, label: str, unit: str, percent_sign: bool, expected: str) -> Decimal | None:
    if len(raw) > MAX_NUMBER_TEXT * 4:  # judged before any copy or translation of a million-character text
        raise NumberProblem(f"应为{expected}，实际为 {len(raw)} 个字符的文本，过长", label)
    text = normalise_number_text(raw)
    if text == "":
        return None
    if len(text) > MAX_NUMBER_TEXT:
        raise NumberProblem(f"应为{expected}，实际为 {_shown(text)}，超过 {MAX_NUMBER_TEXT} 个字符", label)
    if percent_sign and text.endswith("%"):
        text = text[:-1].strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    match = _NUMBER.match(text)
    if not match:
        raise NumberProblem(f"应为{expected}，实际为「{_shown(raw)}」", label)
    exponent = match.group(1)
    if exponent is not None and len(exponent.lstrip("+-").lstrip("0")) > MAX_EXPONENT_DIGITS:
        raise NumberProblem(f"数值「{_shown(raw)}」超出可登记的范围，请检查单位{_unit_hint(unit)}", label)
    try:
        return Decimal(text)
    except DecimalException:  # not reachable after the checks above; kept so nothing leaks as a 500
        raise NumberProblem(f"应为{expected}，实际为「{_shown(raw)}」", label) from None


def _range_check(
    value: Decimal,
    *,
    raw: object,
    label: str,
    unit: str,
    max_abs: Decimal,
    min_value: Decimal | None,
    max_value: Decimal | None,
    places: int | None,
    integer: bool,
    round_excess: bool,
) -> Decimal:
    if abs(value) >= max_abs:
        raise NumberProblem(
            f"数值「{_shown(raw)}」过大，超出可登记的范围，请检查单位{_unit_hint(unit)}", label
        )
    if integer and value != value.to_integral_value():
        raise NumberProblem(f"应为整数，实际为 {_shown(raw)}", label)
    if places is not None and value.normalize().as_tuple().exponent < -places:  # type: ignore[operator]
        # A float's binary noise (0.1 + 0.2 = 0.30000000000000004) is refused like typed digits: the figure
        # the person meant is not known.
        if not round_excess:
            raise NumberProblem(f"最多保留{_places_word(places)}位小数，实际为 {_shown(raw)}", label)
        with localcontext(prec=MAX_NUMBER_TEXT + 1000):  # room for any value this parser lets through
            value = value.quantize(Decimal(1).scaleb(-places))
    if min_value is not None and value < min_value:
        if min_value == 0:
            raise NumberProblem(f"不能为负数，实际为 {value}", label)
        raise NumberProblem(f"不能小于 {_format_limit(min_value)}，实际为 {value}", label)
    if max_value is not None and value > max_value:
        raise NumberProblem(f"不能大于 {_format_limit(max_value)}，实际为 {value}", label)
    return value


def _places_word(places: int) -> str:
    return "两" if places == 2 else "一二三四五六七八九"[places - 1] if 1 <= places <= 9 else f" {places} "


def integer_parse(raw: object, **kwargs: object) -> int | None:
    """``number_parse(..., integer=True)`` as an int (counts, years, employees)."""
    value = number_parse(raw, integer=True, **kwargs)  # type: ignore[arg-type]
    return None if value is None else int(value)


# The largest id or count a query string may carry: the BigAutoField ceiling (PostgreSQL bigint, SQLite).
MAX_QUERY_INT = 2**63 - 1
_ASCII_DIGITS = re.compile(r"^[0-9]{1,19}$")


def query_int(value: object, *, max_value: int = MAX_QUERY_INT) -> int | None:
    """An id, a year or a page number from a query string or a form's hidden field; None when it is not
    plain ASCII digits within ``max_value`` (「²」 passes ``str.isdigit`` yet ``int()`` refuses it, and a
    20-digit id overflows the database's integer), so that the caller falls back as for a missing value."""
    text = str(value or "").strip()
    if not _ASCII_DIGITS.match(text):
        return None
    number = int(text)
    return number if number <= max_value else None
