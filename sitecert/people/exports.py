"""Spreadsheets people download (openpyxl, write-only: rows stream out)."""

from openpyxl import Workbook

from sitecert.lib.idnumber import mask


def staff_workbook(rows, out) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("在岗人员")
    sheet.append(["姓名", "身份证号", "岗位", "起始日期", "截止日期", "证书编号", "证书状态", "在册状态"])
    for row in rows:
        entry = row.entry
        numbers = "、".join(c.certificate_no for c in row.certificates)
        status = "、".join(str(c.get_status_display()) for c in row.certificates) or "无证书"
        sheet.append(
            [
                entry.person.name,
                mask(entry.person.id_number),
                str(entry.post),
                entry.started_on,
                entry.ended_on,
                numbers,
                status,
                str(entry.get_status_display()),
            ]
        )
    book.save(out)
