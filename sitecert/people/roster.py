"""Employers' rosters (在岗人员): who works in which post, from when to when.

Entries are added one by one or from a spreadsheet with the registry import's discipline: every row
validated, a row-numbered report of the rejected ones, the good ones written in one transaction.
"""

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sitecert.audit.services import Event, audit_append
from sitecert.errors import DomainError
from sitecert.lib import idnumber
from sitecert.lib.dates import parse_date
from sitecert.lib.tabular import Layout
from sitecert.lib.textnorm import clean, clean_name
from sitecert.people.models import Organisation, RosterEntry, User
from sitecert.people.services import parse_id_number, parse_name
from sitecert.registry.models import Person, Post
from sitecert.registry.posts import PostResolver
from sitecert.uploads import UploadResult, id_excel_message, read_records

COLUMNS = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "id_number"),
    "name": ("姓名", "name"),
    "post": ("岗位", "post"),
    "specialty": ("专业", "specialty"),
    "started_on": ("起始日期", "入职日期", "started_on"),
    "ended_on": ("截止日期", "离职日期", "ended_on"),
}
OPTIONAL = ("specialty", "ended_on")


def _require_employer(employer: Organisation, by: User) -> None:
    if not employer.admits(by, Organisation.Kind.EMPLOYER):
        raise DomainError(_("只有已审核的用人单位可以维护在岗人员"), code="forbidden", status=403)


def _check_dates(started_on: date, ended_on: date | None, today: date) -> None:
    if started_on > today:
        raise DomainError(_("起始日期不能晚于今天"), code="date_future", field="started_on")
    if ended_on and ended_on < started_on:
        raise DomainError(_("截止日期不能早于起始日期"), code="date_order", field="ended_on")


def roster_entry_add(
    *,
    employer: Organisation,
    by: User,
    id_number: str,
    name: str,
    post: Post,
    started_on: date,
    ended_on: date | None = None,
    today: date,
) -> RosterEntry:
    """Add one person, who must be known (registered, or in the registry) under that exact name."""
    _require_employer(employer, by)
    _check_dates(started_on, ended_on, today)
    person = Person.objects.filter(id_number=parse_id_number(id_number), name=parse_name(name)).first()
    if person is None:
        raise DomainError(
            _("未找到该身份证号和姓名对应的人员（须已注册或在原证书库中）"),
            code="person_unknown",
            field="id_number",
        )
    standing = standing_disputes(employer, {person.pk}).get(person.pk)
    entry, _created = RosterEntry.objects.get_or_create(
        employer=employer,
        person=person,
        post=post,
        started_on=started_on,
        defaults={"ended_on": ended_on, "created_by": by, **_disputed(standing)},
    )
    return entry


def standing_disputes(employer: Organisation, person_ids: Iterable[int]) -> dict[int, str]:
    """The people among `person_ids` who dispute an entry of this employer, with their reason."""
    found = RosterEntry.objects.filter(
        employer=employer, person_id__in=list(person_ids), status=RosterEntry.Status.DISPUTED
    ).order_by("pk")
    return dict(found.values_list("person_id", "dispute_reason"))


def _disputed(reason: str | None) -> dict:
    """A new entry of a disputed link is born disputed: a fresh entry must not undo the holder's word
    (neither the employer's view nor the yearly duty's 'in post' may come back by adding a row)."""
    return {} if reason is None else {"status": RosterEntry.Status.DISPUTED, "dispute_reason": reason}


def roster_import(
    *, employer: Organisation, by: User, path: Path | str, file_name: str, today: date
) -> UploadResult:
    """Import a roster file. DomainError when the whole file is refused (nothing written)."""
    _require_employer(employer, by)
    with translation.override("zh-hans"):
        layout, rows = read_records(Path(path), file_name, COLUMNS, OPTIONAL)
        return _RosterRows(employer, by, layout, today).run(rows)


class _RosterRows:
    def __init__(self, employer, by, layout: Layout, today: date):
        self.employer, self.by, self.layout, self.today = employer, by, layout, today
        self.posts = PostResolver()
        self.result = UploadResult()

    def reject(self, row_no: int, key: str, code: str, message: str) -> None:
        self.result.reject(row_no, self.layout.column(key), code, message)

    def parse(self, row_no: int, row: dict) -> tuple | None:
        before = len(self.result.rejections)
        raw_id = row.get("id_number")
        try:
            number = idnumber.parse_cell(raw_id, clean(raw_id)).value
        except idnumber.InvalidIdNumber as exc:
            number = None
            excel = exc.code == "excel_number"
            message = id_excel_message() if excel else _("身份证号不正确")
            self.reject(row_no, "id_number", "id_excel_number" if excel else "id_number", message)
        name = clean_name(row.get("name"))
        if not name:
            self.reject(row_no, "name", "required", _("姓名为空"))
        post = self.posts.resolve(clean(row.get("post")), clean(row.get("specialty")))
        if not isinstance(post, int):
            self.reject(row_no, "post", post, _("岗位“%(post)s”无法识别") % {"post": clean(row.get("post"))})
        dates = []
        for key in ("started_on", "ended_on"):
            raw = row.get(key)
            if raw in (None, "") and key == "ended_on":
                dates.append(None)
                continue
            try:
                dates.append(parse_date(raw if not isinstance(raw, str) else clean(raw)))
            except ValueError:
                dates.append(None)
                self.reject(row_no, key, "date_format", _("日期“%(value)s”无法识别") % {"value": clean(raw)})
        started_on, ended_on = dates
        if started_on and started_on > self.today:
            self.reject(row_no, "started_on", "date_future", _("起始日期不能晚于今天"))
        if started_on and ended_on and ended_on < started_on:
            self.reject(row_no, "ended_on", "date_order", _("截止日期不能早于起始日期"))
        if len(self.result.rejections) > before:
            return None
        return number, name, post, started_on, ended_on

    def run(self, rows: list[tuple[int, dict]]) -> UploadResult:
        parsed = {}
        for row_no, row in rows:
            if (record := self.parse(row_no, row)) is not None:
                parsed[row_no] = record
        people = self._people({r[0] for r in parsed.values()})
        wanted: dict[tuple, tuple[int, date | None]] = {}
        for row_no, (number, name, post, started_on, ended_on) in parsed.items():
            person = people.get(number)
            if person is None or person.name != name:
                self.reject(row_no, "id_number", "person_unknown", _("未找到该身份证号和姓名对应的人员"))
                continue
            key = (person.pk, post, started_on)
            if key in wanted:
                if wanted[key][1] != ended_on:
                    self.reject(
                        row_no,
                        "ended_on",
                        "conflict",
                        _("与第%(row)d行是同一人员同一岗位，截止日期不一致") % {"row": wanted[key][0]},
                    )
                else:
                    self.result.duplicate += 1
                continue
            wanted[key] = (row_no, ended_on)
        self.result.rejections.sort()
        self._write(wanted)
        return self.result

    def _people(self, numbers: set[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        ordered = sorted(numbers)
        for i in range(0, len(ordered), 500):
            found.update((p.id_number, p) for p in Person.objects.filter(id_number__in=ordered[i : i + 500]))
        return found

    def _write(self, wanted: dict[tuple, tuple[int, date | None]]) -> None:
        existing = {
            (e.person_id, e.post_id, e.started_on): e
            for e in RosterEntry.objects.filter(employer=self.employer, person_id__in={k[0] for k in wanted})
        }
        disputes = standing_disputes(self.employer, {k[0] for k in wanted})
        new, changed = [], []
        for (person_id, post_id, started_on), (_row, ended_on) in wanted.items():
            entry = existing.get((person_id, post_id, started_on))
            if entry is None:
                new.append(
                    RosterEntry(
                        employer=self.employer,
                        person_id=person_id,
                        post_id=post_id,
                        started_on=started_on,
                        ended_on=ended_on,
                        created_by=self.by,
                        **_disputed(disputes.get(person_id)),
                    )
                )
            elif entry.ended_on != ended_on:
                entry.ended_on = ended_on
                changed.append(entry)
            else:
                self.result.unchanged += 1
        with transaction.atomic():
            RosterEntry.objects.bulk_create(new, batch_size=1000)
            RosterEntry.objects.bulk_update(changed, ["ended_on"], batch_size=1000)
        self.result.created, self.result.updated = len(new), len(changed)


def _holder_entry(entry: RosterEntry, holder: User) -> None:
    if entry.person_id is None or entry.person_id != holder.person_id:
        raise DomainError(_("只能处理列有本人的记录"), code="forbidden", status=403)


def _audit(entry: RosterEntry, by: User, action: str, now: datetime, **data) -> None:
    subject = f"roster:{entry.pk}"
    data = {"employer": entry.employer_id, "person": entry.person_id, **data}
    audit_append(events=[Event(by.username, f"roster.{action}", subject, data)], at=now)


def roster_entry_confirm(*, entry: RosterEntry, holder: User, now: datetime) -> RosterEntry:
    """The person listed confirms the employment: from now on the employer sees their certificates,
    progress and duty through this entry (docs/security.md)."""
    _holder_entry(entry, holder)
    if entry.status == RosterEntry.Status.DISPUTED:
        raise DomainError(_("该记录有您的异议，请先撤销异议"), code="disputed", status=409)
    with transaction.atomic():
        entry.consent, entry.consent_at = RosterEntry.Consent.HOLDER, now
        entry.save(update_fields=["consent", "consent_at"])
        _audit(entry, holder, "confirm", now)
    return entry


def roster_entry_dispute(*, entry: RosterEntry, holder: User, reason: str, now: datetime) -> RosterEntry:
    """The person listed says the entry is wrong: the employer sees the dispute and nothing more of the
    person, through any of its entries, until the holder lifts it."""
    _holder_entry(entry, holder)
    with transaction.atomic():
        entry.status, entry.dispute_reason = RosterEntry.Status.DISPUTED, clean(reason)[:200]
        entry.save(update_fields=["status", "dispute_reason"])
        _audit(entry, holder, "dispute", now, reason=entry.dispute_reason)
    return entry


def roster_entry_lift(*, entry: RosterEntry, holder: User, now: datetime) -> RosterEntry:
    """The holder withdraws their dispute of this entry (only they can). It keeps the consent it had:
    an entry never confirmed still waits for the holder's confirmation."""
    _holder_entry(entry, holder)
    if entry.status != RosterEntry.Status.DISPUTED:
        raise DomainError(_("该记录没有异议"), code="not_disputed", status=409)
    with transaction.atomic():
        entry.status, entry.dispute_reason = RosterEntry.Status.CONFIRMED, ""
        entry.save(update_fields=["status", "dispute_reason"])
        _audit(entry, holder, "lift", now)
    return entry


def roster_entries_vouch(*, entries: Iterable[RosterEntry], by: User, now: datetime) -> int:
    """The authority vouches for entries from its own records (social insurance, a project's filing),
    as the holder's confirmation would; a dispute still stands until the holder lifts it."""
    if not by.is_staff:
        raise DomainError(_("只有主管部门可以核实在岗记录"), code="forbidden", status=403)
    pending = [e for e in entries if e.consent == RosterEntry.Consent.PENDING]
    with transaction.atomic():
        RosterEntry.objects.filter(pk__in=[e.pk for e in pending]).update(
            consent=RosterEntry.Consent.AUTHORITY, consent_at=now
        )
        events = [
            Event(
                by.username,
                "roster.vouch",
                f"roster:{e.pk}",
                {"employer": e.employer_id, "person": e.person_id},
            )
            for e in pending
        ]
        if events:
            audit_append(events=events, at=now)
    return len(pending)


def roster_entry_end(*, entry: RosterEntry, by: User, ended_on: date, today: date) -> RosterEntry:
    """The employer records the end of the employment; from the day after, it sees no more of the person
    through this entry."""
    _require_employer(entry.employer, by)
    _check_dates(entry.started_on, ended_on, today)
    entry.ended_on = ended_on
    entry.save(update_fields=["ended_on"])
    return entry
