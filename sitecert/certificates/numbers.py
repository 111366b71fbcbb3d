"""E-certificate numbers: prefix, year of issue, a 7-digit serial and an ISO 7064 MOD 37-36 check character,
e.g. TJ20200000123K: readable aloud, typed without ambiguity, a single typo is caught."""

import unicodedata

from django.db import transaction
from stdnum.iso7064 import mod_37_36

from sitecert.certificates.models import NumberSequence


def numbers_allocate(*, prefix: str, year: int, count: int) -> list[str]:
    """`count` fresh numbers; callers queue on the sequence row, so two issuers never share a number."""
    key = f"{prefix}{year}"
    with transaction.atomic():
        NumberSequence.objects.get_or_create(key=key)
        sequence = NumberSequence.objects.select_for_update().get(key=key)
        first = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
    return [_with_check(f"{key}{serial:07d}") for serial in range(first, first + count)]


def _with_check(body: str) -> str:
    return body + mod_37_36.calc_check_digit(body)


def number_clean(text: str) -> str:
    """As people type it: full-width forms, lower case, spaces and hyphens are accepted."""
    text = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in text if ch.isalnum())


def number_valid(number: str) -> bool:
    return len(number) >= 8 and number.isascii() and mod_37_36.is_valid(number)
