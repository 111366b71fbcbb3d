"""Who may see whom through a roster: the employer sees a holder's certificates, progress and duty only
through an entry the holder confirmed (or the authority vouched for), not disputed, not ended; a new entry
gives no more than the public verification shows (docs/security.md, "What an employer sees").

The link states below are reached through the real pages and API, and each is checked against every page
and endpoint that shows an employer more than the public does (in the rights matrix, tests/portals/test_rights.py)."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sitecert.audit.models import AuditEntry
from sitecert.duty.explanation import explain
from sitecert.people.models import RosterEntry
from sitecert.people.roster import roster_entries_vouch
from sitecert.people.services import api_token_create

pytestmark = pytest.mark.django_db

PRIVATE_WEB = [
    "/certificates/legacy/TJ2015000101/",
    "/certificates/{ecert}/",
    "/certificates/{ecert}/pdf",
]
PRIVATE_API = [
    "/api/v1/certificates/legacy/TJ2015000101/eligibility",
    "/api/v1/certificates/{ecert}",
    "/api/v1/certificates/{ecert}/duty",
    "/api/v1/certificates/{ecert}/pdf",
]


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(user, org=None) -> dict:
    _t, secret = api_token_create(user=user, organisation=org, name="HR")
    return {"Authorization": f"Bearer {secret}"}


def employer_adds(personas, admin, person, started_on: str) -> dict:
    """The employer posts a roster entry over the API, as an HR system would."""
    body = {
        "id_number": person.id_number,
        "name": person.name,
        "post": "builder-civil",
        "started_on": started_on,
    }
    response = Client().post(
        "/api/v1/roster", body, content_type="application/json", headers=bearer(admin, admin.organisation)
    )
    assert response.status_code == 201, response.content
    return response.json()


def sees(user, ecert) -> dict[str, int]:
    client, headers = web(user), bearer(user)
    found = {p: client.get(p.format(ecert=ecert.number)).status_code for p in PRIVATE_WEB}
    found |= {p: Client().get(p.format(ecert=ecert.number), headers=headers).status_code for p in PRIVATE_API}
    return found


def opened(user, ecert) -> bool:
    statuses = set(sees(user, ecert).values())
    assert len(statuses) == 1, statuses  # every page and endpoint agrees
    return statuses == {200}


# Each state is reached the way people reach it: the holder on their home page, the employer by its API
# or pages, the authority in the admin's action.
def pending(p, ecert):
    RosterEntry.objects.filter(pk=p.entry.pk).update(consent=RosterEntry.Consent.PENDING, consent_at=None)


def confirmed_by_holder(p, ecert):
    pending(p, ecert)
    assert web(p.holder).post(f"/me/roster/{p.entry.pk}/confirm/").status_code == 302


def vouched_by_authority(p, ecert):
    pending(p, ecert)
    roster_entries_vouch(
        entries=RosterEntry.objects.filter(pk=p.entry.pk), by=p.inspector, now=timezone.now()
    )


def disputed(p, ecert):
    web(p.holder).post(f"/me/roster/{p.entry.pk}/dispute/", {"reason": "本人已于2020年6月离职"})


def disputed_then_added_again(p, ecert):
    disputed(p, ecert)
    employer_adds(p, p.employer_admin, p.holder.person, "2020-07-01")


def disputed_ended_then_added_again(p, ecert):
    disputed(p, ecert)
    yesterday = timezone.localdate() - timedelta(days=1)
    web(p.employer_admin).post(f"/org/roster/{p.entry.pk}/end/", {"ended_on": yesterday})
    added = employer_adds(p, p.employer_admin, p.holder.person, timezone.localdate().isoformat())
    RosterEntry.objects.filter(pk=added["id"]).update(consent=RosterEntry.Consent.AUTHORITY)


def lifted(p, ecert):
    disputed(p, ecert)
    assert web(p.holder).post(f"/me/roster/{p.entry.pk}/lift/").status_code == 302


def ended_yesterday(p, ecert):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = Client().post(
        f"/api/v1/roster/{p.entry.pk}/end",
        {"ended_on": yesterday.isoformat()},
        content_type="application/json",
        headers=bearer(p.employer_admin, p.employer_admin.organisation),
    )
    assert response.status_code == 200 and response.json()["ended_on"] == yesterday.isoformat()


def ended_today(p, ecert):
    web(p.employer_admin).post(f"/org/roster/{p.entry.pk}/end/", {"ended_on": timezone.localdate()})


STATES = [
    (pending, False),
    (confirmed_by_holder, True),
    (vouched_by_authority, True),
    (disputed, False),
    (disputed_then_added_again, False),
    (disputed_ended_then_added_again, False),
    (lifted, True),
    (ended_yesterday, False),
    (ended_today, True),  # the last day of an employment is still a day of it
]


def test_a_dispute_cannot_be_undone_by_a_new_roster_entry(personas, ecert):
    """Issue 15, attack 1: the holder disputes; the employer posts a new entry and read everything again."""
    assert opened(personas.employer_admin, ecert)
    disputed(personas, ecert)
    assert not opened(personas.employer_admin, ecert)
    added = employer_adds(personas, personas.employer_admin, personas.holder.person, "2020-07-01")
    assert added["status"] == "disputed" and added["consent"] == "pending"
    assert not opened(personas.employer_admin, ecert)
    # The holder's word stands on the new entry too, for the yearly duty as well as for the view.
    new = RosterEntry.objects.get(pk=added["id"])
    assert new.dispute_reason == "本人已于2020年6月离职"
    page = web(personas.holder).get("/me/").content.decode()
    assert page.count("已提出异议") == 2 and page.count("撤销异议") == 2
    # Only the holder lifts it, entry by entry; the link opens when no dispute is left.
    web(personas.holder).post(f"/me/roster/{personas.entry.pk}/lift/")
    assert not opened(personas.employer_admin, ecert)
    web(personas.holder).post(f"/me/roster/{new.pk}/lift/")
    assert opened(personas.employer_admin, ecert)  # through the first entry, which the holder had confirmed


def test_the_dispute_is_not_undone_by_an_upload_either(personas, ecert, tmp_path):
    disputed(personas, ecert)
    sheet = tmp_path / "roster.csv"
    person = personas.holder.person
    sheet.write_text(
        f"身份证号,姓名,岗位,起始日期\n{person.id_number},{person.name},施工员（土建施工）,2020-07-01\n"
    )
    client = web(personas.employer_admin)
    with sheet.open("rb") as f:
        assert client.post("/org/roster/upload/", {"file": f}).status_code == 200
    assert RosterEntry.objects.filter(person=person, status="disputed").count() == 2
    assert not opened(personas.employer_admin, ecert)


def test_another_employer_cannot_read_anyone_with_an_id_number_and_a_name(personas, ecert):
    """Issue 15, attack 2: 周涛's company lists 王芳 by ID number and name alone."""
    other = personas.other_employer_admin
    added = employer_adds(personas, other, personas.holder.person, "2020-08-01")
    assert added["consent"] == "pending"
    assert not opened(other, ecert)
    eligibility = "/api/v1/certificates/legacy/TJ2015000101/eligibility"
    denied = Client().get(eligibility, headers=bearer(other))
    assert denied.status_code == 404 and denied.json() == {"message": "未找到", "details": None}
    # What the public query already shows, and no more: the registry's numbers and status, no progress.
    staff = web(other).get("/org/").content.decode()
    assert "王芳" in staff and "TJ2015000101" in staff and "本人确认后可见" in staff
    assert 'href="/certificates/legacy/TJ2015000101/"' not in staff
    # The e-certificate's number and status, as the public verification by ID number and name shows
    # them: not linked, no duty.
    assert f'href="/certificates/{ecert.number}/"' not in staff
    assert ecert.number not in web(other).get("/org/duty/").content.decode()
    sheet = load_workbook(io.BytesIO(web(other).get("/org/staff.xlsx").content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    wang = dict(zip(header, next(r for r in rows if r[0] == "王芳"), strict=True))
    assert wang["换证情况"] in (None, "") and wang["在册状态"] == "待本人确认"
    # The holder sees the new entry on their home page, confirms it, and only then the employer sees more.
    home = web(personas.holder).get("/me/").content.decode()
    assert "天津滨海新区宏达建筑有限公司" in home and "确认在该单位任职" in home
    web(personas.holder).post(f"/me/roster/{added['id']}/confirm/")
    assert opened(other, ecert)
    assert AuditEntry.objects.filter(action="roster.confirm", subject=f"roster:{added['id']}").exists()


def test_only_the_holder_confirms_and_not_over_a_dispute(personas, ecert):
    other_holder = web(personas.other_holder)
    assert other_holder.post(f"/me/roster/{personas.entry.pk}/confirm/").status_code == 404
    disputed(personas, ecert)
    web(personas.holder).post(f"/me/roster/{personas.entry.pk}/confirm/", follow=True)
    entry = RosterEntry.objects.get(pk=personas.entry.pk)
    assert entry.status == "disputed"
    assert not opened(personas.employer_admin, ecert)


def test_an_unconfirmed_entry_keeps_counting_for_the_yearly_duty(personas, ecert):
    """The duty asks whether the holder worked in the post (docs/rules.md): the employer's statement
    counts until the holder disputes it, confirmed or not (docs/security.md explains why)."""
    pending(personas, ecert)
    day = date(2022, 1, 1)
    assert explain(certificate=ecert, as_of=day).in_post
    disputed(personas, ecert)
    assert not explain(certificate=ecert, as_of=day).in_post
