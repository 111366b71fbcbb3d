"""Normalisation of text cells, personal names and post names (docs/rules.md, "Reading registry files")."""

import re
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


_DASHES = re.compile(r"[-－—–_~～·]+")
_SPACES = re.compile(r"\s+")
_BRACKETS = str.maketrans("[【〔〖<《", "((((((") | str.maketrans("]】〕〗>》", "))))))")
_WITH_SPECIALTY = re.compile(r"([^()-]+?)[(-]([^()-]+)\)?")


def canonical_post(text: object) -> str:
    """One spelling for every form: "施工员（土建）", "施工员(土建)", "施工员-土建" all become "施工员(土建)"."""
    t = _DASHES.sub("-", _SPACES.sub("", clean(text))).translate(_BRACKETS)
    if m := _WITH_SPECIALTY.fullmatch(t):
        return f"{m[1]}({m[2]})"
    return t
