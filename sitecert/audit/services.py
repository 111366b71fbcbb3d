"""The append-only audit log: each entry's hash covers its content and the previous entry's hash, so an
edited, inserted or deleted entry breaks the chain from that point on (`sitecert audit verify`)."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from django.db import transaction

from sitecert.audit.models import AuditEntry, AuditHead

# What else an entry of an action vouches for (e.g. a digest over rows written with it), checked by
# audit_verify; apps register their checks at start-up.
CHECKS: dict[str, Callable[[AuditEntry], str | None]] = {}


@dataclass(frozen=True)
class Event:
    actor: str
    action: str
    subject: str
    data: dict


def entry_hash(*, prev_hash: str, seq: int, at: datetime, event: Event) -> str:
    """SHA-256 over the previous hash and the entry in RFC 8785 canonical JSON."""
    body: dict[str, Any] = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "data": event.data,
    }
    return hashlib.sha256(prev_hash.encode() + rfc8785.dumps(body)).hexdigest()


def audit_append(*, events: Iterable[Event], at: datetime) -> list[AuditEntry]:
    """Append events in order, in the caller's transaction; concurrent appenders queue on the head row."""
    with transaction.atomic():
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
        entries = []
        for event in events:
            seq = head.last_seq + 1
            digest = entry_hash(prev_hash=head.last_hash, seq=seq, at=at, event=event)
            entries.append(
                AuditEntry(
                    seq=seq,
                    at=at,
                    actor=event.actor,
                    action=event.action,
                    subject=event.subject,
                    data=event.data,
                    prev_hash=head.last_hash,
                    hash=digest,
                )
            )
            head.last_seq, head.last_hash = seq, digest
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        head.save(update_fields=["last_seq", "last_hash"])
    return entries


def audit_verify() -> list[str]:
    """Walk the chain in order; return what is wrong (empty: intact)."""
    problems = []
    prev_hash, expected_seq = "0" * 64, 1
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=5000):
        if entry.seq != expected_seq:
            problems.append(f"#{expected_seq}–#{entry.seq - 1} missing (deleted)")
        event = Event(entry.actor, entry.action, entry.subject, entry.data)
        if entry.prev_hash != prev_hash:
            problems.append(f"#{entry.seq} does not follow the entry before it")
        if entry_hash(prev_hash=entry.prev_hash, seq=entry.seq, at=entry.at, event=event) != entry.hash:
            problems.append(f"#{entry.seq} altered (its hash does not match its content)")
        if (check := CHECKS.get(entry.action)) and (problem := check(entry)):
            problems.append(problem)
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq, head.last_hash) != (expected_seq - 1, prev_hash):
        problems.append(
            f"the log ends at #{expected_seq - 1} but #{head.last_seq} was written (deleted at the end)"
        )
    return problems
