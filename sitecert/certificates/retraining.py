"""The way back after a lapse (docs/rules.md, rule 4.1: train and qualify again): a training institution reports
that the holder passed the vocational-training (职业培训) examination for the post, and a new e-certificate
is issued that names the lapsed one it replaces and continues its training record."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from sitecert.certificates.exchange import SYSTEM, ecertificates_create
from sitecert.certificates.models import ECertificate
from sitecert.errors import DomainError
from sitecert.learning.reports import require_institution
from sitecert.lib import idnumber
from sitecert.lib.textnorm import clean, clean_name
from sitecert.people.models import Organisation, User
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import Person, Post
from sitecert.registry.posts import PostResolver


@dataclass(frozen=True)
class Examination:
    id_number: str
    name: str
    post: str  # code or name, e.g. "safety" or "安全员" or "施工员（土建）"
    examined_on: date
    score: int


def retraining_record(
    *, institution: Organisation, by: User, exam: Examination, today: date, now: datetime
) -> ECertificate:
    """Issue the new e-certificate for a passed examination; the same report again returns it unchanged."""
    require_institution(institution, by)
    person, post_id = _checked(exam, today)
    with transaction.atomic():
        lapsed = (
            ECertificate.objects.select_for_update(of=("self",))
            .filter(holder=person, post_id=post_id, status=ECertificate.Status.LAPSED)
            .select_related("replaced_by")
            .order_by("-status_since")
            .first()
        )
        if lapsed is None:
            raise DomainError(
                _("此人没有该岗位已失效的电子证书，无需重新取证"),
                code="nothing_lapsed",
                field="post",
                status=409,
            )
        if hasattr(lapsed, "replaced_by"):
            return lapsed.replaced_by
        policy = policy_in_force(on=today)
        new = ECertificate(
            holder=person,
            post_id=post_id,
            record_id=lapsed.record_id,
            replaces=lapsed,
            policy=policy,
            issuer=policy.issuing_authority,
            issued_on=today,
            status_since=today,
            created_at=now,
        )
        detail = {
            "replaces": lapsed.number,
            "institution": institution.uscc,
            "examined_on": exam.examined_on.isoformat(),
            "score": exam.score,
        }
        return ecertificates_create([new], details=[detail], action="ecertificate.retrain", actor=SYSTEM)[0]


def _checked(exam: Examination, today: date) -> tuple[Person, int]:
    """The person and post the report names, or a DomainError naming the field that is wrong."""
    try:
        number = idnumber.parse(clean(exam.id_number)).value
    except idnumber.InvalidIdNumber:
        raise DomainError(_("身份证号不正确"), code="id_number", field="id_number") from None
    person = Person.objects.filter(id_number=number, name=clean_name(exam.name)).first()
    if person is None:
        raise DomainError(_("没有此身份证号和姓名的持证人员"), code="person_unknown", field="name")
    by_code = Post.objects.filter(code=clean(exam.post), is_active=True).values_list("pk", flat=True)
    post_id = by_code.first() or PostResolver().resolve(exam.post, "")
    if not isinstance(post_id, int):
        raise DomainError(_("岗位无法识别"), code="post_unknown", field="post")
    if exam.examined_on > today:
        raise DomainError(_("考试日期不能晚于今天"), code="date_future", field="examined_on")
    if not 0 <= exam.score <= 100:
        raise DomainError(_("考核成绩应为0至100的整数"), code="score", field="score")
    if exam.score < policy_in_force(on=today).pass_mark:
        raise DomainError(
            _("成绩 %(score)d 未达到合格分 %(mark)d")
            % {"score": exam.score, "mark": policy_in_force(on=today).pass_mark},
            code="not_passed",
            field="score",
        )
    return person, post_id
