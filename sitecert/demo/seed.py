"""Demo accounts and data for `sitecert seed-demo` (DEBUG only): one account of each kind, all with the same
password, and each app's demo data on top of the demo registry."""

from datetime import date, datetime

from django.db import transaction

from sitecert.certificates.demo import demo_exchange_seed
from sitecert.duty.demo import demo_duty_seed
from sitecert.learning.demo import demo_library_seed
from sitecert.lib.uscc import build as build_uscc
from sitecert.people.models import Organisation, RosterEntry, User
from sitecert.registry.models import LegacyCertificate, Person

PASSWORD = "sitecert-demo"
EMPLOYER = ("天津城建示范建设集团有限公司", build_uscc("91120104MA05T8K3X"), "13800000001", "刘建国")
OTHER_EMPLOYER = ("天津宏建建设工程有限公司", build_uscc("91120116MA06C4D2Y"), "13800000003", "王海")
INSTITUTION = ("天津市建设行业示范培训中心", build_uscc("52120000MJ0583216"), "13800000002", "陈静")


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
        defaults={
            "kind": kind,
            "name": name,
            "status": Organisation.Status.ACTIVE,
            "decided_at": now,
        },
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
    """Idempotent. Returns (who, login) pairs to print."""
    holder = Person.objects.filter(legacy_certificates__status="valid").order_by("id_number").first()
    logins = [("authority 主管部门", "admin")]
    if holder:
        _account(
            username=holder.id_number,
            person=holder,
            first_name=holder.name,
            mobile="13800000000",
            mobile_confirmed_at=now,
        )
        logins.append((f"holder 个人 {holder.name}", holder.id_number))
    employer = _organisation(Organisation.Kind.EMPLOYER, EMPLOYER, now)
    institution = _organisation(Organisation.Kind.INSTITUTION, INSTITUTION, now)
    demo_library_seed(institution)
    demo_exchange_seed(institution=institution, spare=holder, now=now)
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
    logins += [("employer 用人单位", EMPLOYER[2]), ("institution 培训机构", INSTITUTION[2])]
    return logins
