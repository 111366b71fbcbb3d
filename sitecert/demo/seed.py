"""Demo accounts and data for `sitecert seed-demo` (DEBUG only): each app's demo data on top of the demo
registry, and one login for each situation people are in today, all with the same password. Idempotent."""

from datetime import date, datetime, timedelta

from django.db import transaction

from sitecert.certificates.demo import ROUND_END, demo_exchange_seed
from sitecert.certificates.eligibility import in_scope
from sitecert.certificates.models import ECertificate
from sitecert.certificates.training import ExamReport, training_certificate_issue
from sitecert.duty.demo import demo_duty_seed
from sitecert.learning.demo import demo_library_seed
from sitecert.lib.idnumber import build
from sitecert.lib.uscc import build as build_uscc
from sitecert.people.models import Organisation, RosterEntry, User
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import LegacyCertificate, Person, Post

PASSWORD = "sitecert-demo"
EMPLOYER = ("天津城建示范建设集团有限公司", build_uscc("91120104MA05T8K3X"), "13800000001", "刘建国")
OTHER_EMPLOYER = ("天津宏建建设工程有限公司", build_uscc("91120116MA06C4D2Y"), "13800000003", "王海")
INSTITUTION = ("天津市建设行业示范培训中心", build_uscc("52120000MJ0583216"), "13800000002", "陈静")
NEW_ENTRANT = (build("120113", date(2001, 4, 16), 27), "石嘉豪")  # not in any registry: certified by training


def _account(**fields) -> User:
    user, created = User.objects.get_or_create(username=fields.pop("username"), defaults=fields)
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def _organisation(kind: str, spec: tuple, now: datetime) -> Organisation:
    name, code, mobile, admin = spec
    org, _ = Organisation.objects.get_or_create(
        uscc=code,
        defaults={"kind": kind, "name": name, "status": Organisation.Status.ACTIVE, "decided_at": now},
    )
    _account(
        username=mobile,
        mobile=mobile,
        mobile_confirmed_at=now,
        first_name=admin,
        organisation=org,
        is_org_admin=True,
    )
    return org


@transaction.atomic
def demo_accounts_seed(*, now: datetime, today: date) -> list[tuple[str, str]]:
    """Every app's demo data, then a login per situation. Returns (who, login) pairs to print."""
    # Someone who could have exchanged (an old certificate in the round's scope) and did not: replayed inside
    # the round (DEMO_TODAY), the same login shows that certificate valid, with its exchange progress.
    round_policy = policy_in_force(on=ROUND_END)
    missed = (
        Person.objects.filter(
            legacy_certificates__in=LegacyCertificate.objects.filter(in_scope(round_policy))
        )
        .order_by("id_number")
        .first()
    )
    employer = _organisation(Organisation.Kind.EMPLOYER, EMPLOYER, now)
    institution = _organisation(Organisation.Kind.INSTITUTION, INSTITUTION, now)
    institution.examination_posts.set(Post.objects.all())
    demo_library_seed(institution)
    demo_exchange_seed(institution=institution, spare=missed, now=now)
    certs = LegacyCertificate.objects.select_related("holder").order_by("certificate_no")[:40]
    for i, cert in enumerate(certs):
        RosterEntry.objects.get_or_create(
            employer=employer,
            person=cert.holder,
            post_id=cert.post_id,
            started_on=date(2019 + i % 2, 1 + i % 12, 1),
        )
    other = _organisation(Organisation.Kind.EMPLOYER, OTHER_EMPLOYER, now)
    demo_duty_seed(institution=institution, employers=[employer, other], today=today, now=now)
    # The demo's rosters stand vouched for, as the authority's own records would (docs/security.md).
    RosterEntry.objects.filter(consent=RosterEntry.Consent.PENDING).update(
        consent=RosterEntry.Consent.AUTHORITY, consent_at=now
    )
    logins = [("authority 主管部门", "admin")]
    for n, (who, person) in enumerate(_situations(institution, missed, today, now)):
        _account(
            username=person.id_number,
            person=person,
            first_name=person.name,
            mobile=f"1380000010{n}",
            mobile_confirmed_at=now,
        )
        logins.append((f"{who} {person.name}", person.id_number))
    logins += [("employer 用人单位", EMPLOYER[2]), ("institution 培训机构", INSTITUTION[2])]
    return logins


def _situations(institution, missed: Person | None, today: date, now: datetime) -> list[tuple[str, Person]]:
    """One person for each situation of today: on track, behind this year, lapsed, missed the 2020 exchange
    (now to be trained and examined), and a new entrant just certified by training."""
    found = []
    for who, certificates in (
        (
            "holder on track 学时正常",
            ECertificate.objects.filter(status="valid", duty__state="on_track", duty__year_hours__gte=10),
        ),
        ("holder behind 学时落后", ECertificate.objects.filter(status="valid", duty__state="behind")),
        ("holder lapsed 证书已失效", ECertificate.objects.filter(status="lapsed")),
    ):
        if cert := certificates.filter(holder__roster_entries__isnull=False).order_by("number").first():
            found.append((who, cert.holder))
    if missed is not None:
        found.append(("holder who missed the 2020 exchange 未换证", missed))
    number, name = NEW_ENTRANT
    admin = User.objects.get(username=INSTITUTION[2])
    report = ExamReport(number, name, "安全员", today - timedelta(days=3), 86)
    issued = training_certificate_issue(
        institution=institution, by=admin, report=report, today=today, now=now
    )
    found.append(("new entrant certified by training 新取证", issued.ecertificate.holder))
    return found
