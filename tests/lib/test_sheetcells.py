import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from sitecert.lib.sheetcells import csv_row, formula_like, xlsx_row

HYPERLINK = '=HYPERLINK("http://example.invalid/","点击")'


@pytest.mark.parametrize("text", [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_what_a_spreadsheet_would_evaluate_is_formula_like(text):
    assert formula_like(text)


@pytest.mark.parametrize("value", ["王芳", "TJ2020000123K", "", None, -5, 3.5])
def test_other_values_are_left_alone(value):
    assert not formula_like(value)
    assert csv_row([value]) == [value]


def test_csv_cells_are_written_behind_an_apostrophe():
    out = io.StringIO()
    csv.writer(out).writerow(csv_row(["王芳", HYPERLINK, 7]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["王芳", "'" + HYPERLINK, "7"]


@pytest.mark.parametrize("write_only", [True, False])
def test_xlsx_cells_are_text_with_a_quote_prefix(tmp_path, write_only):
    book = Workbook(write_only=write_only)
    if not write_only:
        book.remove(book.active)
    sheet = book.create_sheet("x")
    sheet.append(xlsx_row(sheet, ["王芳", HYPERLINK, "-1", 3]))
    book.save(tmp_path / "x.xlsx")
    cells = load_workbook(tmp_path / "x.xlsx").active[1]
    assert [c.value for c in cells] == ["王芳", HYPERLINK, "-1", 3]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n"]
    assert cells[1].quotePrefix and cells[2].quotePrefix
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
