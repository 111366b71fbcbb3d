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


# -- spreadsheet cells (issue 14) ---------------------------------------------------------------------

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")  # how OOXML writes a control character: _x000D_ is CR
# Whatever in a text cell needs more than clean(): export prefixes, line breaks, OOXML escapes.
_FIXABLE = re.compile(r"^\s*(?:['`]|=\")|[\r\n]|_x[0-9A-Fa-f]{4}_")


def needs_fix(text: str) -> bool:
    return _FIXABLE.search(text) is not None


def fix_text(text: str) -> str:
    """A text cell as the person who made it meant it: OOXML escapes decoded, line breaks inside the cell
    removed (wrapped text, not data), and the prefixes system exports add to keep a number as text
    (`'`, a back-tick, `="…"`) taken off."""
    text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    text = text.replace("\r", "").replace("\n", "").strip()
    if text.startswith('="') and text.endswith('"') and len(text) > 2:
        return text[2:-1]
    if text[:1] in ("'", "`"):
        return text[1:]
    return text


def header_key(value: object) -> str:
    """A header cell as compared with the accepted names: `姓  名`, `身份证\\n号码`, `*姓名` all match."""
    text = "".join(clean(value).split()).lower()
    return text.lstrip("*").removesuffix("(必填)").removesuffix("*")


FOOTERS = (
    "合计",
    "总计",
    "小计",
    "共计",
    "总数",
    "制表",
    "填表",
    "审核",
    "复核",
    "负责人",
    "打印",
    "备注",
    "注:",
)
FOOTER_START = frozenset([word[0] for word in FOOTERS] + [" ", "\u3000", "\t"])


def is_footer(first: str) -> bool:
    """Whether a row whose first filled cell is `first` is a totals or signature row (合计…, 制表人：…)."""
    return "".join(clean(first).split()).startswith(FOOTERS)
