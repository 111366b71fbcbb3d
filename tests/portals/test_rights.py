"""The role matrix: every role against every portal page and API endpoint, on its own and others' objects.

Web pages answer 302 (to the login page) for the anonymous, 403 for the wrong role, 404 for another's
object; the API answers 401, 403 and 404 in the same cases.
"""

import io
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from sitecert.certificates.exchange import certificates_issue
from sitecert.people.services import api_token_create
from sitecert.policies.selectors import policy_in_force
from tests.portals.test_consent import STATES, opened, web

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "holder",
    "other_holder",
    "employer_admin",
    "employer_clerk",
    "other_employer_admin",
    "institution_admin",
    "inspector",
]
A, H, OH, EA, EC, OE, IA, IN = ROLES

# (method, path, {role: expected status}); {entry} is the holder's roster entry at employer_admin's company,
# {cert} the holder's TJ2015000101; {record} its training record.
WEB = [
    ("get", "/me/", {A: 302, H: 200, OH: 200, EA: 403, EC: 403, OE: 403, IA: 403, IN: 403}),
    (
        "post",
        "/me/roster/{entry}/dispute/",
        {A: 302, H: 302, OH: 404, EA: 403, EC: 403, OE: 403, IA: 403, IN: 403},
    ),
    (
        "post",
        "/me/roster/{entry}/confirm/",
        {A: 302, H: 302, OH: 404, EA: 403, EC: 403, OE: 403, IA: 403, IN: 403},
    ),
    (
        "post",
        "/me/roster/{entry}/lift/",
        {A: 302, H: 302, OH: 404, EA: 403, EC: 403, OE: 403, IA: 403, IN: 403},
    ),
    (
        "get",
        "/org/roster/{entry}/end/",
        {A: 302, H: 403, OH: 403, EA: 200, EC: 200, OE: 404, IA: 403, IN: 403},
    ),
    ("get", "/org/", {A: 302, H: 403, OH: 403, EA: 200, EC: 200, OE: 200, IA: 200, IN: 403}),
    ("get", "/org/staff.xlsx", {A: 302, H: 403, OH: 403, EA: 200, EC: 200, OE: 200, IA: 403, IN: 403}),
    ("get", "/org/roster/add/", {A: 302, H: 403, OH: 403, EA: 200, EC: 200, OE: 200, IA: 403, IN: 403}),
    ("get", "/org/roster/upload/", {A: 302, H: 403, OH: 403, EA: 200, EC: 200, OE: 200, IA: 403, IN: 403}),
    ("get", "/org/tokens/", {A: 302, H: 403, OH: 403, EA: 200, EC: 403, OE: 200, IA: 200, IN: 403}),
    (
        "post",
        "/org/tokens/{token}/revoke/",
        {A: 302, H: 403, OH: 403, EA: 302, EC: 403, OE: 404, IA: 404, IN: 403},
    ),
    ("get", "/org/accounts/", {A: 302, H: 403, OH: 403, EA: 200, EC: 403, OE: 200, IA: 200, IN: 403}),
    ("get", "/authority/", {A: 302, H: 403, OH: 403, EA: 403, EC: 403, OE: 403, IA: 403, IN: 200}),
    ("get", "/accounts/email/", {A: 302, H: 200, OH: 200, EA: 200, EC: 200, OE: 200, IA: 200, IN: 200}),
    ("get", "/authority/duty/", {A: 302, H: 403, OH: 403, EA: 403, EC: 403, OE: 403, IA: 403, IN: 200}),
    ("get", "/authority/duty.xlsx", {A: 302, H: 403, OH: 403, EA: 403, EC: 403, OE: 403, IA: 403, IN: 200}),
    ("get", "/org/duty/", {A: 302, H: 403, OH: 403, EA: 200, EC: 200, OE: 200, IA: 403, IN: 403}),
    ("get", "/org/duty.xlsx", {A: 302, H: 403, OH: 403, EA: 200, EC: 200, OE: 200, IA: 403, IN: 403}),
    ("get", "/org/training/", {A: 302, H: 403, OH: 403, EA: 403, EC: 403, OE: 403, IA: 200, IN: 403}),
    (
        "get",
        "/learn/record/{record}/",
        {A: 302, H: 200, OH: 404, EA: 403, EC: 403, OE: 403, IA: 403, IN: 403},
    ),
    (
        "get",
        "/learn/record/{record}/proof/2020.pdf",
        {A: 302, H: 200, OH: 404, EA: 403, EC: 403, OE: 403, IA: 403, IN: 403},
    ),
    ("get", "/org/courses/", {A: 302, H: 403, OH: 403, EA: 403, EC: 403, OE: 403, IA: 200, IN: 403}),
    ("get", "/org/reports/upload/", {A: 302, H: 403, OH: 403, EA: 403, EC: 403, OE: 403, IA: 200, IN: 403}),
    (
        "get",
        "/certificates/legacy/TJ2015000101/",
        {A: 302, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200},
    ),
    ("get", "/certificates/{ecert}/", {A: 302, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200}),
    (
        "get",
        "/certificates/{ecert}/pdf",
        {A: 302, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200},
    ),
    (
        "post",
        "/certificates/{ecert}/",
        {A: 302, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200},
    ),
    (
        "get",
        "/admin/certificates/certificaterequest/",
        {A: 302, H: 302, OH: 302, EA: 302, EC: 302, OE: 302, IA: 302, IN: 200},
    ),
    (
        "get",
        "/admin/duty/dutychange/",
        {A: 302, H: 302, OH: 302, EA: 302, EC: 302, OE: 302, IA: 302, IN: 200},
    ),
    (
        "get",
        "/admin/registry/legacycertificate/",
        {A: 302, H: 302, OH: 302, EA: 302, EC: 302, OE: 302, IA: 302, IN: 200},
    ),
]
API = [
    (
        "get",
        "/api/v1/me/certificates",
        {A: 401, H: 200, OH: 200, EA: 403, EC: 403, OE: 403, IA: 403, IN: 403},
    ),
    ("get", "/api/v1/roster", {A: 401, H: 403, OH: 403, EA: 200, EC: 200, OE: 200, IA: 403, IN: 403}),
    ("get", "/api/v1/roster/{entry}", {A: 401, H: 403, OH: 403, EA: 200, EC: 200, OE: 404, IA: 403, IN: 403}),
    (
        "post",
        "/api/v1/roster/{entry}/end",
        {A: 401, H: 403, OH: 403, EA: 200, EC: 200, OE: 404, IA: 403, IN: 403},
    ),
    (
        "get",
        "/api/v1/certificates/legacy/TJ2015000101/eligibility",
        {A: 401, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200},
    ),
    (
        "get",
        "/api/v1/certificates/{ecert}",
        {A: 401, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200},
    ),
    (
        "get",
        "/api/v1/certificates/{ecert}/duty",
        {A: 401, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200},
    ),
    (
        "get",
        "/api/v1/certificates/{ecert}/pdf",
        {A: 401, H: 200, OH: 404, EA: 200, EC: 200, OE: 404, IA: 404, IN: 200},
    ),
]
CASES = [
    (kind, m, p, role, want[role])
    for kind, table in (("web", WEB), ("api", API))
    for m, p, want in table
    for role in ROLES
]


@pytest.mark.parametrize(
    ("kind", "method", "path", "role", "expected"), CASES, ids=[f"{c[0]}:{c[3]}:{c[1]} {c[2]}" for c in CASES]
)
def test_role_matrix(personas, keys, settings, tmp_path, kind, method, path, role, expected):
    token, _secret = api_token_create(
        user=personas.employer_admin, organisation=personas.employer_admin.organisation, name="HR"
    )
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    settings.CERTIFICATE_PDF_DIR = tmp_path / "pdf"
    ecert = certificates_issue(
        legacy_ids=[cert.pk],
        policy=policy_in_force(on=date(2020, 9, 1)),
        as_of=date(2020, 9, 1),
        now=timezone.now(),
    )[0]
    url = path.format(
        entry=personas.entry.pk, token=token.pk, cert=cert.pk, record=ecert.record_id, ecert=ecert.number
    )
    client, headers = Client(), {}
    user = getattr(personas, role, None)
    if user is not None and kind == "web":
        client.force_login(user)
    elif user is not None:
        _t, secret = api_token_create(user=user, name="matrix")  # a personal token: the API path of each role
        headers = {"Authorization": f"Bearer {secret}"}
    if method == "post" and kind == "api":
        body = {"ended_on": timezone.localdate().isoformat()}
        response = client.post(url, body, content_type="application/json", headers=headers)
    else:
        data = {"reason": "不是本单位职工", "ended_on": timezone.localdate()} if method == "post" else None
        response = getattr(client, method)(url, data, headers=headers)
    assert response.status_code == expected, response.content[:300]


def test_each_sees_only_their_own_rows(personas):
    employer, other = Client(), Client()
    employer.force_login(personas.employer_admin)
    other.force_login(personas.other_employer_admin)
    assert (
        "王芳" in employer.get("/org/").content.decode()
        and "李强" not in employer.get("/org/").content.decode()
    )
    assert "王芳" not in other.get("/org/").content.decode()
    exported = load_workbook(io.BytesIO(other.get("/org/staff.xlsx").content)).active
    assert [row[0] for row in exported.iter_rows(min_row=2, values_only=True)] == ["李强"]
    roster = other.get("/api/v1/roster").json()
    assert [r["name"] for r in roster] == ["李强"]
    holder = Client()
    holder.force_login(personas.other_holder)
    assert "TJ2015000101" not in holder.get("/me/").content.decode()
    _t, secret = api_token_create(user=personas.holder, name="app")
    mine = Client().get("/api/v1/me/certificates", headers={"Authorization": f"Bearer {secret}"}).json()
    assert sorted(c["certificate_no"] for c in mine) == ["TJ2015000101", "TJ2016000102"]


# What an employer sees of a holder in each state of their roster link, reached through the real pages and
# API (tests/portals/test_consent.py): every page and endpoint that shows more than the public verification
# (PRIVATE_WEB, PRIVATE_API), for the employer's administrator and clerk, the holder and the authority, with
# the duty dashboard and the staff list (docs/security.md, "What an employer sees").
@pytest.mark.parametrize(("reach", "open_"), STATES, ids=[s[0].__name__ for s in STATES])
def test_what_the_employer_sees_in_each_state_of_the_link(personas, ecert, reach, open_):
    """Rows: a new entry, confirmed by the holder, vouched for by the authority, disputed, disputed then
    added again (by the API, or ended and added), the dispute lifted, ended yesterday, ending today."""
    reach(personas, ecert)
    assert opened(personas.employer_admin, ecert) is open_
    assert opened(personas.employer_clerk, ecert) is open_
    assert opened(personas.holder, ecert) and opened(personas.inspector, ecert)  # never closed to them
    duty_page = web(personas.employer_admin).get("/org/duty/").content.decode()
    assert (ecert.number in duty_page) is open_
    staff = web(personas.employer_admin).get("/org/").content.decode()
    assert ('href="/certificates/legacy/TJ2015000101/"' in staff) is open_
