"""Unified social credit codes (统一社会信用代码), GB 32100-2015."""

import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_FORM = re.compile(rf"[1-9ANY][1-9][0-9]{{6}}[{CHARSET}]{{10}}")


class InvalidUscc(ValueError):
    """Raised with a reason code: format or check (with the expected character)."""

    def __init__(self, code: str, expected: str = ""):
        super().__init__(code)
        self.code = code
        self.expected = expected


def check_character(first17: str) -> str:
    remainder = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 31
    return CHARSET[(31 - remainder) % 31]


def parse(text: str) -> str:
    """The code in upper case, or InvalidUscc."""
    code = text.strip().upper()
    if not _FORM.fullmatch(code):
        raise InvalidUscc("format")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUscc("check", expected)
    return code


def build(first17: str) -> str:
    return first17 + check_character(first17)
