"""Reads for the portals and the API that gather several apps for one page: what the public, a holder, an
employer and the authority each see."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sitecert.certificates.eligibility import Eligibility, explain_many, region_policies
from sitecert.certificates.models import ECertificate
from sitecert.certificates.voiding import EXCHANGED, VOIDED, Shown, legacy_shown, shown_statuses, status_shown
from sitecert.duty.explanation import Standing
from sitecert.duty.explanation import explain_many as duty_explain_many
from sitecert.learning.hooks import learning_refusals
from sitecert.learning.models import TrainingRecord
from sitecert.learning.records import records_of_legacies
from sitecert.lib.idnumber import mask
from sitecert.people.models import Organisation, RosterEntry
from sitecert.people.roster import standing_disputes
from sitecert.registry.models import LegacyCertificate, LegacyStatus, Person, Post


@dataclass(frozen=True)
class PublicCertificate:
    """What anyone may see of an old certificate: the ID number masked, the status as shown on the day
    (voided after its round's deadline, or exchanged)."""

    certificate_no: str
    name: str
    id_number_masked: str
    post: str
    issued_on: date
    issuer: str
    status: str
    status_label: str
    status_reason: str
    ecertificate: str | None


def public_certificates(certificates: list[LegacyCertificate], *, on: date) -> list[PublicCertificate]:
    shown = legacy_shown(certificates, on=on)
    return [
        PublicCertificate(
            certificate_no=c.certificate_no,
            name=c.holder.name,
            id_number_masked=mask(c.holder.id_number),
            post=str(c.post),
            issued_on=c.issued_on,
            issuer=c.issuer,
            status=shown[c.pk].status,
            status_label=shown[c.pk].label,
            status_reason=shown[c.pk].reason,
            ecertificate=shown[c.pk].ecertificate,
        )
        for c in certificates
    ]


def record_number(record: TrainingRecord) -> str:
    """The certificate number a training record is known by: its newest e-certificate's, else its old one's."""
    newest = record.ecertificates.order_by("-issued_on", "-pk").first() if record.pk else None
    if newest:
        return newest.number
    return record.legacy.certificate_no if record.legacy_id else str(record.post)


def year_standing(record: TrainingRecord, today: date) -> Standing | None:
    """The yearly duty of the record's valid e-certificate (what this year still needs), if it has one."""
    valid = record.ecertificates.filter(status=ECertificate.Status.VALID, issued_on__lte=today).order_by(
        "-pk"
    )
    ecert = valid.first() if record.pk else None
    return duty_explain_many(certificates=[ecert], as_of=today).get(ecert.pk) if ecert else None


@dataclass
class HolderCertificate:
    """One line of a holder's certificates: a training record, with the old certificate it began with (if
    any) as shown today, its exchange explained while its round can still be, and its newest e-certificate
    with the yearly duty."""

    record: TrainingRecord  # saved, or not yet begun (no learning so far)
    certificate: LegacyCertificate | None
    shown: Shown | None
    exchange: Eligibility | None
    current: ECertificate | None = None
    duty: Standing | None = None
    refusal: str | None = None  # why it may not be learned for now, with the way forward

    @property
    def next_step(self) -> str:
        if self.current is not None:
            return _("电子证书 %(no)s（%(status)s）") % {
                "no": self.current.number,
                "status": self.current.get_status_display(),
            }
        if self.shown and self.shown.status == VOIDED:
            return self.refusal or self.shown.reason
        result = self.exchange
        if result is None:
            return self.refusal or ""
        if result.eligible:
            return _("已满足全部换证条件，系统将自动换发电子证书。")
        if result.state == "closed":
            return "；".join(result.blocking)
        return _("参加继续教育：%(missing)s") % {"missing": "；".join(result.blocking)}


def holder_certificates(*, person: Person, as_of: date) -> list[HolderCertificate]:
    """Every training record of the person: one per old certificate, and those begun without one."""
    certs = list(
        LegacyCertificate.objects.filter(holder=person)
        .select_related("post", "holder")
        .order_by("-issued_on")
    )
    records = records_of_legacies(certs)
    others = TrainingRecord.objects.filter(person=person, legacy__isnull=True).select_related("post")
    shown = legacy_shown(certs, on=as_of)
    open_round = [c for c in certs if shown[c.pk].status != VOIDED]
    exchange = explain_many(certificates=open_round, as_of=as_of)
    items = [HolderCertificate(records[c.pk], c, shown[c.pk], exchange.get(c.pk)) for c in certs]
    items += [HolderCertificate(r, None, None, None) for r in others]
    current: dict[int, ECertificate] = {}
    saved = [item.record.pk for item in items if item.record.pk]
    for ecert in ECertificate.objects.filter(record__in=saved, issued_on__lte=as_of).order_by(
        "issued_on", "pk"
    ):
        current[ecert.record_id] = ecert
    duties = duty_explain_many(certificates=current.values(), as_of=as_of)
    refusals = learning_refusals([item.record for item in items], as_of)
    for item, refusal in zip(items, refusals, strict=True):
        item.current = current.get(item.record.pk) if item.record.pk else None
        item.duty = duties.get(item.current.pk) if item.current else None
        item.refusal = refusal
    return items


def holder_roster(*, person: Person) -> QuerySet[RosterEntry]:
    return (
        RosterEntry.objects.filter(person=person).select_related("employer", "post").order_by("-started_on")
    )


@dataclass
class StaffRow:
    entry: RosterEntry
    certificates: list[LegacyCertificate]  # as the public query shows them, unless the link is disputed
    exchange: dict[int, Eligibility]  # each certificate's exchange, explained (open entries only)
    shown: dict[int, Shown]  # each certificate as shown today (voided after its round, exchanged)
    ecertificate: ECertificate | None = None  # the newest e-certificate for the post, however it was issued
    opened: bool = False  # vouched for and not disputed: progress and links (docs/security.md)

    @property
    def status(self) -> str:
        """The best standing for this post: an e-certificate's, else the best old certificate's ("none")."""
        if self.ecertificate is not None:
            return "ecertificate"
        statuses = {self.shown[c.pk].status for c in self.certificates}
        for status in STAFF_ORDER:
            if status in statuses:
                return status
        return "none"

    @property
    def lines(self) -> list[tuple[LegacyCertificate, Shown, Eligibility | None]]:
        return [
            (c, self.shown[c.pk], self.exchange.get(c.pk) if self.opened else None) for c in self.certificates
        ]


STAFF_ORDER = [EXCHANGED, LegacyStatus.VALID, VOIDED, LegacyStatus.INVALID, LegacyStatus.CANCELLED]
STAFF_STATUSES = [
    ("ecertificate", gettext_lazy("有电子证书")),
    (LegacyStatus.VALID.value, gettext_lazy("原证书有效（换证期内）")),
    (VOIDED, gettext_lazy("原证书已作废")),
    (LegacyStatus.INVALID.value, LegacyStatus.INVALID.label),
    (LegacyStatus.CANCELLED.value, LegacyStatus.CANCELLED.label),
    ("none", gettext_lazy("无证书")),
]


def employer_staff(
    *, employer: Organisation, as_of: date, post: Post | None = None, status: str = ""
) -> list[StaffRow]:
    """The employer's current roster with each person's certificates for the post they work in: the
    e-certificate, and the old certificates as shown today, and, for the entries open to it
    (`RosterEntry.objects.open_on`), how far each is from its exchange.

    An entry the holder has not confirmed shows what the public query and verification show (numbers and
    status, no progress, no links); a disputed link shows the dispute alone ("not our employee" closes the
    door)."""
    entries = (
        RosterEntry.objects.filter(employer=employer)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
        .select_related("person", "post")
        .order_by("person__name", "post__sort_order")
    )
    if post is not None:
        entries = entries.filter(post=post)
    entries = list(entries)
    people = {e.person_id for e in entries}
    opened = set(
        RosterEntry.objects.open_on(as_of).filter(pk__in=[e.pk for e in entries]).values_list("pk", flat=True)
    )
    disputed = set(standing_disputes(employer, people))
    certs = defaultdict(list)
    for cert in LegacyCertificate.objects.filter(holder_id__in=people - disputed).select_related("post"):
        certs[(cert.holder_id, cert.post_id)].append(cert)
    everything = [c for group in certs.values() for c in group]
    shown = legacy_shown(everything, on=as_of)
    explained = {
        c.pk: c
        for e in entries
        if e.pk in opened
        for c in certs[(e.person_id, e.post_id)]
        if shown[c.pk].status != VOIDED
    }
    exchange = explain_many(certificates=list(explained.values()), as_of=as_of)
    ecerts: dict[tuple[int, int], ECertificate] = {}
    for ecert in ECertificate.objects.filter(holder_id__in=people - disputed, issued_on__lte=as_of).order_by(
        "issued_on", "pk"
    ):
        ecerts[(ecert.holder_id, ecert.post_id)] = ecert
    rows = []
    for e in entries:
        listed = e.status == RosterEntry.Status.CONFIRMED and e.person_id not in disputed
        key = (e.person_id, e.post_id)
        rows.append(
            StaffRow(
                e,
                certs[key] if listed else [],
                exchange,
                shown,
                ecerts.get(key) if listed else None,
                e.pk in opened,
            )
        )
    return [r for r in rows if r.status == status] if status else rows


def authority_counts(*, as_of: date) -> list[tuple[Post, list[int], int]]:
    """Old certificates by post and status as shown on the day (voiding.shown_statuses order), with totals:
    exchanged, voided by a closed round, or the registry's status (one grouped query)."""
    rows = LegacyCertificate.objects.values("post_id", "status", "issuer")
    exchanged = ECertificate.objects.filter(legacy=OuterRef("pk"), issued_on__lte=as_of)
    counts: dict[int, Counter] = defaultdict(Counter)
    policies = region_policies(as_of)
    for row in (
        rows.annotate(exchanged=Exists(exchanged))
        .values("post_id", "status", "issuer", "exchanged")
        .annotate(n=Count("id"))
    ):
        counts[row["post_id"]][
            status_shown(
                issuer=row["issuer"],
                status=row["status"],
                exchanged=row["exchanged"],
                policies=policies,
                on=as_of,
            )
        ] += row["n"]
    codes = [code for code, _label in shown_statuses()]
    return [
        (p, [counts[p.pk][code] for code in codes], sum(counts[p.pk].values())) for p in Post.objects.all()
    ]


def organisations_pending() -> QuerySet[Organisation]:
    return Organisation.objects.filter(status=Organisation.Status.PENDING).order_by("created_at")
