"""What anyone learns from a certificate number or a scanned QR token: the live status as of today, the
fields with the ID number masked, and whether the signature checks with which key. A token that does not
verify is reported as forged, never as "not found"; one whose `exp` has passed (or `nbf` not come) is not
valid, as any JWT library would judge it."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from sitecert.certificates import kept
from sitecert.certificates.credentials import (
    ALGORITHMS,
    TZ,
    Checked,
    time_problem,
    token_check,
    token_from,
)
from sitecert.certificates.keys import known_key
from sitecert.certificates.models import CertificateVersion, ECertificate
from sitecert.certificates.numbers import number_clean, number_valid
from sitecert.lib.idnumber import mask
from sitecert.registry.models import Post
from sitecert.sqlkit import Compiled


@dataclass
class Verification:
    outcome: str  # valid, lapsed, revoked, superseded, expired, not_yet_valid, forged, not_found
    message: str
    number: str = ""
    version: int | None = None  # the version presented (a token's), else the current one
    current_version: int | None = None
    signature_valid: bool | None = None  # None: nothing to check (a number typed in)
    kid: str | None = None
    fields: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "outcome": self.outcome,
            "message": self.message,
            "number": self.number,
            "version": self.version,
            "current_version": self.current_version,
            "signature": {"valid": self.signature_valid, "kid": self.kid, "algorithm": ALGORITHMS[0]},
            "certificate": self.fields,
        }


# What a verification reads: the current version's columns and its certificate's, as plain values (the
# verification endpoint is the one a deadline rush hits; model instances would cost a fifth of each request).
RECORD = {
    "name": "name",
    "credential": "credential",
    "number": "certificate__number",
    "version": "certificate__version",
    "status": "certificate__status",
    "status_since": "certificate__status_since",
    "issued_on": "certificate__issued_on",
    "issuer": "certificate__issuer",
    "id_number": "certificate__holder__id_number",
    "post_name": "certificate__post__name",
    "post_specialty": "certificate__post__specialty",
    "replaces": "certificate__legacy__certificate_no",
    "replaces_lapsed": "certificate__replaces__number",
    "replaced_by": "certificate__replaced_by__number",
}


def _current_versions(**filters) -> QuerySet:
    rows = CertificateVersion.objects.filter(version=F("certificate__version"), **filters)
    return rows.order_by("-certificate__issued_on", "certificate__number").values_list(*RECORD.values())[:50]


# One query each, compiled once per process (sqlkit): building this join was most of a verification's cost.
_BY_NUMBER = Compiled(lambda number: _current_versions(certificate__number=number))
_BY_PERSON = Compiled(
    lambda id_number, name: _current_versions(
        certificate__holder__id_number=id_number, certificate__holder__name=name
    )
)


def _records(rows: list) -> list[dict]:
    return [dict(zip(RECORD, row, strict=True)) for row in rows]


def _current(number: str) -> dict | None:
    """The number's record, as this process keeps it (kept.py) or from the database."""
    record = kept.records.get(number)
    if record is None:
        generation = kept.records.generation()
        found = _records(_BY_NUMBER.rows(number=number))
        record = found[0] if found else None
        if record is not None:
            kept.records.keep(number, record, generation)
    return record


def _moment(today: date, now: datetime | None) -> datetime:
    """When time claims are judged: `now` if the caller has it, else the start of `today` (replays by day)."""
    return now or datetime.combine(today, time(0), TZ)


def _timed(outcome: str, message: str, claims: dict | None, at: datetime) -> tuple[str, str]:
    """A valid verdict gives way to the token's own expiry or not-before, as JWT libraries would judge."""
    problem = time_problem(claims or {}, at=at) if outcome == "valid" else None
    if problem == "expired":
        return problem, _("该证书已过有效期")
    if problem == "not_yet_valid":
        return problem, _("该证书尚未生效")
    return outcome, message


def _verified(record: dict, *, today: date, now: datetime | None = None) -> Verification:
    """The live record of a current version, its stored credential's signature checked."""
    checked = record.get("checked") or token_check(record["credential"], keys=known_key)
    record["checked"] = checked  # with the record while it is kept: its credential does not change
    outcome, message = _status(record, presented=record["version"], today=today)
    outcome, message = _timed(outcome, message, checked.claims, _moment(today, now))
    version = record["version"]
    return Verification(
        outcome, message, record["number"], version, version, checked.genuine, checked.kid, _fields(record)
    )


def _fields(record: dict) -> dict:
    return {
        "name": record["name"],
        "id_number_masked": mask(record["id_number"]),
        "post": Post.label(record["post_name"], record["post_specialty"]),
        "issued_on": record["issued_on"].isoformat(),
        "issuer": record["issuer"],
        "replaces": record["replaces"] or record["replaces_lapsed"],
        "replaced_by": record["replaced_by"],
        "status": record["status"],
        "status_label": str(ECertificate.Status(record["status"]).label),
        "status_since": record["status_since"].isoformat(),
    }


def _status(record: dict, *, presented: int, today: date) -> tuple[str, str]:
    status, since, current = record["status"], record["status_since"], record["version"]
    if status != ECertificate.Status.VALID and since <= today:
        if status == ECertificate.Status.REVOKED:
            return "revoked", _("该证书已于 %(day)s 注销") % {"day": since}
        return "lapsed", _("该证书已于 %(day)s 失效，持证人需重新取证") % {"day": since}
    if presented < current:
        return "superseded", _("此为第 %(old)d 版，已被第 %(new)d 版取代，请以最新版本为准") % {
            "old": presented,
            "new": current,
        }
    return "valid", _("证书有效")


def verify_number(text: str, *, today: date, now: datetime | None = None) -> Verification:
    """A number typed or read from a print: the live record (its current version's signature checked)."""
    number = number_clean(text)
    record = _current(number) if number_valid(number) else None
    if record is None:
        return Verification("not_found", _("未找到该证书编号，请核对后重试"), number=number)
    return _verified(record, today=today, now=now)


def verify_person(
    *, id_number: str, name: str, today: date, now: datetime | None = None
) -> list[Verification]:
    """The e-certificates of the person with this (already valid) ID number *and* name: a wrong name finds
    nothing, exactly as an unknown ID number does."""
    records = _records(_BY_PERSON.rows(id_number=id_number, name=name))
    return [_verified(record, today=today, now=now) for record in records]


def verify_token(text: str, *, today: date, now: datetime | None = None) -> Verification:
    """A scanned QR content or a pasted credential: the signature first, then the live record."""
    checked: Checked = token_check(token_from(text), keys=known_key)
    if not checked.genuine:
        return Verification(
            "forged", _("签名校验失败：该证书内容不是本系统签发的，或已被篡改"), signature_valid=False
        )
    record = _current(checked.number or "")
    if record is None:
        return Verification(
            "not_found",
            _("签名有效，但系统中没有该证书记录，请联系主管部门"),
            checked.number or "",
            signature_valid=True,
        )
    outcome, message = _status(record, presented=checked.version or 0, today=today)
    outcome, message = _timed(outcome, message, checked.claims, _moment(today, now))
    return Verification(
        outcome,
        message,
        record["number"],
        checked.version,
        record["version"],
        True,
        checked.kid,
        _fields(record),
    )
