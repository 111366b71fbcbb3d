"""A certificate by training (职业培训取证, docs/rules.md, "After the round"): whoever has no valid e-certificate
of a post (a new entrant, a holder who missed the exchange, a holder whose certificate lapsed) gets one when an
approved training institution reports that they passed the post's vocational-training examination. The new
e-certificate is of the same kind as an exchanged one; it continues the training record of the lapsed
e-certificate it replaces, or of the old certificate voided by its round, or begins one for the post; its
yearly duty starts on 1 January of the following year. The same report again returns the same certificate."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sitecert.certificates.exchange import SYSTEM, ecertificates_create
from sitecert.certificates.models import ECertificate, Examination
from sitecert.errors import DomainError
from sitecert.learning.records import record_for_legacy, record_for_post
from sitecert.learning.reports import require_institution
from sitecert.lib import idnumber
from sitecert.lib.dates import parse_date
from sitecert.lib.textnorm import clean, clean_name, name_problem
from sitecert.people.models import Organisation, User
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import LegacyCertificate, Person, Post
from sitecert.registry.posts import PostResolver
from sitecert.uploads import UploadResult, read_records


@dataclass(frozen=True)
class ExamReport:
    """What an institution reports: who passed which post's examination, when, with what score."""

    id_number: str
    name: str
    post: str  # code or name, e.g. "safety" or "安全员" or "施工员（土建）"
    examined_on: date
    score: int


@dataclass(frozen=True)
class Issued:
    ecertificate: ECertificate
    created: bool  # False: the same report came before, and this is its certificate


def training_certificate_issue(
    *, institution: Organisation, by: User, report: ExamReport, today: date, now: datetime
) -> Issued:
    """Issue the e-certificate a passed examination earns, exactly once; refusals name the field."""
    require_institution(institution, by)
    number, name, post = _checked(report, today)
    if not institution.examination_posts.filter(pk=post.pk).exists():
        raise DomainError(
            _("本机构未获批组织%(post)s的职业培训考核") % {"post": post},
            code="not_approved",
            field="post",
            status=403,
        )
    with transaction.atomic():
        person = _person(number, name)
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one issuance per person at a time
        exam, _new = Examination.objects.get_or_create(
            institution=institution,
            person=person,
            post=post,
            examined_on=report.examined_on,
            defaults={"score": report.score, "reported_at": now, "reported_by": by},
        )
        if done := ECertificate.objects.filter(examination=exam).first():
            return Issued(done, created=False)
        if valid := _valid(person, post):
            raise DomainError(
                _("此人已有有效的%(post)s电子证书 %(no)s，无需重新取证") % {"post": post, "no": valid.number},
                code="valid_exists",
                field="post",
                status=409,
            )
        return Issued(_issue(person, post, exam, institution, today, now), created=True)


def _issue(
    person: Person, post: Post, exam: Examination, institution, today: date, now: datetime
) -> ECertificate:
    lapsed = (
        ECertificate.objects.filter(
            holder=person, post=post, status=ECertificate.Status.LAPSED, replaced_by=None
        )
        .order_by("-status_since")
        .first()
    )
    if lapsed is not None:
        record = lapsed.record
    elif legacy := LegacyCertificate.objects.filter(holder=person, post=post).order_by("-issued_on").first():
        record = record_for_legacy(legacy, now=now)  # the old certificate its round voided
    else:
        record = record_for_post(person=person, post=post, now=now)
    policy = policy_in_force(on=today)
    new = ECertificate(
        holder=person,
        post=post,
        record=record,
        replaces=lapsed,
        examination=exam,
        policy=policy,
        issuer=policy.issuing_authority,
        issued_on=today,
        status_since=today,
        created_at=now,
    )
    detail = {
        "replaces": lapsed.number if lapsed else None,
        "institution": institution.uscc,
        "examined_on": exam.examined_on.isoformat(),
        "score": exam.score,
    }
    return ecertificates_create([new], details=[detail], action="ecertificate.train", actor=SYSTEM)[0]


def _valid(person: Person, post: Post) -> ECertificate | None:
    return ECertificate.objects.filter(holder=person, post=post, status=ECertificate.Status.VALID).first()


def _person(number: str, name: str) -> Person:
    """The person of the ID number, begun for a new entrant; a registered name must match."""
    person, _created = Person.objects.get_or_create(id_number=number, defaults={"name": name})
    if person.name != name:
        raise DomainError(
            _("身份证号与姓名和系统登记的不一致（登记的姓名不是“%(name)s”）") % {"name": name},
            code="person_mismatch",
            field="name",
        )
    return person


def _checked(report: ExamReport, today: date) -> tuple[str, str, Post]:
    """The ID number, the name and the post the report names, or a DomainError naming the field that is wrong."""
    try:
        number = idnumber.parse(clean(report.id_number)).value
    except idnumber.InvalidIdNumber:
        raise DomainError(_("身份证号不正确"), code="id_number", field="id_number") from None
    name = clean_name(report.name)
    if name_problem(name):
        raise DomainError(_("姓名应为2至40个字符，不含数字"), code="name", field="name")
    by_code = Post.objects.filter(code=clean(report.post), is_active=True).first()
    post_id = by_code.pk if by_code else PostResolver().resolve(report.post, "")
    if not isinstance(post_id, int):
        raise DomainError(_("岗位无法识别"), code="post_unknown", field="post")
    if report.examined_on > today:
        raise DomainError(_("考核日期不能晚于今天"), code="date_future", field="examined_on")
    if not 0 <= report.score <= 100:
        raise DomainError(_("考核成绩应为0至100的整数"), code="score", field="score")
    pass_mark = policy_in_force(on=today).pass_mark
    if report.score < pass_mark:
        raise DomainError(
            _("成绩 %(score)d 未达到合格分 %(mark)d") % {"score": report.score, "mark": pass_mark},
            code="not_passed",
            field="score",
        )
    return number, name, by_code or Post.objects.get(pk=post_id)


COLUMNS = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id_number"),
    "name": ("姓名", "name"),
    "post": ("岗位", "post"),
    "specialty": ("专业", "specialty"),
    "examined_on": ("考核日期", "考试日期", "examined_on"),
    "score": ("成绩", "考核成绩", "score"),
}
OPTIONAL = ("specialty",)


def training_reports_import(
    *, institution: Organisation, by: User, path: Path | str, file_name: str, today: date, now: datetime
) -> UploadResult:
    """A file of passed examinations: each row issues its certificate (or finds the one it issued before) in
    its own transaction; a refused row is reported with its column and reason and stops nothing else."""
    require_institution(institution, by)
    with translation.override("zh-hans"):
        layout, rows = read_records(Path(path), file_name, COLUMNS, OPTIONAL)
        result = UploadResult()
        for row_no, row in rows:
            try:
                report = _report(row)
                with transaction.atomic():
                    issued = training_certificate_issue(
                        institution=institution, by=by, report=report, today=today, now=now
                    )
            except DomainError as exc:
                result.reject(row_no, layout.column(exc.field or "id_number"), exc.code, exc.message)
                continue
            result.created += issued.created
            result.unchanged += not issued.created
        return result


def _report(row: dict) -> ExamReport:
    """A row as a report, or a DomainError naming the cell that cannot be read."""
    post = clean(row.get("post"))
    if specialty := clean(row.get("specialty")):
        post = f"{post}({specialty})"
    raw_day = row.get("examined_on")
    try:
        day = parse_date(raw_day if not isinstance(raw_day, str) else clean(raw_day))
    except ValueError:
        raise DomainError(_("考核日期无法识别"), code="date_format", field="examined_on") from None
    score = clean(row.get("score"))
    if not score.isdigit():
        raise DomainError(_("考核成绩应为0至100的整数"), code="score", field="score")
    return ExamReport(clean(row.get("id_number")), clean(row.get("name")), post, day, int(score))
