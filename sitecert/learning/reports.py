"""Training institutions report offline training (线下培训): hours and assessment scores per learner.

The registry import's discipline: every row validated, a row-numbered report of the rejected ones, the good
ones written in one transaction, and the same report again changes nothing.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sitecert.errors import DomainError
from sitecert.learning.hooks import learning_refusals, progress_send
from sitecert.learning.models import Category, Course, HourEntry
from sitecert.learning.records import records_begin, records_by_number
from sitecert.lib import idnumber
from sitecert.lib.dates import parse_date
from sitecert.lib.textnorm import clean, clean_name
from sitecert.people.models import Organisation, User
from sitecert.uploads import UploadResult, id_excel_message, read_records

COLUMNS = {
    "id_number": ("身份证号", "身份证号码", "id_number"),
    "name": ("姓名", "name"),
    "certificate_no": ("证书编号", "certificate_no"),
    "course": ("课程代码", "course"),
    "hours": ("学时", "hours"),
    "category": ("类别", "category"),
    "completed_on": ("完成日期", "completed_on"),
    "score": ("考核成绩", "score"),
}
OPTIONAL = ("score",)
CATEGORY_WORDS = {
    "专业": Category.PROFESSIONAL,
    "专业岗位知识": Category.PROFESSIONAL,
    "professional": Category.PROFESSIONAL,
    "通用": Category.GENERAL,
    "通用知识": Category.GENERAL,
    "公共": Category.GENERAL,
    "general": Category.GENERAL,
}


def require_institution(institution: Organisation, by: User) -> None:
    if not institution.admits(by, Organisation.Kind.INSTITUTION):
        raise DomainError(_("只有已审核的培训机构可以上报学时"), code="forbidden", status=403)


def hour_report_import(
    *, institution: Organisation, by: User, path: Path | str, file_name: str, today: date, now: datetime
) -> UploadResult:
    require_institution(institution, by)
    with translation.override("zh-hans"):
        layout, rows = read_records(Path(path), file_name, COLUMNS, OPTIONAL)
        return hour_report_rows(
            institution=institution, rows=rows, today=today, now=now, column=layout.column
        )


def hour_report_rows(
    *,
    institution: Organisation,
    rows: list[tuple[int, dict]],
    today: date,
    now: datetime,
    column=lambda k: COLUMNS[k][0],
) -> UploadResult:
    """Validate and write reported rows (from a file or the API), all or the good ones, in one transaction."""
    result = UploadResult()
    courses = {
        c.code: c for c in Course.objects.filter(institution=institution, status=Course.Status.APPROVED)
    }
    records = records_by_number({clean(r.get("certificate_no")) for _n, r in rows})
    closed = dict(zip(records, learning_refusals(list(records.values()), today), strict=True))
    entries = []
    for row_no, row in rows:
        problems = _check(row, courses, records, today, closed)
        if problems:
            for key, code, message in problems:
                result.reject(row_no, column(key), code, message)
        else:
            entries.append(_entry(row, courses, records, institution))
    result.rejections.sort()
    with transaction.atomic():
        records_begin([entry.record for entry in entries], now=now)
        for entry in entries:
            _obj, created = HourEntry.objects.get_or_create(
                record=entry.record,
                course=entry.course,
                completed_on=entry.completed_on,
                defaults={
                    "category": entry.category,
                    "hours": entry.hours,
                    "source": entry.source,
                    "institution": institution,
                    "assessment_score": entry.assessment_score,
                },
            )
            result.created += created
            result.unchanged += not created
        progress_send(records={entry.record.pk for entry in entries}, on=today, now=now)
    return result


def _check(row: dict, courses: dict, records: dict, today: date, closed: dict) -> list[tuple[str, str, str]]:
    problems = []
    try:
        number = idnumber.parse_cell(row.get("id_number"), clean(row.get("id_number"))).value
    except idnumber.InvalidIdNumber as exc:
        number = None
        if exc.code == "excel_number":
            problems.append(("id_number", "id_excel_number", id_excel_message()))
        else:
            problems.append(("id_number", "id_number", _("身份证号不正确")))
    record = records.get(clean(row.get("certificate_no")))
    if record is None:
        problems.append(("certificate_no", "certificate_unknown", _("没有该证书编号（原证书或电子证书）")))
    elif number and (record.person.id_number != number or record.person.name != clean_name(row.get("name"))):
        problems.append(("certificate_no", "not_holder", _("该证书不属于此身份证号和姓名的人员")))
    elif reason := closed[clean(row.get("certificate_no"))]:
        problems.append(("certificate_no", "record_closed", reason))
    course = courses.get(clean(row.get("course")))
    if course is None:
        problems.append(("course", "course_unknown", _("不是本机构已审核的课程代码")))
    category = CATEGORY_WORDS.get(clean(row.get("category")).lower())
    if category is None:
        problems.append(("category", "category", _("类别应为“专业岗位知识”或“通用知识”")))
    elif course and category != course.category:
        problems.append(("category", "category_mismatch", _("类别与课程不一致")))
    if (
        course
        and record
        and course.category == Category.PROFESSIONAL
        and not course.posts.filter(pk=record.post_id).exists()
    ):
        problems.append(("course", "wrong_post", _("该课程不是此证书岗位的专业课程")))
    try:
        hours = Decimal(clean(row.get("hours")))
        if not 0 < hours <= (course.class_hours if course else 999):
            problems.append(("hours", "hours_range", _("学时应大于0且不超过课程学时")))
    except InvalidOperation:
        problems.append(("hours", "hours", _("学时应为数字")))
    try:
        day = parse_date(
            row.get("completed_on")
            if not isinstance(row.get("completed_on"), str)
            else clean(row.get("completed_on"))
        )
        if day > today:
            problems.append(("completed_on", "date_future", _("完成日期不能晚于今天")))
    except ValueError:
        problems.append(("completed_on", "date_format", _("完成日期无法识别")))
    score = clean(row.get("score"))
    if score and not (score.isdigit() and int(score) <= 100):
        problems.append(("score", "score", _("考核成绩应为0至100的整数")))
    return problems


def _entry(row: dict, courses: dict, records: dict, institution) -> HourEntry:
    raw_day = row.get("completed_on")
    score = clean(row.get("score"))
    return HourEntry(
        record=records[clean(row.get("certificate_no"))],
        course=courses[clean(row.get("course"))],
        category=CATEGORY_WORDS[clean(row.get("category")).lower()],
        hours=Decimal(clean(row.get("hours"))),
        completed_on=parse_date(raw_day if not isinstance(raw_day, str) else clean(raw_day)),
        source=HourEntry.Source.REPORT,
        institution=institution,
        assessment_score=int(score) if score else None,
    )
