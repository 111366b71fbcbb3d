"""Status by the W3C Bitstring Status List v1.0: every certificate version holds one slot of a status list,
and each list is published as two signed status list credentials, one per purpose:

- revocation: the certificate is cancelled (注销, status "revoked");
- suspension: the certificate lapsed (失效, the yearly duty was not met) or this version is superseded by a
  later print (补发, 信息变更). Both are "not acceptable now, ask the live record why"; the spec's
  suspension is the purpose for that, and a lapsed holder's way back is a new certificate.

The bits are not stored: they are read from the certificates' live status when a list is published, so a
status change (a revocation, the nightly run's set-based lapses, a new version) is in the lists from the
moment its transaction commits, with no second write to forget. Publishing costs one indexed query over a
list's slots; HTTP caches (Cache-Control max-age = STATUS_LIST_MAX_AGE, the list's `ttl`) bound how late a
verifier sees a change."""

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from joserfc import jwt

from sitecert.certificates.credentials import ALGORITHMS, PURPOSES, VC_CONTEXT, status_list_url
from sitecert.certificates.keys import active_key, credential_key, issuer_did, kid_url
from sitecert.certificates.models import CertificateVersion, ECertificate, StatusList
from sitecert.lib.bitstring import MINIMUM_ENTRIES, bits_with, encode, slot_permute

LIST_TYPE = "vc+jwt"
# A published list is a snapshot; a verifier may hold one (a site gate syncing once a day) for this long.
LIST_VALIDITY = timedelta(days=1)


def slots_allocate(*, count: int, now: datetime) -> list[tuple[int, int]]:
    """`count` free slots as (list, index), in the caller's transaction: the open list's row is locked and
    its counter moved once per list (set-based: no slot is read); indexes come in the list's random order."""
    slots: list[tuple[int, int]] = []
    while len(slots) < count:
        current = (
            StatusList.objects.select_for_update().filter(allocated__lt=F("size")).order_by("pk").first()
        )
        if current is None:
            current = StatusList.objects.create(
                size=MINIMUM_ENTRIES, seed=secrets.token_hex(32), created_at=now
            )
        start = current.allocated
        take = min(count - len(slots), current.size - start)
        StatusList.objects.filter(pk=current.pk).update(allocated=start + take)
        slots += [
            (current.pk, slot_permute(current.seed, n, current.size)) for n in range(start, start + take)
        ]
    return slots


def _set(purpose: str, today: date) -> Q:
    """Which versions have the purpose's bit set on `today`: the same rules verification.py applies."""
    took_effect = Q(certificate__status_since__lte=today)
    if purpose == "revocation":
        return Q(certificate__status=ECertificate.Status.REVOKED) & took_effect
    return (Q(certificate__status=ECertificate.Status.LAPSED) & took_effect) | Q(
        version__lt=F("certificate__version")
    )


def status_bits(*, status_list: StatusList, purpose: str, today: date) -> bytes:
    indexes = CertificateVersion.objects.filter(status_list=status_list).filter(_set(purpose, today))
    return bytes(bits_with(indexes.values_list("status_index", flat=True), status_list.size))


def status_list_credential(*, status_list: StatusList, purpose: str, now: datetime) -> str:
    """The list's signed BitstringStatusListCredential for one purpose (VC-JOSE-COSE, like the credentials)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    url = status_list_url(status_list.pk, purpose)
    until = now + LIST_VALIDITY
    bits = status_bits(status_list=status_list, purpose=purpose, today=timezone.localdate(now))
    issuer = issuer_did()
    vc = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": now.isoformat(timespec="seconds"),
        "validUntil": until.isoformat(timespec="seconds"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(bits),
            "ttl": settings.STATUS_LIST_MAX_AGE * 1000,
        },
        "iss": issuer,
        "sub": f"{url}#list",
        "iat": int(now.timestamp()),
        "exp": int(until.timestamp()),
    }
    kid = active_key(now=now).kid
    header = {"alg": "EdDSA", "kid": kid_url(kid), "typ": LIST_TYPE, "cty": "vc"}
    return jwt.encode(header, vc, credential_key(kid), algorithms=ALGORITHMS)
