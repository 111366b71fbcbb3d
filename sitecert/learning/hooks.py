"""What learning tells the floors above it, without importing them (as django.contrib.auth sends
`user_logged_in` and never imports who listens). The certificates app connects to both in its AppConfig."""

from collections.abc import Callable
from datetime import date, datetime

from django.dispatch import Signal

from sitecert.registry.models import LegacyCertificate

# Sent inside the transaction that recorded progress (an hour record, an assessment pass), with
# `records` (ids of the training records, i.e. old certificates, that gained it), `on` (the day it counts for)
# and `now`. A receiver that issues an e-certificate does so in that same transaction: exactly once, or not
# at all if the progress is rolled back.
progress_recorded = Signal()

# Finders of training records by a number other than an old certificate's (after the exchange, institutions
# name the e-certificate): each takes the numbers and returns {number: the old certificate whose record it is}.
RecordFinder = Callable[[set[str]], dict[str, LegacyCertificate]]
record_finders: list[RecordFinder] = []


def progress_send(*, records, on: date, now: datetime) -> None:
    progress_recorded.send(sender=LegacyCertificate, records=list(records), on=on, now=now)


def records_find(numbers: set[str]) -> dict[str, LegacyCertificate]:
    """Each number's training record: an old certificate's own, or one a finder knows."""
    found = {
        c.certificate_no: c
        for c in LegacyCertificate.objects.filter(certificate_no__in=numbers).select_related("holder")
    }
    for finder in record_finders:
        found.update(finder(numbers))
    return found
