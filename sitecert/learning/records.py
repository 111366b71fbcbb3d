"""Training records (个人培训档案): begun where learning first happens (an enrolment, a report, an assessment)
or where an e-certificate is issued. One per old certificate; one per post for a person without one (a first
certificate by training)."""

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction

from sitecert.learning.hooks import record_finders
from sitecert.learning.models import TrainingRecord
from sitecert.registry.models import LegacyCertificate, Person, Post


def records_of_legacies(legacies: Iterable[LegacyCertificate]) -> dict[int, TrainingRecord]:
    """Each old certificate's record, by the certificate's id; not yet saved where none was begun (see
    records_begin), so that reading never writes."""
    legacies = list(legacies)
    found = {
        r.legacy_id: r
        for r in TrainingRecord.objects.filter(legacy__in=legacies).select_related("person", "post", "legacy")
    }
    for c in legacies:
        if c.pk not in found:
            found[c.pk] = TrainingRecord(person=c.holder, post_id=c.post_id, legacy=c)
    return found


def records_begin(records: Iterable[TrainingRecord], *, now: datetime) -> None:
    """Save those of `records` not saved yet (in the caller's transaction). A racing writer may begin the same
    record: the unique old certificate keeps one, and every object here gets its id."""
    new = [r for r in records if r.pk is None]
    if not new:
        return
    for record in new:
        record.created_at = now
    TrainingRecord.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    ids = dict(
        TrainingRecord.objects.filter(legacy__in=[r.legacy_id for r in new]).values_list("legacy_id", "pk")
    )
    for record in new:
        record.pk = ids[record.legacy_id]


def record_for_legacy(legacy: LegacyCertificate, *, now: datetime) -> TrainingRecord:
    record = records_of_legacies([legacy])[legacy.pk]
    records_begin([record], now=now)
    return record


def record_for_post(*, person: Person, post: Post, now: datetime) -> TrainingRecord:
    """A person's record for a post without an old certificate (a first certificate by training)."""
    try:
        with transaction.atomic():
            record, _created = TrainingRecord.objects.get_or_create(
                person=person, post=post, legacy=None, defaults={"created_at": now}
            )
    except IntegrityError:  # begun by a racing writer meanwhile
        record = TrainingRecord.objects.get(person=person, post=post, legacy=None)
    return record


def records_by_number(numbers: set[str]) -> dict[str, TrainingRecord]:
    """The record each number names: an old certificate's (unsaved if not begun), or one a finder knows (an
    e-certificate's)."""
    legacies = list(LegacyCertificate.objects.filter(certificate_no__in=numbers).select_related("holder"))
    by_id = records_of_legacies(legacies)
    found = {c.certificate_no: by_id[c.pk] for c in legacies}
    for finder in record_finders:
        found.update(finder(numbers))
    return found
