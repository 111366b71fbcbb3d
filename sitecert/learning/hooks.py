"""What learning tells the floors above it, without importing them (as django.contrib.auth sends
`user_logged_in` and never imports who listens). The certificates app connects to both in its AppConfig."""

from collections.abc import Callable
from datetime import date, datetime

from django.dispatch import Signal

# Sent inside the transaction that recorded progress (an hour record, an assessment pass), with
# `records` (ids of the training records that gained it), `on` (the day it counts for)
# and `now`. A receiver that issues an e-certificate does so in that same transaction: exactly once, or not
# at all if the progress is rolled back.
progress_recorded = Signal()

# Finders of training records by a number other than an old certificate's (after the exchange, institutions
# name the e-certificate): each takes the numbers and returns {number: the record it names}.
RecordFinder = Callable[[set[str]], dict]
record_finders: list[RecordFinder] = []


def progress_send(*, records, on: date, now: datetime) -> None:
    progress_recorded.send(sender=None, records=list(records), on=on, now=now)


# Guards over learning: each takes training records (saved or not yet begun) and a day and returns, for each,
# why it may not be learned for (the explanation and the way forward) or None. The certificates app refuses
# records whose old certificate a closed round voided, or whose e-certificate lapsed, while no valid
# e-certificate continues them.
LearningGuard = Callable[[list, date], list[str | None]]
learning_guards: list[LearningGuard] = []


def learning_refusals(records: list, on: date) -> list[str | None]:
    reasons: list[str | None] = [None] * len(records)
    for guard in learning_guards:
        reasons = [mine or theirs for mine, theirs in zip(reasons, guard(records, on), strict=True)]
    return reasons


def learning_refusal(record, on: date) -> str | None:
    return learning_refusals([record], on)[0]
