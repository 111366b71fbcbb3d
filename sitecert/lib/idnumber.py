"""Resident identity numbers, GB 11643-1999."""

import re
from datetime import date
from functools import lru_cache
from operator import getitem
from typing import NamedTuple

from sitecert.lib.textnorm import lost_digits

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# Per position, digit character -> weighted value: the checksum becomes a run of dictionary look-ups.
_TERMS = tuple({str(d): w * d for d in range(10)} for w in _WEIGHTS)
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")


_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)


class InvalidIdNumber(ValueError):
    """Raised with a reason code: format, check, birth_date, excel_number (a spreadsheet stored the number
    as a number and lost its last digits: nothing in the file says what they were)."""

    def __init__(self, code: str, expected: str = ""):
        super().__init__(code)
        self.code = code
        self.expected = expected


def check_character(first17: str) -> str:
    return _CHECK[sum(map(getitem, _TERMS, first17)) % 11]


def upgrade_15(number: str) -> str:
    """An old 15-digit number as 18 digits: century 19 inserted, check character computed."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


class IdNumber(NamedTuple):
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
    number = text.upper() if text.endswith("x") else text
    if _ID15.fullmatch(number):
        number = upgrade_15(number)
    elif not _ID18.fullmatch(number):
        raise InvalidIdNumber("format")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber("check", expected)
    born = _birth_date(number[6:14])
    if born is None:
        raise InvalidIdNumber("birth_date")
    return IdNumber(number, born)


def parse_cell(value: object, text: str) -> IdNumber:
    """An ID number from a spreadsheet cell: `value` as the reader gave it, `text` the cleaned cell.

    A numeric cell longer than 15 digits, a value in scientific notation, or an 18-digit value ending in
    000 whose check character fails are what Excel leaves of a number it rounded: refused as such, never
    read as another person's number and never answered with the check character that would "fix" it.
    """
    if lost_digits(value):
        raise InvalidIdNumber("excel_number")
    try:
        return parse(text)
    except InvalidIdNumber as exc:
        if (exc.code == "format" and _SCIENTIFIC.fullmatch(text)) or (
            exc.code == "check" and text.endswith("000")
        ):
            raise InvalidIdNumber("excel_number") from None
        raise


@lru_cache(maxsize=65536)  # a few tens of thousands of real birth dates cover a whole population
def _birth_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


def mask(number: str) -> str:
    """Keep the first 6 and last 4 characters: 120101********123X."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def build(area_code: str, born: date, sequence: int) -> str:
    """A well-formed number from its parts (area code, birth date, 3-digit sequence)."""
    first17 = f"{area_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
