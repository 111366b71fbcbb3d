"""Spreadsheets people download (openpyxl, write-only: rows stream out)."""

from openpyxl import Workbook

from sitecert.lib.idnumber import mask
from sitecert.lib.sheetcells import xlsx_row


def staff_workbook(rows, out) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("在岗人员")
    header = [
        "姓名",
        "身份证号",
        "岗位",
        "起始日期",
        "截止日期",
        "电子证书编号",
        "电子证书状态",
        "原证书编号",
        "原证书状态",
        "换证情况",
    ]
    sheet.append(xlsx_row(sheet, [*header, "在册状态"]))
    for row in rows:
        entry = row.entry
        ecert = row.ecertificate
        numbers = "、".join(c.certificate_no for c in row.certificates)
        status = "、".join(
            shown.label + (f"（{shown.reason}）" if shown.reason else "") for _c, shown, _x in row.lines
        )
        progress = "；".join("；".join(x.blocking) for _c, _s, x in row.lines if x and not x.exchanged)
        sheet.append(
            xlsx_row(
                sheet,
                [
                    entry.person.name,
                    mask(entry.person.id_number),
                    str(entry.post),
                    entry.started_on,
                    entry.ended_on,
                    ecert.number if ecert else "",
                    str(ecert.get_status_display()) if ecert else "",
                    numbers,
                    status or ("" if ecert else "无证书"),
                    progress,
                    entry.state_label,
                ],
            )
        )
    book.save(out)


ROSTER_HEADER = ["身份证号", "姓名", "岗位", "专业", "起始日期", "截止日期"]


def roster_workbook(entries, out) -> None:
    """The employer's roster in the very columns the roster upload reads, so that it can be edited and sent
    back: an HR clerk's way to end entries or add people in Excel. ID numbers are in full: the employer
    entered them, and the upload needs them; the file is the employer's own list."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("在岗人员名单")
    sheet.append(xlsx_row(sheet, ROSTER_HEADER))
    for entry in entries:
        sheet.append(
            xlsx_row(
                sheet,
                [
                    entry.person.id_number,
                    entry.person.name,
                    str(entry.post),
                    "",
                    entry.started_on,
                    entry.ended_on,
                ],
            )
        )
    book.save(out)
