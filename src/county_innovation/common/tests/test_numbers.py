"""The one number parser: every hostile figure is refused in Chinese before any arithmetic, never a 500."""

import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from county_innovation.common.numbers import NumberProblem, integer_parse, number_parse, query_int

HOSTILE = [
    "1e1000000",
    "-1e1000000",
    "1e-1000000",
    "9" * 1_000_000,
    "1" + "0" * 5000 + ".5",
    "1e999999999999999999999",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-inf",
    "inf",
    "٣",  # an Arabic-Indic digit Decimal() would accept
    "1_000",
    "0x10",
    float("nan"),
    float("inf"),
    float("-inf"),
    Decimal("NaN"),
    Decimal("Infinity"),
    10**5000,
    True,
]


@pytest.mark.parametrize("raw", HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_numbers_are_refused_in_chinese(raw):
    with pytest.raises(NumberProblem) as refused:
        number_parse(raw, label="研发经费", max_abs=Decimal("1e17"), places=6)
    assert refused.value.message.startswith("「研发经费」")
    assert not refused.value.reason.isascii()
    assert len(refused.value.message) < 200  # the hostile text itself is never echoed whole


def test_a_million_digit_figure_is_refused_fast():
    started = time.perf_counter()
    with pytest.raises(NumberProblem, match="过长"):
        number_parse("9" * 1_000_000)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", Decimal(12)),
        ("１，２３４．５", Decimal("1234.5")),
        (" 1,234 ", Decimal(1234)),
        ("1.5e3", Decimal(1500)),
        (0.25, Decimal("0.25")),
        (7, Decimal(7)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_ordinary_numbers_are_read(raw, expected):
    assert number_parse(raw, places=2) == expected


def test_range_and_precision_of_the_field_are_enforced():
    with pytest.raises(NumberProblem, match="最多保留两位小数"):
        number_parse("1.005", places=2)
    with pytest.raises(NumberProblem, match="最多保留两位小数"):
        number_parse(0.1 + 0.2, places=2)
    assert number_parse("1.0000004", places=6, round_excess_places=True) == Decimal("1.000000")
    with pytest.raises(NumberProblem, match="过大"):
        number_parse("1e17", max_abs=Decimal("1e17"))
    with pytest.raises(NumberProblem, match="不能为负数"):
        number_parse("-1", min_value=0)
    with pytest.raises(NumberProblem, match="不能大于 100"):
        number_parse("100.5", max_value=100)
    with pytest.raises(NumberProblem, match="应为整数"):
        integer_parse("2.5")
    assert integer_parse("2.0") == 2


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2))
def test_every_two_place_decimal_round_trips(value):
    assert number_parse(str(value), places=2, max_abs=Decimal("1e13")) == value


@given(st.text(max_size=80))
def test_any_text_is_a_number_or_a_chinese_refusal(text):
    try:
        number_parse(text, places=6)
    except NumberProblem as problem:
        assert not problem.reason.isascii()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), ("", None), (None, None), ("²", None), ("9" * 20, None), ("-1", None), (" 7 ", 7)],
)
def test_query_ints_are_plain_digits_within_the_database_range(raw, expected):
    assert query_int(raw) == expected
