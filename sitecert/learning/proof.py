"""Proof of hours (学时证明): a one-page PDF per certificate and year, in Chinese with an embedded CJK font
subset, listing courses and hours by category, the assessment result, and a QR code of its verification page."""

import io
from datetime import date

from django.core import signing
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sitecert.learning.assessments import assessment_passed
from sitecert.learning.models import Category, HourEntry, TrainingRecord
from sitecert.lib.idnumber import mask
from sitecert.pdfkit import cjk_font, draw_qr

SALT = "sitecert.proof-of-hours"


def proof_token(*, record: TrainingRecord, number: str, year: int) -> str:
    """What a proof's QR code carries, signed: the record, the certificate number printed, the year."""
    return signing.dumps({"r": record.pk, "c": number, "y": year}, salt=SALT, compress=True)


def proof_token_read(token: str) -> tuple[int, str, int] | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return data.get("r", 0), data["c"], data["y"]


def proof_of_hours_pdf(
    *, record: TrainingRecord, number: str, year: int, verify_url: str, today: date
) -> bytes:
    """The proof of one record's hours in one year; `number` is the certificate the record is known by."""
    font = cjk_font()
    entries = (
        HourEntry.objects.filter(record=record, completed_on__year=year)
        .select_related("course", "institution")
        .order_by("completed_on")
    )
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("继续教育学时证明"))
    width, height = A4
    y = height - 30 * mm
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, y, _("继续教育学时证明"))
    pdf.setFont(font, 11)
    holder = record.person
    lines = [
        _("姓名：%(name)s　　身份证号：%(id)s") % {"name": holder.name, "id": mask(holder.id_number)},
        _("证书编号：%(no)s　　岗位：%(post)s") % {"no": number, "post": record.post},
        _("年度：%(year)d") % {"year": year},
    ]
    for line in lines:
        y -= 9 * mm
        pdf.drawString(20 * mm, y, line)
    y -= 12 * mm
    columns = (20, 95, 125, 145, 170)
    for x, text in zip(columns, (_("课程"), _("类别"), _("学时"), _("完成日期"), _("来源")), strict=True):
        pdf.drawString(x * mm, y, text)
    totals = {Category.PROFESSIONAL: 0, Category.GENERAL: 0}
    for entry in entries:
        y -= 7 * mm
        totals[entry.category] += entry.hours
        cells = (
            entry.course.title[:18],
            entry.get_category_display(),
            str(entry.hours),
            entry.completed_on.isoformat(),
            entry.get_source_display(),
        )
        for x, text in zip(columns, cells, strict=True):
            pdf.drawString(x * mm, y, str(text))
    y -= 12 * mm
    pdf.drawString(
        20 * mm,
        y,
        _("合计：专业岗位知识 %(p)s 学时，通用知识 %(g)s 学时，共 %(t)s 学时")
        % {"p": totals[Category.PROFESSIONAL], "g": totals[Category.GENERAL], "t": sum(totals.values())},
    )
    passed = assessment_passed(record=record, until=today)
    y -= 9 * mm
    pdf.drawString(
        20 * mm,
        y,
        _("考核：%(result)s")
        % {
            "result": _("%(score)d 分，通过（%(day)s）") % {"score": passed.score, "day": passed.on}
            if passed
            else _("尚未通过")
        },
    )
    draw_qr(pdf, verify_url, x=width - 60 * mm, y=25 * mm, size=40 * mm)
    pdf.setFont(font, 9)
    pdf.drawString(20 * mm, 30 * mm, _("出具日期：%(day)s") % {"day": today.isoformat()})
    pdf.drawString(20 * mm, 24 * mm, _("扫描二维码核验；以系统在线记录为准。"))
    pdf.showPage()
    pdf.save()
    return out.getvalue()
