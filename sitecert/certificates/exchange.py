"""The automatic exchange: the moment an old certificate meets the last requirement, its e-certificate is
issued, exactly once, however many triggers race (the old certificate's row is locked and the e-certificate
holds it as a unique key). `exchange_run` does the same for a whole region (catch-up after imports)."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sitecert.audit.services import Event, audit_append
from sitecert.certificates import credentials
from sitecert.certificates.eligibility import candidates, explain, region_policies, window
from sitecert.certificates.keys import active_key
from sitecert.certificates.models import CertificateVersion, ECertificate
from sitecert.certificates.numbers import numbers_allocate
from sitecert.certificates.status import slots_allocate
from sitecert.errors import DomainError
from sitecert.learning.models import TrainingRecord
from sitecert.learning.records import records_begin, records_of_legacies
from sitecert.lib.idnumber import mask
from sitecert.outbox.services import Channel, Letter, messages_put, tasks_after_commit
from sitecert.policies.models import Policy
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import LegacyCertificate, Post

log = logging.getLogger(__name__)
RENDER_PDF = "sitecert.certificates.render_pdf"  # the worker's task (certificates/tasks.py), by name
SYSTEM = "system"


def printed(
    ecert: ECertificate, *, name: str, version: int, version_on: date, slot: tuple[int, int] | None = None
) -> credentials.Printed:
    return credentials.Printed(
        number=ecert.number,
        version=version,
        name=name,
        id_masked=mask(ecert.holder.id_number),
        post_code=ecert.post.code,
        post_name=str(ecert.post),
        issued_on=ecert.issued_on,
        version_on=version_on,
        issuer=ecert.issuer,
        replaces=replaced_number(ecert),
        status_slot=slot,
    )


def replaced_number(ecert: ECertificate) -> str | None:
    """The old certificate exchanged, or the lapsed e-certificate a retrained holder's new one replaces."""
    if ecert.legacy:
        return ecert.legacy.certificate_no
    return ecert.replaces.number if ecert.replaces else None


def version_sign(
    ecert: ECertificate,
    *,
    cause: str,
    name: str,
    on: date,
    now: datetime,
    kid: str | None = None,
    slot: tuple[int, int] | None = None,
) -> CertificateVersion:
    """A new signed version (not saved): the credential and the QR token, with the active key, and its
    status list slot (both looked up once by callers that sign many; else here, in the caller's
    transaction)."""
    kid = kid or active_key(now=now).kid
    slot = slot or slots_allocate(count=1, now=now)[0]
    text = printed(ecert, name=name, version=ecert.version, version_on=on, slot=slot)
    return CertificateVersion(
        certificate=ecert,
        version=ecert.version,
        cause=cause,
        name=name,
        issued_on=on,
        kid=kid,
        credential=credentials.credential_sign(text, kid=kid, now=now),
        qr_token=credentials.qr_sign(text, kid=kid),
        status_list_id=slot[0],
        status_index=slot[1],
        created_at=now,
    )


def certificates_issue(
    *, legacy_ids: Iterable[int], policy: Policy, as_of: date, now: datetime, actor: str = SYSTEM
) -> list[ECertificate]:
    """Issue e-certificates for these old certificates (already decided eligible), skipping any that got
    one meanwhile. One transaction: numbers, certificates, signed versions and audit entries, or nothing."""
    with transaction.atomic():
        locked = list(
            LegacyCertificate.objects.select_for_update(of=("self",))  # not the shared post and person rows
            .filter(pk__in=list(legacy_ids))
            .select_related("holder", "post")
            .order_by("pk")
        )
        # Under READ COMMITTED the row lock waits for a racing issuer; this query then sees its e-certificate.
        done = set(ECertificate.objects.filter(legacy__in=locked).values_list("legacy_id", flat=True))
        locked = [legacy for legacy in locked if legacy.pk not in done]
        if not locked:
            return []
        records = records_of_legacies(locked)
        records_begin(records.values(), now=now)
        ecerts = [
            ECertificate(
                holder=legacy.holder,
                post=legacy.post,
                legacy=legacy,
                record=records[legacy.pk],
                policy=policy,
                issuer=policy.issuing_authority,
                issued_on=as_of,
                status_since=as_of,
                created_at=now,
            )
            for legacy in locked
        ]
        details = [{"legacy": legacy.certificate_no} for legacy in locked]
        return ecertificates_create(ecerts, details=details, action="ecertificate.issue", actor=actor)


def ecertificates_create(
    ecerts: list[ECertificate], *, details: list[dict], action: str, actor: str
) -> list[ECertificate]:
    """Number, save, sign and audit new e-certificates (one policy, one day), in the caller's transaction;
    holders are told after the commit."""
    first = ecerts[0]
    on, now, policy = first.issued_on, first.created_at, first.policy
    kid = active_key(now=now).kid  # before any number is taken: no key, no issuance
    numbers = numbers_allocate(prefix=policy.number_prefix, year=on.year, count=len(ecerts))
    for ecert, number in zip(ecerts, numbers, strict=True):
        ecert.number = number
    ECertificate.objects.bulk_create(ecerts, batch_size=1000)
    slots = slots_allocate(count=len(ecerts), now=now)  # one counter move per batch, not a query per slot
    versions = [
        version_sign(
            e, cause=CertificateVersion.Cause.ISSUE, name=e.holder.name, on=on, now=now, kid=kid, slot=slot
        )
        for e, slot in zip(ecerts, slots, strict=True)
    ]
    CertificateVersion.objects.bulk_create(versions, batch_size=1000)
    events = [
        Event(
            actor,
            action,
            f"ecertificate:{e.number}",
            detail | {"as_of": on.isoformat(), "kid": v.kid, "version": 1},
        )
        for e, v, detail in zip(ecerts, versions, details, strict=True)
    ]
    audit_append(events=events, at=now)
    ids = [e.pk for e in ecerts]
    issuance_notify(ecertificate_ids=ids, now=now)
    if (
        not settings.CELERY_TASK_ALWAYS_EAGER
    ):  # with a worker, each PDF is sealed once, ahead of its first reader
        tasks_after_commit(RENDER_PDF, ids)
    return ecerts


def issuance_notify(*, ecertificate_ids: list[int], now: datetime) -> int:
    """Tell holders with a confirmed mobile that their e-certificate is issued, through the outbox, in the
    issuance's transaction: sent after the commit (a rolled-back issuance tells nobody), once per
    certificate, retried by the worker."""
    rows = (
        ECertificate.objects.filter(
            pk__in=ecertificate_ids, holder__account__mobile_confirmed_at__isnull=False
        )
        .exclude(holder__account__mobile=None)
        .values_list("number", "post__name", "post__specialty", "holder__account__mobile")
    )
    with translation.override("zh-hans"):  # messages to holders are in Chinese, whatever page triggered them
        return _notify_each(rows, now)


def _notify_each(rows, now: datetime) -> int:
    letters = [
        Letter(
            Channel.SMS,
            str(mobile),
            _(
                "【施工现场专业人员证书服务】您的%(post)s职业培训合格证已签发，编号 %(no)s。登录后可下载打印，扫码可核验。"
            )
            % {"post": Post.label(post_name, specialty), "no": number},
            key=f"issued:{number}",
        )
        for number, post_name, specialty, mobile in rows.iterator(chunk_size=2000)
    ]
    return messages_put(letters, now=now)


def certificate_issue(
    *, legacy: LegacyCertificate, as_of: date, now: datetime, actor: str = SYSTEM
) -> ECertificate:
    """Issue now if every requirement is met; the existing e-certificate if it was issued already;
    otherwise a DomainError naming what is missing."""
    decision = explain(certificate=legacy, as_of=as_of)
    if decision.ecertificate is not None:
        return decision.ecertificate
    if not decision.eligible:
        raise DomainError("；".join(decision.missing), code="not_eligible", status=409)
    issued = certificates_issue(
        legacy_ids=[legacy.pk], policy=decision.policy, as_of=as_of, now=now, actor=actor
    )
    return issued[0] if issued else ECertificate.objects.get(legacy=legacy)


def exchange_on_progress(*, legacy_ids: Iterable[int], as_of: date, now: datetime) -> list[ECertificate]:
    """Called where a requirement may just have been met on `as_of` (an hour record, an assessment pass).
    Learning is never lost to a failed issuance: on a missing key it is logged and `sitecert exchange`
    catches up."""
    ids, issued = list(legacy_ids), []
    for policy in region_policies(as_of):  # each region's round decides its own certificates
        due = list(candidates(policy=policy, as_of=as_of).filter(pk__in=ids).values_list("pk", flat=True))
        if not due:
            continue
        try:
            with transaction.atomic():
                issued += certificates_issue(legacy_ids=due, policy=policy, as_of=as_of, now=now)
        except DomainError as exc:
            log.warning("exchange postponed for %s: %s", due, exc.message)
    return issued


@dataclass
class RunResult:
    as_of: date
    candidates: int = 0
    issued: int = 0


def exchange_run(*, as_of: date, now: datetime, batch: int = 2000, progress=None) -> RunResult:
    """Issue every e-certificate due on `as_of` in every region whose round is open, in batches (each its
    own transaction). Refused with the reason when every round has closed."""
    rounds = region_policies(as_of)
    open_rounds = [p for p in rounds if window(p, as_of) == "open"]
    if not open_rounds and all(window(p, as_of) == "closed" for p in rounds):
        policy = policy_in_force(on=as_of)
        raise DomainError(
            _("换证已于 %(day)s 截止，原证书已自动作废") % {"day": policy.exchange_closes},
            code="deadline_passed",
        )
    result = RunResult(as_of)
    for policy in open_rounds:
        ids = list(candidates(policy=policy, as_of=as_of).order_by("pk").values_list("pk", flat=True))
        result.candidates += len(ids)
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            result.issued += len(certificates_issue(legacy_ids=chunk, policy=policy, as_of=as_of, now=now))
            if progress:
                progress(len(chunk))
    return result


def on_progress(*, records, on: date, now: datetime, **kwargs) -> None:
    """Receiver of learning's `progress_recorded` (connected in CertificatesConfig.ready): the old
    certificates those records began with may have met their last requirement."""
    legacy_ids = TrainingRecord.objects.filter(pk__in=records, legacy__isnull=False).values_list(
        "legacy_id", flat=True
    )
    exchange_on_progress(legacy_ids=list(legacy_ids), as_of=on, now=now)


def records_by_ecertificate(numbers: set[str]) -> dict[str, TrainingRecord]:
    """A record finder for learning: an e-certificate's number names the training record it continues."""
    found = ECertificate.objects.filter(number__in=numbers).select_related("record__person", "record__post")
    return {e.number: e.record for e in found}
