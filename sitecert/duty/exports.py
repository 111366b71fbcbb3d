"""The dashboards' figures as spreadsheets (openpyxl): an employer's staff duty list, the region's tables
with a native Excel chart on each sheet."""

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from sitecert.duty.selectors import DUTY_STATES, state_rows
from sitecert.lib.idnumber import mask
from sitecert.lib.sheetcells import xlsx_row


def staff_duty_workbook(rows, out) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("继续教育")
    sheet.append(
        xlsx_row(
            sheet,
            [
                "风险",
                "姓名",
                "身份证号",
                "岗位",
                "电子证书编号",
                "状态",
                "周期",
                "周期已完成学时",
                "周期要求学时",
                "还需学时",
                "截止日期",
                "本年度学时",
                "本年度专业岗位知识学时",
                "周期内在岗记录",
                "说明",
            ],
        )
    )
    for row in rows:
        s = row.standing
        sheet.append(
            xlsx_row(
                sheet,
                [
                    row.risk_label,
                    row.entry.person.name,
                    mask(row.entry.person.id_number),
                    str(row.entry.post),
                    row.certificate.number,
                    str(s.state_label),
                    s.window.label,
                    float(s.window_hours),
                    s.policy.window_hours,
                    float(s.window_short),
                    s.window.ends,
                    float(s.year.hours),
                    float(s.year.professional),
                    "有" if s.in_post else "无",
                    "；".join(s.lines),
                ],
            )
        )
    book.save(out)


def region_workbook(figures: dict, out) -> None:
    book = Workbook()
    book.remove(book.active)
    progress = figures["exchange"]
    sheet = book.create_sheet("换证进度")
    sheet.append(xlsx_row(sheet, ["月份", "累计换发", "换证范围内"]))
    for month, n in progress["cumulative"]:
        sheet.append(xlsx_row(sheet, [month.strftime("%Y-%m"), n, progress["scope"]]))
    sheet.append(xlsx_row(sheet, []))
    sheet.append(xlsx_row(sheet, ["换证截止日期", progress["closes"]]))
    sheet.append(xlsx_row(sheet, ["已换发 / 范围内", progress["exchanged"], progress["scope"]]))
    _chart(sheet, "换证进度（累计）", rows=len(progress["cumulative"]), columns=2)
    for title, table in (("按岗位", figures["by_post"]), ("按地区", figures["by_district"])):
        _state_sheet(book, title, table)
    sheet = book.create_sheet("失效预测")
    sheet.append(xlsx_row(sheet, ["周期到期月份", "尚缺学时或不在岗（不补足将失效）", "周期到期"]))
    for month, short, ending in figures["forecast"]:
        sheet.append(xlsx_row(sheet, [month.strftime("%Y-%m"), short, ending]))
    _chart(sheet, "未来一年周期到期", rows=len(figures["forecast"]), columns=2)
    book.save(out)


def _state_sheet(book, title: str, table) -> None:
    sheet = book.create_sheet(title)
    sheet.append(xlsx_row(sheet, [title[1:], *[str(label) for _code, label in DUTY_STATES], "合计"]))
    for name, values, total in state_rows(table):
        sheet.append(xlsx_row(sheet, [name, *values, total]))
    _chart(sheet, f"电子证书{title}", rows=len(table), columns=len(DUTY_STATES), stacked=True)


def _chart(sheet, title: str, *, rows: int, columns: int, stacked: bool = False) -> None:
    if not rows:
        return
    chart = BarChart()
    chart.title = title
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    data = Reference(sheet, min_col=2, max_col=1 + columns, min_row=1, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.width, chart.height = 24, 12
    sheet.add_chart(chart, f"{chr(ord('A') + columns + 2)}2")
