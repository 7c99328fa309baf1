"""The 统一社会信用代码 check (GB 32100-2015), used by the model field, the forms and the services."""

from django.core.exceptions import ValidationError

# GB 32100-2015《法人和其他组织统一社会信用代码编码规则》第4.1条与附录A（校验码计算）：代码字符集为
# 阿拉伯数字和不含 I、O、Z、S、V 的大写英文字母，共31个字符，各字符代码值依次为 0–30。
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015 附录A：第1–17位的加权因子 W_i = 3^(i-1) mod 31。
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18


def credit_code_check_character(first17: str) -> str:
    """The 18th character for the first 17: C18 = 31 − (Σ C_i·W_i mod 31), where 31 becomes 0."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    value = 31 - total % 31
    return CREDIT_CODE_ALPHABET[0 if value == 31 else value]


def credit_code_problem(code: str) -> str | None:
    """The Chinese reason why ``code`` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != CREDIT_CODE_LENGTH:
        return f"统一社会信用代码应为18位，「{code}」为{len(code)}位。"
    for position, ch in enumerate(code, start=1):
        if ch not in CREDIT_CODE_ALPHABET:
            return (
                f"统一社会信用代码第{position}位「{ch}」不是允许的字符"
                "（只能是数字和除 I、O、Z、S、V 以外的大写字母）。"
            )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        return (
            f"统一社会信用代码「{code}」的校验位不正确：按 GB 32100-2015 计算，第18位应为「{expected}」，"
            f"实际为「{code[17]}」。请核对营业执照上的代码。"
        )
    return None


def normalise_credit_code(code: str) -> str:
    """Upper-case and without surrounding or inner spaces, as people copy it from a licence."""
    return "".join(code.split()).upper()


def validate_credit_code(code: str) -> None:
    problem = credit_code_problem(code)
    if problem:
        raise ValidationError(problem, code="credit_code")
