"""The named people every portal test speaks of: who may see what is said once, here.

holder (王芳) and other_holder (李强) have old certificates; employer_admin's company lists the holder,
other_employer_admin's lists the other holder (both entries confirmed by their holders); institution_admin runs a training centre; inspector works
for the authority.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from sitecert.learning.models import Course, Question, QuestionBank, Unit
from sitecert.learning.services import course_approve
from sitecert.lib.idnumber import build
from sitecert.lib.uscc import build as build_uscc
from sitecert.people.models import Organisation, RosterEntry, User
from sitecert.registry.models import LegacyCertificate, Person, Post

PASSWORD = "Tianjin-2020-Site"
# A roster entry its holder has confirmed (docs/security.md): what opens the holder to the employer.
CONFIRMED = {"consent": RosterEntry.Consent.HOLDER, "consent_at": timezone.now()}
_HASH: dict[str, str] = {}


def password_hash() -> str:
    if not _HASH:
        _HASH["argon2"] = make_password(PASSWORD)  # one Argon2 hash for every persona: tests stay fast
    return _HASH["argon2"]


def account(username: str, **fields) -> User:
    user = User(username=username, password=password_hash(), **fields)
    if user.mobile:
        user.mobile_confirmed_at = timezone.now()
    user.save()
    return user


def certificate(
    person: Person, number: str, post: str = "safety", status: str = "valid"
) -> LegacyCertificate:
    now = timezone.now()
    return LegacyCertificate.objects.create(
        certificate_no=number,
        holder=person,
        post=Post.objects.get(code=post),
        issued_on=date(2015, 3, 6),
        issuer="天津市住房和城乡建设委员会",
        status=status,
        created_at=now,
        updated_at=now,
    )


def organisation(kind: str, name: str, code17: str, active: bool = True) -> Organisation:
    status = Organisation.Status.ACTIVE if active else Organisation.Status.PENDING
    return Organisation.objects.create(kind=kind, name=name, uscc=build_uscc(code17), status=status)


@dataclass
class Personas:
    holder: User
    other_holder: User
    employer_admin: User
    employer_clerk: User
    other_employer_admin: User
    institution_admin: User
    inspector: User
    entry: RosterEntry
    other_entry: RosterEntry


def make_personas() -> Personas:
    wang = Person.objects.create(id_number=build("120104", date(1988, 5, 17), 122), name="王芳")
    li = Person.objects.create(id_number=build("120111", date(1979, 11, 2), 31), name="李强")
    certificate(wang, "TJ2015000101", "builder-civil")
    certificate(wang, "TJ2016000102", "records", status="cancelled")
    certificate(li, "TJ2014000201", "safety")
    employer = organisation(Organisation.Kind.EMPLOYER, "天津市津南建工集团有限公司", "91120112MA05L2Q7X")
    other = organisation(Organisation.Kind.EMPLOYER, "天津滨海新区宏达建筑有限公司", "91120116MA06B3C1Y")
    institution = organisation(Organisation.Kind.INSTITUTION, "天津市建设职业培训中心", "52120000MJ05732XA")
    # Approved to examine the builders' and the safety post (职业培训考核), not the others.
    institution.examination_posts.set(
        Post.objects.filter(
            code__in=["builder-civil", "builder-decoration", "builder-mep", "builder-municipal", "safety"]
        )
    )
    employer_admin = account(
        "13902200001", mobile="13902200001", first_name="赵敏", organisation=employer, is_org_admin=True
    )
    return Personas(
        holder=account(wang.id_number, person=wang, first_name=wang.name, mobile="13602200001"),
        other_holder=account(li.id_number, person=li, first_name=li.name, mobile="13602200002"),
        employer_admin=employer_admin,
        employer_clerk=account("13902200003", mobile="13902200003", first_name="孙丽", organisation=employer),
        other_employer_admin=account(
            "13902200002", mobile="13902200002", first_name="周涛", organisation=other, is_org_admin=True
        ),
        institution_admin=account(
            "13902200009",
            mobile="13902200009",
            first_name="陈静",
            organisation=institution,
            is_org_admin=True,
        ),
        inspector=account("inspector", first_name="张检查", is_staff=True, is_superuser=True),
        entry=RosterEntry.objects.create(
            employer=employer,
            person=wang,
            post=Post.objects.get(code="builder-civil"),
            started_on=date(2019, 3, 1),
            **CONFIRMED,
        ),
        other_entry=RosterEntry.objects.create(
            employer=other,
            person=li,
            post=Post.objects.get(code="safety"),
            started_on=date(2018, 6, 1),
            **CONFIRMED,
        ),
    )


def course(
    institution,
    code: str,
    title: str,
    *,
    hours: int,
    category: str = "professional",
    posts=("builder-civil",),
    units=(("导论", 60),),
    approve_by: User | None = None,
) -> Course:
    """A course of `institution` with text units given as (title, seconds[, kind[, body]]); approved through
    the real service when `approve_by` (an authority account) is given."""
    made = Course.objects.create(
        institution=institution, code=code, title=title, class_hours=hours, category=category
    )
    if category == "professional":
        made.posts.set(Post.objects.filter(code__in=posts))
    for order, spec in enumerate(units, 1):
        unit_title, seconds, kind, body = (*spec, *("text", "")[len(spec) - 2 :])
        Unit.objects.create(
            course=made, order=order, kind=kind, title=unit_title, body=body, required_seconds=seconds
        )
    return course_approve(course=made, by=approve_by) if approve_by else made


def question_bank(post: str, text: str, options: list[str], count: int) -> QuestionBank:
    """A post's bank of `count` single-choice questions whose first option is right."""
    bank = QuestionBank.objects.create(post=Post.objects.get(code=post), title=f"{post} 题库")
    Question.objects.bulk_create(
        Question(bank=bank, kind="single", text=f"{text}（{i}）", options=options, answer=[0])
        for i in range(1, count + 1)
    )
    return bank
