"""Formula injection (issue 14): what people typed comes back in exports as text, never as a formula."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from sitecert.uploads import report_write

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x.cn","点击")'  # fits a name's 40 characters


def test_a_name_written_as_a_formula_comes_back_as_text_in_the_staff_export(client, personas):
    person = personas.holder.person
    person.name = HYPERLINK
    person.save()
    client.force_login(personas.employer_admin)
    export = client.get("/org/staff.xlsx").content
    cell = load_workbook(io.BytesIO(export)).active["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (HYPERLINK, "s", True)
    with zipfile.ZipFile(io.BytesIO(export)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_the_rejection_report_writes_formula_like_cells_behind_an_apostrophe():
    out = io.StringIO()
    report_write(
        [(2, "岗位", "post_unknown", "=1+1"), (3, "姓名", "name_length", "姓名应为2至40个字符")], out
    )
    assert out.getvalue().splitlines()[1:] == [
        "2,岗位,post_unknown,'=1+1",
        "3,姓名,name_length,姓名应为2至40个字符",
    ]
