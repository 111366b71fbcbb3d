"""The corpus of tests/fixtures/office/ (issue 14): files made by LibreOffice, xlsxwriter, openpyxl and
system exports, each imported as the authority imports it and compared, row by row, with expected.json.

`scripts/make-office-fixtures` remakes the files and the expectations. For every accepted row the stored
certificate equals what a person reading the file sees; every other row is rejected, skipped or counted
as a duplicate exactly as expected; a refused file leaves nothing written.
"""

import json
import time
from datetime import date
from pathlib import Path

import pytest

from sitecert.registry.importing import registry_import
from sitecert.registry.models import ImportBatch, ImportRejection, LegacyCertificate
from sitecert.uploads import FileRefused
from tests.conftest import NOW, TODAY

OFFICE = Path(__file__).resolve().parent.parent / "fixtures" / "office"
EXPECTED = json.loads((OFFICE / "expected.json").read_text(encoding="utf-8"))
REGISTRY_FILES = sorted(name for name, e in EXPECTED.items() if e["import"] == "registry")
EXCEL_NUMBER = "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出"

pytestmark = pytest.mark.django_db


def stored(certificate_no: str) -> dict:
    c = LegacyCertificate.objects.select_related("holder", "post").get(certificate_no=certificate_no)
    return {
        "certificate_no": c.certificate_no,
        "name": c.holder.name,
        "id_number": c.holder.id_number,
        "post": c.post.code,
        "issued_on": c.issued_on.isoformat() if isinstance(c.issued_on, date) else c.issued_on,
        "issuer": c.issuer,
        "status": c.status,
    }


@pytest.mark.parametrize("name", [n for n in REGISTRY_FILES if "refused" not in EXPECTED[n]])
def test_each_row_of_an_office_file_is_imported_as_expected(name):
    spec = EXPECTED[name]
    result = registry_import(path=OFFICE / name, today=TODAY, now=NOW)
    rejected: dict[int, set[str]] = {}
    for row, code in ImportRejection.objects.filter(batch=result.batch).values_list("row_number", "code"):
        rejected.setdefault(row, set()).add(code)
    accepted = {}
    for row, outcome in spec["rows"].items():
        if "accepted" in outcome:
            accepted[outcome["accepted"]["certificate_no"]] = outcome["accepted"]
            assert int(row) not in rejected, (row, rejected.get(int(row)))
        elif "rejected" in outcome:
            assert rejected.get(int(row)) == set(outcome["rejected"]), row
        elif "skipped" in outcome:
            assert f"第{row}行是合计或表尾说明，已跳过" in result.notes
            assert int(row) not in rejected
    assert set(rejected) == {int(r) for r, o in spec["rows"].items() if "rejected" in o}
    # Nothing else is stored, and what is stored is what the file says.
    assert set(LegacyCertificate.objects.values_list("certificate_no", flat=True)) == set(accepted)
    for number, values in accepted.items():
        assert stored(number) == values
    duplicates = sum("duplicate" in o for o in spec["rows"].values())
    assert result.counts["duplicate"] == duplicates
    assert result.counts["rejected"] == len(rejected)
    for key, value in spec.get("counts", {}).items():
        assert result.counts[key] == value
    if "sheet" in spec:
        assert f"读取工作表“{spec['sheet']}”，表头在第{spec['header_row']}行" in result.notes


def test_the_excel_message_is_the_one_a_clerk_can_act_on():
    result = registry_import(path=OFFICE / "lo-numeric-ids.xlsx", today=TODAY, now=NOW)
    messages = set(ImportRejection.objects.filter(batch=result.batch).values_list("message", flat=True))
    assert messages == {EXCEL_NUMBER}  # never "校验位错误，应为N", which invites fixing the last digit


def test_rows_of_a_hidden_sheet_are_not_imported():
    registry_import(path=OFFICE / "hidden-first-sheet.xlsx", today=TODAY, now=NOW)
    absent = EXPECTED["hidden-first-sheet.xlsx"]["absent"]
    assert not LegacyCertificate.objects.filter(certificate_no__in=absent).exists()


def test_a_file_without_a_header_says_what_was_looked_for_and_where():
    with pytest.raises(FileRefused) as exc:
        registry_import(path=OFFICE / "no-header.xlsx", today=TODAY, now=NOW)
    assert exc.value.message == "文件“no-header.xlsx”：" + EXPECTED["no-header.xlsx"]["message"]
    assert not ImportBatch.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    started = time.perf_counter()
    with pytest.raises(FileRefused) as exc:
        registry_import(path=OFFICE / "zip-bomb.xlsx", today=TODAY, now=NOW)
    assert time.perf_counter() - started < 0.5
    assert exc.value.code == "bomb"
    assert "zip-bomb.xlsx" in exc.value.message and "xl/sharedStrings.xml" in exc.value.message
    assert not ImportBatch.objects.exists()


def test_the_rejection_report_lists_the_copy_of_a_rejected_row(tmp_path):
    report = tmp_path / "report.csv"
    with report.open("w", encoding="utf-8-sig", newline="") as out:
        registry_import(path=OFFICE / "rejected-copies.csv", today=TODAY, now=NOW, report=out)
    rows = [line.split(",")[0] for line in report.read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert rows == ["2", "3", "4"]


def test_the_command_says_which_sheet_and_row_it_read(capsys):
    from django.core.management import call_command

    call_command("import_registry", str(OFFICE / "title-rows.xlsx"), "--as-of", TODAY.isoformat())
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "读取工作表“证书台账”，表头在第4行"
    assert json.loads(out[-1])["created"] == 4


def test_the_command_refuses_a_bomb_with_exit_status_2_naming_the_file():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as exc:
        call_command("import_registry", str(OFFICE / "zip-bomb.xlsx"))
    assert exc.value.returncode == 2
    assert str(exc.value).startswith("文件“zip-bomb.xlsx”：Excel 文件的压缩比异常（xl/sharedStrings.xml ")
