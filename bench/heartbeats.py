"""Benchmark of learning heartbeats through the real HTTP stack (run on demand).

A gunicorn server on loopback, a fresh database (DATABASE_URL's PostgreSQL or a temporary SQLite) with N
learners each in an open learning session, and an asyncio client keeping C keep-alive connections busy:
the server's trivial endpoint (/api/v1/health) and heartbeats in alternating slices (bench/common.alternate),
each connection driving its own learners' numbered beats. Two kinds of beat: as the course page sends them
(a signed-in browser: its session and CSRF cookies and the X-CSRFToken header, learn.js), and as an API client
does (a bearer token); each sends back its last answer's echo, as learn.js does (learning/echo.py), so that a
beat is decided without reading its session. The minimum gap between beats is lifted for the run
(LEARNING_RULES), so that every beat is accepted and does the full work: decide, credit the time, write.
Prints a table, then one JSON line.
"""

import argparse
import json
import os
import random
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    PYTHON,
    Engine,
    alternate,
    health_requests,
    migrate,
    production,
    run,
    serve,
)

ROOT = Path(__file__).resolve().parent.parent
RULES = json.dumps({"MIN_GAP": 0, "MAX_GAP": 10**6, "PRESENCE_EVERY": 10**9})


def setup_worker(learners: int, out: Path) -> None:
    """Learners with certificates, enrolments, tokens and an open session each."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django

    django.setup()
    from django.utils import timezone

    from sitecert.learning.models import Course, Enrolment, Unit
    from sitecert.learning.records import record_for_legacy
    from sitecert.learning.timekeeping import session_open
    from sitecert.lib.uscc import build as build_uscc
    from sitecert.people.models import Organisation, User
    from sitecert.people.services import api_token_create
    from sitecert.policies.models import Policy
    from sitecert.registry import demo
    from sitecert.registry.models import LegacyCertificate, Person, Post

    Policy.objects.update(daily_cap_minutes=24 * 60)  # the cap would stop accepted beats, not measure them
    org = Organisation.objects.create(
        kind="institution", name="基准测试培训中心", uscc=build_uscc("52120000MJ0500001"), status="active"
    )
    course = Course.objects.create(
        institution=org,
        code="BENCH",
        title="基准课程",
        class_hours=999,
        category="general",
        status="approved",
    )
    unit = Unit.objects.create(course=course, order=1, kind="text", title="单元", required_seconds=10**8)
    post, now = Post.objects.get(code="safety"), timezone.now()
    rng, pairs = random.Random(3), []
    for i in range(learners):
        number = demo.id_number(rng)
        person = Person.objects.get_or_create(id_number=number, defaults={"name": demo.person_name(rng)})[0]
        cert = LegacyCertificate.objects.create(
            certificate_no=f"BENCH{i:07d}",
            holder=person,
            post=post,
            issued_on=now.date(),
            issuer="天津市住房和城乡建设委员会",
            status="valid",
            created_at=now,
            updated_at=now,
        )
        user = (
            User.objects.create(username=f"bench{i}", person=person)
            if not hasattr(person, "account")
            else person.account
        )
        # Straight into the table: the benchmark measures heartbeats, not who may enrol today.
        record = record_for_legacy(cert, now=now)
        enrolment = Enrolment.objects.create(user=user, record=record, course=course, year=now.year)
        session = session_open(enrolment=enrolment, unit=unit, device="bench", now=now)
        pairs.append((api_token_create(user=user, name="bench")[1], session.token, signed_in(user)))
    out.write_text(json.dumps(pairs))


def signed_in(user) -> str:
    """The Cookie header of a browser signed in as `user` (a session as a login makes one, and a CSRF cookie)."""
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"


def page_headers(cookies: str, origin: str) -> dict[str, str]:
    """What the course page's beat sends besides its body (learn.js's fetch from a signed-in browser)."""
    # the page's form carries the CSRF cookie's secret (masked there, equally valid)
    csrf = cookies.rsplit("=", 1)[1]
    return {"Cookie": cookies, "X-CSRFToken": csrf, "Origin": origin, "Referer": f"{origin}/learn/"}


def _beats(learners, web: bool):
    """Each learner's numbered beats in turn: from the course page (`web`) or from an API client."""
    seqs = {token: 0 for _api, token, _cookies in learners}
    echoes = dict.fromkeys(seqs, "")  # each sends back its last answer's echo (learn.js does)
    while True:
        for api_token, token, cookies in learners:
            seqs[token] += 1
            body = json.dumps({"seq": seqs[token], "visible": True, "echo": echoes[token]}).encode()
            who = (
                "".join(
                    f"{name}: {value}\r\n"
                    for name, value in page_headers(cookies, "http://127.0.0.1").items()
                )
                if web
                else f"Authorization: Bearer {api_token}\r\n"
            )
            answer = (
                yield (
                    f"POST /api/v1/learning/sessions/{token}/beats HTTP/1.1\r\nHost: 127.0.0.1\r\n{who}"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode()
                + body
            )
            echoes[token] = _echo(answer)


ECHO = re.compile(rb'"echo": ?"([^"]*)"')


def _echo(answer: bytes | None) -> str:
    """The echo in a beat's answer ("" in any other); found, not parsed, as the client's CPU is the server's."""
    found = ECHO.search(answer) if answer else None
    return found[1].decode() if found else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument(
        "--workers", type=int, default=production("workers"), help="deploy/gunicorn.conf.py's"
    )
    parser.add_argument("--setup-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_worker:
        return setup_worker(int(args.setup_worker[0]), Path(args.setup_worker[1]))
    with tempfile.TemporaryDirectory(prefix="sitecert-bench-") as tmp:
        engine = Engine(Path(tmp))
        url = engine.fresh("bench_heartbeats")
        migrate(url)
        pairs_file = Path(tmp) / "learners.json"
        run([PYTHON, __file__, "--setup-worker", str(args.learners), str(pairs_file)], url)
        pairs = json.loads(pairs_file.read_text())
        with serve(url, workers=args.workers, extra_env={"LEARNING_RULES": RULES}) as port:
            # A warm-up round first: every worker imported and connected.
            alternate(port, {"health": health_requests}, connections=args.connections, seconds=2, rounds=1)
            kinds = {
                "health": health_requests,
                "page": _groups(pairs[::2], args.connections, web=True),
                "api": _groups(pairs[1::2], args.connections, web=False),
            }
            loads = alternate(
                port, kinds, connections=args.connections, seconds=args.seconds, database=engine
            )
    kind = "PostgreSQL" if engine.postgres else "SQLite"
    health = loads["health"]
    print(
        f"heartbeats through gunicorn ({args.workers} workers x {production('threads')} threads), {kind}, "
        f"{args.learners} learners, {args.connections} connections"
    )
    print(
        f"  trivial endpoint                 {health.rate:>6.0f} requests/s  server CPU {health.cpu_ms:.2f} ms"
    )
    figures = {"engine": kind}
    for name, label in (("health", ""), ("page", "from the course page"), ("api", "from an API client")):
        load = loads[name]
        figures |= {name: round(load.rate), f"{name}_cpu_ms": round(load.cpu_ms, 2)}
        figures |= {f"{name}_db_cpu_ms": round(load.db_cpu_ms, 3)} if engine.postgres else {}
        if not label:
            continue
        print(
            f"  accepted beats {label:<21} {load.rate:>6.0f} /s ({load.rate / health.rate:.2f} of it)  "
            f"server CPU {load.cpu_ms:.2f} ms ({health.cpu_ms / load.cpu_ms:.2f} of it)"
            f"{f'  PostgreSQL CPU {load.db_cpu_ms:.2f} ms' if engine.postgres else ''}  {load.counts}"
        )
    print(f"  learners carried at one beat a minute (the page's beats): {loads['page'].rate * 60:,.0f}")
    page = loads["page"]
    print(
        f"  page beats per second per core of CPU (server and database): "
        f"{1000 / (page.cpu_ms + page.db_cpu_ms):,.0f}; the trivial endpoint's {1000 / health.cpu_ms:,.0f}"
    )
    print(json.dumps(figures))


def _groups(learners: list, connections: int, web: bool):
    """Each connection's own learners' beats."""
    per = max(1, len(learners) // connections)
    groups = [learners[i * per : (i + 1) * per] or learners[:1] for i in range(connections)]
    return lambda i: _beats(groups[i], web)


if __name__ == "__main__":
    main()
