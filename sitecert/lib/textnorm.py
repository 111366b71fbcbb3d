"""Normalisation of text cells and personal names (DOMAIN.md, "Reading registry files")."""

import re
import unicodedata

# Everything people type as the middle dot of a minority name, after NFKC (which turns ． into ".").
_NAME_DOTS = str.maketrans({c: "·" for c in "•・･‧.．"})
_WHITESPACE = re.compile(r"\s+")


def clean(value: object) -> str:
    """NFKC, then strip surrounding white space (U+3000 becomes a plain space under NFKC)."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def clean_name(value: object) -> str:
    """A person's name: NFKC, no white space anywhere, one kind of middle dot."""
    return _WHITESPACE.sub("", clean(value)).translate(_NAME_DOTS)


def name_problem(name: str) -> str | None:
    """Why a cleaned name is not acceptable, or None."""
    if not 2 <= len(name) <= 40:
        return "length"
    if any(c.isdigit() for c in name):
        return "digits"
    return None
