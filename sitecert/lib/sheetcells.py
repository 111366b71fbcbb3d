"""Cells of the spreadsheets sitecert writes, safe to open (issue 14, formula injection).

Whatever a person typed (a name, an issuer, a course title) comes back in exports. A text that begins with
`= + - @`, a tab or a carriage return is what a spreadsheet evaluates as a formula (CSV on opening; an
.xlsx cell typed as a formula, or on a later edit): `=HYPERLINK("http://…","点击")` as a live link in an
employer's staff list. Such text is written as text: in .xlsx a string cell marked "quote prefix" (shown
as typed, kept text when edited), in CSV behind a leading apostrophe (what OWASP recommends).
"""

from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    return "'" + value if formula_like(value) else value  # type: ignore[operator]


def csv_row(row: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in row]


def xlsx_row(sheet, row: Sequence[object]) -> list[object]:
    """A row for `sheet.append` (openpyxl, write-only or not): formula-like text as a text cell."""
    if not any(map(formula_like, row)):
        return list(row)
    return [_text_cell(sheet, v) if formula_like(v) else v for v in row]


def _text_cell(sheet, text: object):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl types a leading "=" as a formula; this is text
    cell.quotePrefix = True
    return cell
