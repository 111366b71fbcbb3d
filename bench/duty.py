"""Benchmark of the yearly-duty evaluation (run on demand): one database, one run, the same data for every
figure. N e-certificates issued in the 2020 exchange (default 1,000,000), ten hour records each (10,000,000),
a roster entry each, evaluated as of 2026-11-25 (two windows closed, the third in progress):

1. the floor: the bare aggregate query over the same tables (each certificate's hours, one GROUP BY, every
   row fetched), in its own process;
2. sitecert: `sitecert evaluate-duty` in its own process (time and peak memory), the first run (every
   Duty row written, the lapses and their audit entries) and the run again (nothing changes);
3. a per-certificate ORM loop (each window's hours and roster check queried per certificate) on a sample of
   10,000 certificates, extrapolated to N.
Histories: 60% on time, 15% behind (2025 short), 15% lapsed for hours (2021–2022), 10% out of post since 2020.
Prints a table, then one JSON line.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, Engine, migrate, run

AS_OF = date(2026, 11, 25)
SAMPLE = 10_000
CHUNK = 50_000
AREAS = [f"1201{n:02d}" for n in (1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)]


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django

    django.setup()


def setup_worker(n: int) -> None:
    """Load N certificates and their histories with bulk SQL (COPY on PostgreSQL): not measured."""
    _django()
    from django.db import connection

    from sitecert.learning.models import Course
    from sitecert.lib.uscc import build as build_uscc
    from sitecert.people.models import Organisation
    from sitecert.registry.models import Post

    institution = Organisation.objects.create(
        kind="institution", name="基准测试培训中心", uscc=build_uscc("52120000MJ0500001"), status="active"
    )
    employers = [
        Organisation.objects.create(
            kind="employer", name=f"基准建工{i}", uscc=build_uscc(f"9112011{i:02d}MA05L2Q7"), status="active"
        ).pk
        for i in range(50)
    ]
    courses = {
        category: Course.objects.create(
            institution=institution,
            code=code,
            title=code,
            class_hours=24,
            category=category,
            status="approved",
        ).pk
        for code, category in (("P", "professional"), ("G", "general"))
    }
    context = {
        "post": Post.objects.get(code="safety").pk,
        "policy": _policy_id(),
        "institution": institution.pk,
        "courses": courses,
        "employers": employers,
        "now": datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
    for start in range(0, n, CHUNK):
        _load(range(start, min(n, start + CHUNK)), context)
        print(f"loaded {min(n, start + CHUNK):,}", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _policy_id() -> int:
    from sitecert.policies.models import Policy

    return Policy.objects.get(code="tianjin-2020").pk


def _person(i: int) -> tuple:
    from sitecert.lib.idnumber import build

    born = date(1962, 1, 1) + timedelta(days=(i // 16) % 12000)
    return (build(AREAS[i % 16], born, (i // 192000) % 1000),)


def _history(i: int) -> tuple[str, list[tuple[str, int, date]]]:
    """A profile and its ten hour records (category, hours, day)."""
    jitter = i % 27
    full = [
        (c, h, date(y, m, 1 + jitter)) for y in range(2021, 2026) for c, h, m in (("P", 22, 3), ("G", 10, 6))
    ]
    roll = (i * 7919) % 100
    if roll < 60:
        return "on_time", full
    if roll < 75:  # 2025 short: behind in the window in progress
        return "behind", [
            *full[:8],
            ("P", 12, date(2025, 3, 1 + jitter)),
            ("P", 22, date(2026, 3, 1 + jitter)),
        ]
    if roll < 90:  # 42 of 64 hours in 2021–2022
        late = [
            (c, h, date(y, m, 1 + jitter))
            for y in range(2023, 2026)
            for c, h, m in (("P", 22, 3), ("G", 10, 6))
        ]
        return "lapsed_hours", [
            *full[:2],
            ("G", 10, date(2022, 6, 1 + jitter)),
            *late,
            ("P", 22, date(2026, 3, 1)),
        ]
    return "out_of_post", full


def _load(ids: range, ctx: dict) -> None:
    from django.db import connection, transaction

    from sitecert.registry.demo import person_name

    rng, now = random.Random(ids.start), ctx["now"]
    people, legacy, records, ecerts, hours, roster = [], [], [], [], [], []
    for i in ids:
        pk = i + 1
        issued = date(2020, 9, 1) + timedelta(days=i % 120)
        people.append((pk, *_person(i), person_name(rng), now, now))
        legacy.append(
            (
                pk,
                f"TJ{i:010d}",
                pk,
                ctx["post"],
                date(2015, 5, 1),
                "天津市住房和城乡建设委员会",
                "valid",
                now,
                now,
            )
        )
        records.append((pk, pk, ctx["post"], pk, now))
        ecerts.append(
            (
                pk,
                f"TJ2020{i:07d}X",
                pk,
                ctx["post"],
                pk,
                pk,
                ctx["policy"],
                "天津市住房和城乡建设委员会",
                issued,
                "valid",
                issued,
                "",
                1,
                now,
            )
        )
        profile, history = _history(i)
        for category, h, day in history:
            course = ctx["courses"]["professional" if category == "P" else "general"]
            hours.append(
                (
                    pk,
                    course,
                    "professional" if category == "P" else "general",
                    h,
                    day,
                    "report",
                    ctx["institution"],
                    now,
                )
            )
        ended = date(2020, 10, 31) if profile == "out_of_post" else None
        roster.append((ctx["employers"][i % 50], pk, ctx["post"], date(2019, 1, 1), ended, "listed", "", now))
    tables = [
        ("registry_person", "id, id_number, name, created_at, updated_at", people),
        (
            "registry_legacycertificate",
            "id, certificate_no, holder_id, post_id, issued_on, issuer, status, created_at, updated_at",
            legacy,
        ),
        ("learning_trainingrecord", "id, person_id, post_id, legacy_id, created_at", records),
        (
            "certificates_ecertificate",
            "id, number, holder_id, post_id, legacy_id, record_id, policy_id, issuer, issued_on, status,"
            " status_since, status_reason, version, created_at",
            ecerts,
        ),
        (
            "learning_hourentry",
            "record_id, course_id, category, hours, completed_on, source, institution_id, created_at",
            hours,
        ),
        (
            "people_rosterentry",
            "employer_id, person_id, post_id, started_on, ended_on, status, dispute_reason, created_at",
            roster,
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, rows in tables:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


FLOORS = {
    # The bare aggregate over the tables the evaluation reads: each certificate's hours and roster entries.
    "floor": "SELECT e.id, SUM(h.hours), (SELECT COUNT(*) FROM people_rosterentry r"
    " WHERE r.person_id = e.holder_id AND r.post_id = e.post_id) FROM certificates_ecertificate e"
    " LEFT JOIN learning_hourentry h ON h.record_id = e.record_id GROUP BY e.id",
    # The same without the roster: hours only.
    "hours": "SELECT e.id, SUM(h.hours) FROM certificates_ecertificate e"
    " LEFT JOIN learning_hourentry h ON h.record_id = e.record_id GROUP BY e.id",
}


def floor_worker() -> None:
    """The bare aggregates, every row fetched; each run twice, the faster kept (as warm as sitecert's)."""
    _django()
    from django.db import connection

    seconds = {}
    for name, sql in FLOORS.items():
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(sql)
                while cursor.fetchmany(10_000):
                    pass
            timings.append(time.perf_counter() - started)
        seconds[name] = min(timings)
    print(json.dumps(seconds))


def evaluate_worker() -> None:
    """sitecert's run, as `sitecert evaluate-duty` makes it (timed after start-up, like the floor)."""
    _django()
    from django.utils import timezone

    from sitecert.duty.nightly import evaluate

    started = time.perf_counter()
    result = evaluate(as_of=AS_OF, now=timezone.now())
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {"seconds": seconds, "changed": result.changed, "lapsed": result.lapsed, "states": result.states}
        )
    )


def loop_worker(sample: int) -> None:
    """What a per-certificate ORM loop costs: each window's hours and the roster checked per certificate."""
    _django()
    from django.db.models import Q, Sum

    from sitecert.certificates.models import ECertificate
    from sitecert.duty import periods
    from sitecert.learning.models import HourEntry
    from sitecert.people.models import RosterEntry

    certs = list(ECertificate.objects.filter(status="valid").select_related("policy").order_by("pk")[:sample])
    started = time.perf_counter()
    states = {}
    for cert in certs:
        policy, now = cert.policy, periods.year_index(cert.policy, cert.issued_on, AS_OF) // 2
        state = "ok"
        for w in range(now + 1):
            window = periods.window(policy, cert.issued_on, w)
            done = (
                HourEntry.objects.filter(
                    record_id=cert.record_id,
                    completed_on__range=(window.starts, min(window.ends, AS_OF)),
                ).aggregate(h=Sum("hours"))["h"]
                or 0
            )
            listed = RosterEntry.objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gte=window.starts),
                person_id=cert.holder_id,
                post_id=cert.post_id,
                status="listed",
                started_on__lte=window.ends,
            ).exists()
            if w < now and (done < policy.window_hours or not listed):
                state = "lapsed"
                break
        states[cert.pk] = state
    print(json.dumps({"seconds": time.perf_counter() - started, "certificates": len(certs)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--certificates", type=int, default=1_000_000)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        return {
            "setup": setup_worker,
            "floor": floor_worker,
            "loop": loop_worker,
            "evaluate": evaluate_worker,
        }[kind](*map(int, rest))
    n = args.certificates
    with tempfile.TemporaryDirectory(prefix="sitecert-bench-") as tmp:
        engine = Engine(Path(tmp))
        url = engine.fresh("bench_duty")
        migrate(url)
        load_s, _, _ = run([PYTHON, __file__, "--worker", "setup", str(n)], url)
        _, floor_peak, out = run([PYTHON, __file__, "--worker", "floor"], url)
        floors = json.loads(out.splitlines()[-1])
        floor = floors["floor"]
        _, _, out = run([PYTHON, __file__, "--worker", "loop", str(min(SAMPLE, n))], url)
        loop = json.loads(out.splitlines()[-1])
        loop_total = loop["seconds"] * n / loop["certificates"]
        _, first_peak, out = run([PYTHON, __file__, "--worker", "evaluate"], url)
        first = json.loads(out.splitlines()[-1])
        _, again_peak, out = run([PYTHON, __file__, "--worker", "evaluate"], url)
        again = json.loads(out.splitlines()[-1])
        first_s, again_s = first["seconds"], again["seconds"]
    kind = "PostgreSQL" if engine.postgres else "SQLite"
    print(f"yearly duty, {kind}, {n:,} certificates, {n * 10:,} hour records (loaded in {load_s:.0f} s)")
    print(f"  floor: bare aggregate query        {floor:8.1f} s   peak {floor_peak} MiB (hours and roster)")
    print(f"    the same, hours only             {floors['hours']:8.1f} s")
    print(
        f"  sitecert evaluate-duty       {first_s:8.1f} s   peak {first_peak} MiB   "
        f"{first_s / floor:.2f}x the floor, {loop_total / first_s:.0f}x faster than the loop"
    )
    print(f"    lapsed {first['lapsed']:,}, states {first['states']}")
    print(
        f"  the same run again (no change)     {again_s:8.1f} s   peak {again_peak} MiB   "
        f"{again_s / floor:.2f}x the floor, changed {again['changed']}"
    )
    print(
        f"  per-certificate ORM loop           {loop_total:8.1f} s   (extrapolated from {loop['certificates']:,})"
    )
    print(
        json.dumps(
            {
                "engine": kind,
                "certificates": n,
                "floor_s": round(floor, 2),
                "hours_only_s": round(floors["hours"], 2),
                "evaluate_s": round(first_s, 2),
                "evaluate_peak_mib": first_peak,
                "again_s": round(again_s, 2),
                "again_peak_mib": again_peak,
                "loop_s": round(loop_total, 1),
                "vs_floor": round(first_s / floor, 2),
                "vs_loop": round(loop_total / first_s, 1),
                "lapsed": first["lapsed"],
                "states": first["states"],
            }
        )
    )


if __name__ == "__main__":
    main()
