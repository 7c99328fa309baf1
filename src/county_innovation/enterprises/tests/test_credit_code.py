"""The 统一社会信用代码 check character of GB 32100-2015, on real-format codes."""

import random

import pytest

from county_innovation.enterprises.demo import demo_credit_code, organisation_code
from county_innovation.enterprises.tests.conftest import VALID_CODE, VALID_CODE_2
from county_innovation.enterprises.validators import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_character,
    credit_code_problem,
)
from county_innovation.regions.models import Region


def test_alphabet_has_31_characters_without_i_o_z_s_v():
    assert len(CREDIT_CODE_ALPHABET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_ALPHABET)


@pytest.mark.parametrize("code", [VALID_CODE, VALID_CODE_2])
def test_real_codes_with_correct_check_character_pass(code):
    assert credit_code_problem(code) is None


def test_check_character_is_computed_from_the_weights_by_hand():
    # 9·1 + 1·3 + 1·9 + 1·27 + 0·19 + 1·26 + 0·16 + 8·17 + 5·20 + 5·29 + 1·25 + 3·13 + 8·8 + 5·24 + 0·10
    # + 8·30 + 2·28 = 999; 999 mod 31 = 7; 31 − 7 = 24, and the 25th character (value 24) is Q.
    assert credit_code_check_character("91110108551385082") == "Q"
    assert credit_code_check_character("91440300192203821") == "6"


def test_changed_last_character_is_refused_naming_the_expected_one():
    problem = credit_code_problem(VALID_CODE[:17] + "7")
    assert problem is not None
    assert "第18位应为「6」" in problem and "实际为「7」" in problem


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91440300192203821", "应为18位"),
        ("91440300192203821I", "第18位「I」不是允许的字符"),
        ("", "应为18位"),
    ],
)
def test_wrong_length_or_character_is_refused(code, words):
    assert words in credit_code_problem(code)


def test_organisation_code_check_matches_real_codes():
    assert organisation_code("19220382") == "192203821"
    assert organisation_code("55138508") == "551385082"


@pytest.mark.django_db
def test_demo_codes_are_valid(nanchang):
    rng = random.Random(1)
    town = Region.objects.get(code="360121100")
    for _ in range(200):
        assert credit_code_problem(demo_credit_code(rng, town)) is None
