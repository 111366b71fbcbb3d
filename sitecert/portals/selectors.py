"""Reads for the portals: what a holder, an employer and the authority each see."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sitecert.certificates.eligibility import Eligibility, explain_many
from sitecert.certificates.models import ECertificate
from sitecert.duty.explanation import Standing
from sitecert.duty.explanation import explain_many as duty_explain_many
from sitecert.people.models import Organisation, RosterEntry
from sitecert.people.roster import standing_disputes
from sitecert.registry.models import LegacyCertificate, LegacyStatus, Person, Post


@dataclass
class HolderCertificate:
    certificate: LegacyCertificate
    exchange: Eligibility  # the exchange explained as of the day asked
    current: ECertificate | None = None  # the newest e-certificate on this training record (after retraining)
    duty: Standing | None = None  # its yearly duty

    @property
    def next_step(self) -> str:
        result = self.exchange
        if result.exchanged:
            return _("已换发电子证书 %(no)s") % {"no": result.ecertificate.number}
        if result.eligible:
            return _("已满足全部换证条件，系统将自动换发电子证书。")
        if result.state == "closed":
            return "；".join(result.blocking)
        return _("参加继续教育：%(missing)s") % {"missing": "；".join(result.blocking)}


def holder_certificates(*, person: Person, as_of: date) -> list[HolderCertificate]:
    certs = list(
        LegacyCertificate.objects.filter(holder=person).select_related("post").order_by("-issued_on")
    )
    exchange = explain_many(certificates=certs, as_of=as_of)
    current = {}
    for ecert in ECertificate.objects.filter(record__in=certs, issued_on__lte=as_of).order_by(
        "issued_on", "pk"
    ):
        current[ecert.record_id] = ecert
    duties = duty_explain_many(certificates=current.values(), as_of=as_of)
    return [
        HolderCertificate(
            c,
            exchange[c.pk],
            current.get(c.pk),
            duties.get(current[c.pk].pk) if c.pk in current else None,
        )
        for c in certs
    ]


def holder_roster(*, person: Person) -> QuerySet[RosterEntry]:
    return (
        RosterEntry.objects.filter(person=person).select_related("employer", "post").order_by("-started_on")
    )


@dataclass
class StaffRow:
    entry: RosterEntry
    certificates: list[LegacyCertificate]  # what the public query shows, unless the link is disputed
    exchange: dict[int, Eligibility]  # each certificate's exchange, explained (open entries only)
    opened: bool = False  # vouched for and not disputed: progress shown (docs/security.md)

    @property
    def status(self) -> str:
        """The best standing among the person's certificates for this post ("none" without one)."""
        statuses = {c.status for c in self.certificates}
        for status in (LegacyStatus.VALID, LegacyStatus.INVALID, LegacyStatus.CANCELLED):
            if status in statuses:
                return status
        return "none"

    @property
    def exchanges(self) -> list[tuple[LegacyCertificate, Eligibility]]:
        return [(c, self.exchange[c.pk]) for c in self.certificates] if self.opened else []


STAFF_STATUSES = [*LegacyStatus.choices, ("none", gettext_lazy("无证书"))]


def employer_staff(
    *, employer: Organisation, as_of: date, post: Post | None = None, status: str = ""
) -> list[StaffRow]:
    """The employer's current roster with each person's certificates for the post they work in, and, for
    the entries open to it (`RosterEntry.objects.open_on`), how far each is from its e-certificate.

    An entry the holder has not confirmed shows what the public query shows (the certificates' numbers
    and registry status); a disputed link shows the dispute alone ("not our employee" closes the door)."""
    entries = (
        RosterEntry.objects.filter(employer=employer)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=as_of))
        .select_related("person", "post")
        .order_by("person__name", "post__sort_order")
    )
    if post is not None:
        entries = entries.filter(post=post)
    entries = list(entries)
    opened = set(
        RosterEntry.objects.open_on(as_of).filter(pk__in=[e.pk for e in entries]).values_list("pk", flat=True)
    )
    disputed = set(standing_disputes(employer, {e.person_id for e in entries}))
    certs = defaultdict(list)
    for cert in LegacyCertificate.objects.filter(
        holder_id__in={e.person_id for e in entries} - disputed
    ).select_related("post"):
        certs[(cert.holder_id, cert.post_id)].append(cert)
    shown = [c for e in entries if e.pk in opened for c in certs[(e.person_id, e.post_id)]]
    exchange = explain_many(certificates=shown, as_of=as_of)
    rows = [StaffRow(e, certs[(e.person_id, e.post_id)], exchange, e.pk in opened) for e in entries]
    return [r for r in rows if r.status == status] if status else rows


def authority_counts() -> list[dict]:
    """Old certificates by post and status, for the authority's dashboard (one grouped query)."""
    posts = list(Post.objects.all())
    counts = defaultdict(dict)
    for row in LegacyCertificate.objects.values("post_id", "status").annotate(n=Count("id")):
        counts[row["post_id"]][row["status"]] = row["n"]
    table = [
        {
            "post": p,
            **{s: counts[p.pk].get(s, 0) for s in LegacyStatus.values},
            "total": sum(counts[p.pk].values()),
        }
        for p in posts
    ]
    return table


def organisations_pending() -> QuerySet[Organisation]:
    return Organisation.objects.filter(status=Organisation.Status.PENDING).order_by("created_at")
