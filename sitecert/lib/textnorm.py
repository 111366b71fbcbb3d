"""Normalisation of text cells and personal names (DOMAIN.md, "Reading registry files")."""

import unicodedata

# Everything people type as the middle dot of a minority name, after NFKC (which turns ． into ".").
_NAME_DOTS = str.maketrans({c: "·" for c in "•・･‧.．"})


def clean(value: object) -> str:
    """NFKC, then strip surrounding white space (U+3000 included). A whole-number float, as Excel
    gives back a number typed into a cell, loses its ".0"."""
    if type(value) is not str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    if value.isascii():  # ASCII is its own NFKC form: the common case, kept fast
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def lost_digits(value: object) -> bool:
    """Whether a numeric cell cannot hold the identifier it was meant to: past 15 significant digits a
    spreadsheet number has rounded the last ones away."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return abs(value) >= 10**15 or not float(value).is_integer()
    return False


def clean_name(value: object) -> str:
    """A person's name: NFKC, no white space anywhere, one kind of middle dot."""
    name = clean(value)
    if name.isalpha():  # most names: nothing to remove or replace
        return name
    return "".join(name.split()).translate(_NAME_DOTS)


def name_problem(name: str) -> str | None:
    """Why a cleaned name is not acceptable, or None."""
    if not 2 <= len(name) <= 40:
        return "length"
    if not name.isalpha() and any(c.isdigit() for c in name):
        return "digits"
    return None
