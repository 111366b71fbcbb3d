"""Resident identity numbers, GB 11643-1999."""

import re
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")


class InvalidIdNumber(ValueError):
    """Raised with a reason code: format, check, birth_date."""

    def __init__(self, code: str, expected: str = ""):
        super().__init__(code)
        self.code = code
        self.expected = expected


def check_character(first17: str) -> str:
    return _CHECK[sum(w * int(d) for w, d in zip(_WEIGHTS, first17, strict=True)) % 11]


def upgrade_15(number: str) -> str:
    """An old 15-digit number as 18 digits: century 19 inserted, check character computed."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date

    @property
    def area_code(self) -> str:
        return self.value[:6]

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def parse(text: str) -> IdNumber:
    """Validate an already NFKC-cleaned ID number; a lower-case x is read as X."""
    number = text.upper()
    if _ID15.fullmatch(number):
        number = upgrade_15(number)
    elif not _ID18.fullmatch(number):
        raise InvalidIdNumber("format")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber("check", expected)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("birth_date") from None
    return IdNumber(number, born)


def mask(number: str) -> str:
    """Keep the first 6 and last 4 characters: 120101********123X."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def build(area_code: str, born: date, sequence: int) -> str:
    """A well-formed number from its parts (area code, birth date, 3-digit sequence)."""
    first17 = f"{area_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
