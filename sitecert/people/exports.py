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
        "证书编号",
        "证书状态",
        "电子证书编号",
        "换证情况",
    ]
    sheet.append(xlsx_row(sheet, [*header, "在册状态"]))
    for row in rows:
        entry = row.entry
        numbers = "、".join(c.certificate_no for c in row.certificates)
        status = "、".join(str(c.get_status_display()) for c in row.certificates) or "无证书"
        exchanges = [x for _c, x in row.exchanges]
        ecerts = "、".join(x.ecertificate.number for x in exchanges if x.exchanged)
        progress = "；".join("；".join(x.blocking) for x in exchanges if not x.exchanged)
        sheet.append(
            xlsx_row(
                sheet,
                [
                    entry.person.name,
                    mask(entry.person.id_number),
                    str(entry.post),
                    entry.started_on,
                    entry.ended_on,
                    numbers,
                    status,
                    ecerts,
                    progress,
                    str(entry.get_status_display()),
                ],
            )
        )
    book.save(out)
