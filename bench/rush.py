"""The deadline rush on the production topology, with faults (issue 17, "The rush, measured"; run on demand).

scripts/cluster starts PostgreSQL, Redis, N gunicorn application servers, the Celery worker and beat behind
nginx (network namespaces as root, loopback ports otherwise); this module loads the script as a library so
that every process it starts imports this checkout's sitecert (PYTHONPATH), and uses its own `down`/`up`.
A seeding process then writes, through the cluster's environment file: learners signed in (a browser's
cookies), enrolments and open sessions (bench/heartbeats.py's setup), holders with a password and a question
bank for assessments, an institution and an employer with API tokens, e-certificates to verify (number and
QR token), new entrants to be certified by training (issuance), and new people to register with SMS codes.
The SMS gateway is bench/rush_gateway.py: the worker hands it each message, it writes them to a file, the
bench reads codes there.

Locust (headless, as a library, one process) then drives the load balancer over HTTPS (the throwaway
certificate is not verified) with the mix: numbered heartbeats, assessment attempts (web login, start, answer),
issuance by reported examination, verification by number and by QR token, registrations with the SMS code,
employers adding roster entries; one `sitecert import-registry` of a generated file in the middle. During the
run: `down app1` (SIGKILL) and `up`, PostgreSQL `down` (immediate stop) and `up`, Redis `down` for 30 s and `up`.

Afterwards: per operation, requests, failures, p50/p95/p99, failures inside each fault window (from `down` to
GRACE seconds after `up`) and outside, the recovery after each `up`; what PostgreSQL (pg_stat_database) and
Redis (INFO) did; and the books: the credit the clients saw accepted against the database's, one e-certificate
per examined person, each SMS handed to the gateway once. Prints a table and one JSON line; exit status 1 on
any failure outside the fault windows, any lost or doubled record, or a worker or scheduler that exited and
had to be started again.

  .venv/bin/python bench/rush.py [--learners 200] [--users 20] [--seconds 180] [--apps 3]
"""

import argparse
import datetime
import importlib.machinery
import importlib.util
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
GRACE = 10.0  # seconds after `up` still counted in the fault's window (nginx's fail_timeout is 10 s)
BEAT_RULES = {"MIN_GAP": 1, "MAX_GAP": 120, "PRESENCE_EVERY": 10**9}
CLUSTER_ENV = [
    "LEARNING_RULES=" + json.dumps(BEAT_RULES),
    "SMS_BACKEND=bench.rush_gateway.FileGateway",
    "VERIFY_RATE=1000000/m",
    "REGISTER_RATE=1000000/h",
    "REGISTER_ID_RATE=1000000/h",
    "REGISTRY_QUERY_RATE=1000000/m",
    "ID_NAME_RATE=1000000/m",
    "OUTBOX_SWEEP_AFTER=20",
    "LOG_LEVEL=WARNING",
]
PASSWORD = "Rush-bench-2026!"


# ---- the cluster -----------------------------------------------------------------------------------------
def cluster_module():
    """scripts/cluster as a module; the processes it starts import this checkout's sitecert (and bench/)."""
    loader = importlib.machinery.SourceFileLoader("sitecert_cluster", str(ROOT / "scripts" / "cluster"))
    spec = importlib.util.spec_from_loader("sitecert_cluster", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    child_env = module.Cluster.child_env

    def with_this_checkout(self):
        return {**child_env(self), "PYTHONPATH": str(ROOT)}

    module.Cluster.child_env = with_this_checkout
    return module


def sitecert_env(folder: Path) -> dict:
    """What `eval "$(scripts/cluster env)"` gives a shell, plus this checkout on the path."""
    return {**os.environ, "SITECERT_ENV_FILE": str(folder / "sitecert.env"), "PYTHONPATH": str(ROOT)}


# ---- seeding (a child process on the cluster's settings) -------------------------------------------------
def setup_worker(spec: dict, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.utils import timezone

    from bench.heartbeats import setup_worker as learners_setup
    from sitecert.certificates.models import ECertificate
    from sitecert.certificates.training import ExamReport, training_certificate_issue
    from sitecert.learning.demo import demo_library_seed
    from sitecert.lib.uscc import build as build_uscc
    from sitecert.people.models import Organisation, User
    from sitecert.people.services import api_token_create
    from sitecert.policies.models import Policy
    from sitecert.registry import demo

    now, today = timezone.now(), timezone.localdate()
    pairs_file = out.with_name("learners.json")
    learners_setup(spec["learners"], pairs_file)
    pairs = json.loads(pairs_file.read_text())
    Policy.objects.update(attempts_per_period=1000)  # assessments are measured, not the policy's limit
    institution = Organisation.objects.get(name="基准测试培训中心")
    institution.examination_posts.set(institution.examination_posts.model.objects.all())
    demo_library_seed(institution)  # question banks for every post
    staff = User.objects.create(username="rush-institution", organisation=institution, is_org_admin=True)
    institution_token = api_token_create(user=staff, name="rush", organisation=institution)[1]
    employer = Organisation.objects.create(
        kind="employer",
        name="基准测试建设集团有限公司",
        uscc=build_uscc("91120104MA05T8K4X"),
        status="active",
    )
    boss = User.objects.create(username="rush-employer", organisation=employer, is_org_admin=True)
    employer_token = api_token_create(user=boss, name="rush", organisation=employer)[1]

    learners, holders = [], []
    users = {
        u.username: u for u in User.objects.filter(username__startswith="bench").select_related("person")
    }
    for i, (_api, session, cookies) in enumerate(pairs):
        user = users[f"bench{i}"]
        learners.append(
            {
                "cookies": cookies,
                "session": session,
                "id_number": user.person.id_number,
                "name": user.person.name,
            }
        )

    rng, seen = random.Random(17), set()

    def newcomers(n):
        found = []
        while len(found) < n:
            number = demo.id_number(rng)
            if number not in seen:
                seen.add(number)
                found.append({"id_number": number, "name": demo.person_name(rng)})
        return found

    verify = []
    for person in newcomers(spec["verify"]):
        report = ExamReport(
            person["id_number"], person["name"], "safety", today - datetime.timedelta(days=10), 90
        )
        issued = training_certificate_issue(
            institution=institution, by=staff, report=report, today=today, now=now
        )
        version = issued.ecertificate.versions.order_by("-version").first()
        verify.append({"number": issued.ecertificate.number, "token": version.qr_token})
        if len(holders) < spec["holders"]:  # a holder of a valid e-certificate may sit its assessment
            holder = issued.ecertificate.holder
            user = User.objects.create(username=holder.id_number, person=holder, first_name=holder.name)
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            holders.append({"username": user.username, "record": issued.ecertificate.record_id})
    assert ECertificate.objects.count() >= len(verify)
    registrants = newcomers(spec["registrants"])
    for i, person in enumerate(registrants):
        person["mobile"] = f"1390{i:07d}"
    cache.clear()  # the policies as just written, in every process
    out.write_text(
        json.dumps(
            {
                "learners": learners,
                "holders": holders,
                "institution_token": institution_token,
                "employer_token": employer_token,
                "verify": verify,
                "issue": newcomers(spec["issue"]),
                "register": registrants,
            }
        )
    )


# ---- the books afterwards (a child process on the cluster's settings) ------------------------------------
def check_worker(observed_file: Path, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count, Sum

    from bench.rush_gateway import LOG_NAME
    from sitecert.certificates.models import ECertificate
    from sitecert.learning.models import DailyCredit, LearningSession
    from sitecert.outbox.models import Message
    from sitecert.people.models import RosterEntry, User

    seen = json.loads(observed_file.read_text())
    result: dict = {}

    # Hours: per session, the credit of the beats the client saw accepted against the unit's credited seconds.
    sessions = {
        s.token: s
        for s in LearningSession.objects.filter(token__in=list(seen["beats"])).select_related(
            "progress__enrolment__record"
        )
    }
    lost = doubled = in_doubt_beats = 0
    seen_total = db_total = 0
    for token, beat in seen["beats"].items():
        session = sessions[token]
        db = session.progress.credited_seconds
        seen_total += beat["credited"]
        db_total += db
        # Beats whose answer never came (a killed server, a 502) and that the server did take: the next beat
        # of that number was refused as out of sequence, or the session's last number says so.
        doubt = beat["doubt"] + max(0, session.last_seq - beat["seq"])
        in_doubt_beats += doubt
        if db < beat["credited"]:
            lost += 1
        elif db > beat["credited"] + doubt * BEAT_RULES["MAX_GAP"]:
            doubled += 1
    persons = [s.progress.enrolment.record.person_id for s in sessions.values()]
    daily = DailyCredit.objects.filter(person_id__in=persons).aggregate(s=Sum("seconds"))["s"] or 0
    result["hours"] = {
        "sessions": len(seen["beats"]),
        "credited_seen_by_clients_s": seen_total,
        "credited_in_database_s": db_total,
        "daily_credit_s": daily,
        "beats_in_doubt": in_doubt_beats,
        "sessions_short": lost,
        "sessions_over": doubled,
        "ok": lost == 0 and doubled == 0 and daily == db_total,
    }

    # Issuance: one e-certificate per examined person, and one for each the institution was told about.
    numbers = [p["id_number"] for p in seen["issue_sent"]]
    counts = dict(
        ECertificate.objects.filter(holder__id_number__in=numbers)
        .values_list("holder__id_number")
        .annotate(n=Count("id"))
    )
    acked = set(seen["issue_acked"])
    result["issuance"] = {
        "reported": len(numbers),
        "acknowledged": len(acked),
        "issued": sum(1 for n in numbers if counts.get(n)),
        "missing_acknowledged": sum(1 for n in acked if not counts.get(n)),
        "doubled": sum(1 for n in numbers if counts.get(n, 0) > 1),
    }
    result["issuance"]["ok"] = not (
        result["issuance"]["missing_acknowledged"] or result["issuance"]["doubled"]
    )

    # Rosters: every acknowledged entry there, none twice.
    entries = dict(
        RosterEntry.objects.filter(employer__name="基准测试建设集团有限公司")
        .values_list("person__id_number")
        .annotate(n=Count("id"))
    )
    result["roster"] = {
        "acknowledged": len(seen["roster_acked"]),
        "in_database": sum(entries.values()),
        "missing_acknowledged": sum(1 for n in seen["roster_acked"] if not entries.get(n)),
        "doubled": sum(1 for n in entries.values() if n > 1),
    }
    result["roster"]["ok"] = not (result["roster"]["missing_acknowledged"] or result["roster"]["doubled"])

    # Registrations: every confirmed one is an active account.
    active = set(
        User.objects.filter(username__in=seen["registered"], is_active=True).values_list(
            "username", flat=True
        )
    )
    result["registrations"] = {
        "confirmed": len(seen["registered"]),
        "missing": len(set(seen["registered"]) - active),
    }
    result["registrations"]["ok"] = result["registrations"]["missing"] == 0

    # SMS: each message of the outbox handed to the gateway exactly once.
    log = Path(settings.VAR_DIR) / LOG_NAME
    handed: dict[str, int] = {}
    if log.exists():
        for line in log.read_text().splitlines():
            key = json.loads(line)["key"]
            handed[key] = handed.get(key, 0) + 1
    messages = list(Message.objects.filter(channel="sms").values_list("key", "sent_at", "dead_at"))
    keys = {key for key, _sent, _dead in messages}
    result["sms"] = {
        "messages": len(messages),
        "sent": sum(1 for _k, sent, _d in messages if sent),
        "dead": sum(1 for _k, _s, dead in messages if dead),
        "unsent": sum(1 for _k, sent, dead in messages if not sent and not dead),
        "never_handed": sum(1 for key in keys if not handed.get(key)),
        "handed_twice": sum(1 for key in keys if handed.get(key, 0) > 1),
        "unknown_keys": sum(1 for key in handed if key not in keys),
    }
    s = result["sms"]
    s["ok"] = not (s["dead"] or s["unsent"] or s["never_handed"] or s["handed_twice"] or s["unknown_keys"])
    out.write_text(json.dumps(result))


def child(mode: str, folder: Path, *args: str | Path) -> None:
    done = subprocess.run(
        [PYTHON, __file__, mode, *map(str, args)],
        env=sitecert_env(folder),
        cwd=folder / "var",
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"rush: {mode} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def unsent_messages(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url, connect_timeout=3) as conn:
        return conn.execute(
            "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL AND dead_at IS NULL"
        ).fetchone()[0]


# ---- what PostgreSQL and Redis did -----------------------------------------------------------------------
PG_FIELDS = (
    "xact_commit",
    "xact_rollback",
    "tup_returned",
    "tup_fetched",
    "tup_inserted",
    "tup_updated",
    "tup_deleted",
)
REDIS_FIELDS = ("total_commands_processed", "keyspace_hits", "keyspace_misses", "total_connections_received")


def pg_snapshot(database_url: str) -> dict:
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=3) as conn:
            row = conn.execute(
                f"SELECT {', '.join(PG_FIELDS)} FROM pg_stat_database WHERE datname = 'sitecert'"
            ).fetchone()
        return dict(zip(PG_FIELDS, row, strict=True))
    except Exception:  # the database down at that moment: no segment
        return {}


def redis_snapshot(redis_url: str) -> dict:
    import redis

    try:
        info = redis.Redis.from_url(redis_url, socket_timeout=3).info()
        return {k: info[k] for k in REDIS_FIELDS}
    except Exception:
        return {}


class Counters:
    """Deltas over segments: a restart (PostgreSQL's immediate stop, Redis's SIGKILL) resets the counters, so
    each service is read before it goes down and after it comes up, and the segments are summed."""

    def __init__(self, read):
        self.read, self.total, self.since = read, {}, None

    def open(self):
        self.since = self.read()

    def close(self):
        now = self.read()
        if self.since and now:
            for k in now:
                self.total[k] = self.total.get(k, 0) + max(0, now[k] - self.since[k])
        self.since = None


# ---- the load ----------------------------------------------------------------------------------------------
def drive(args, state: dict, data: dict, folder: Path, cluster) -> dict:
    import gevent
    from locust import FastHttpUser, between, constant, events, task
    from locust.env import Environment

    from bench.heartbeats import page_headers

    base = state["urls"]["https"]
    today = datetime.date.today()
    t0 = time.time()
    log: list[tuple[float, float, str, bool, str]] = []  # start, end, name, ok, error
    faults: list[dict] = []
    gateway = folder / "var" / "sms-gateway.log"
    codes: dict[str, list[tuple[float, str]]] = {}
    gateway_at = [0]

    def sms_codes(mobile: str) -> list[tuple[float, str]]:
        if gateway.exists():
            with gateway.open() as f:
                f.seek(gateway_at[0])
                chunk = f.read()
                whole = chunk[: chunk.rfind("\n") + 1]
                gateway_at[0] += len(whole.encode())
            for line in whole.splitlines():
                item = json.loads(line)
                if found := re.search(r"验证码\D*(\d{6})", item["text"]):
                    codes.setdefault(item["to"], []).append((item["at"], found[1]))
        return codes.get(mobile, [])

    def on_request(request_type, name, response_time, exception=None, **kw):
        end = time.time()
        log.append(
            (
                end - response_time / 1000,
                end,
                name,
                exception is None,
                repr(exception)[:120] if exception else "",
            )
        )

    env = Environment(events=events, host=base)
    env.events.request.add_listener(on_request)

    def fire(name, started, error=None, kind="CUSTOM"):
        env.events.request.fire(
            request_type=kind,
            name=name,
            response_time=(time.time() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

    beats = {
        learner["session"]: {
            "seq": 0,
            "credited": 0,
            "doubt": 0,
            "unknown": False,
            "cookies": learner["cookies"],
            "echo": "",  # the last answer's, sent back with the next beat (learn.js)
        }
        for learner in data["learners"]
    }
    learner_slices = iter(range(10**6))
    learner_users = args.users - 7
    per_user = max(1, len(data["learners"]) // learner_users)
    issue_queue = list(data["issue"])
    issue_sent: list[dict] = []
    issue_acked: list[str] = []
    register_queue = list(data["register"])
    registered: list[str] = []
    roster_queue = [{"id_number": p["id_number"], "name": p["name"]} for p in data["learners"]]
    roster_acked: list[str] = []
    roster_unknown: set[str] = set()
    verify_pool = list(data["verify"])
    holders = iter(itertools.cycle(data["holders"]))

    class Learner(FastHttpUser):
        """A learner's page: one numbered heartbeat per learner every few seconds (scaled from 30-60 s), sent
        as the course page sends it (learn.js): the browser's session and CSRF cookies, the CSRF header, the
        last answer's echo."""

        weight = 1
        wait_time = constant(args.beat_every / per_user)

        def on_start(self):
            k = next(learner_slices) % learner_users
            self.mine = [x["session"] for x in data["learners"][k * per_user : (k + 1) * per_user]]
            self.turn = itertools.cycle(self.mine)

        @task
        def beat(self):
            token = next(self.turn)
            b = beats[token]
            seq = b["seq"] + 1
            with self.client.post(
                f"/api/v1/learning/sessions/{token}/beats",
                json={"seq": seq, "visible": True, "echo": b["echo"]},
                headers=page_headers(b["cookies"], base.rstrip("/")),
                name="heartbeat",
                catch_response=True,
            ) as r:
                try:
                    body = r.json() if r.status_code == 200 else None
                except ValueError:  # a cut answer: as unknown as no answer
                    body = None
                b["echo"] = (body or {}).get("echo", "")
                if body is None:
                    b["unknown"] = True  # the server may have taken it: the same number again next time
                    r.failure(f"HTTP {r.status_code}")
                    return
                if body["accepted"]:
                    b["seq"], b["unknown"] = seq, False
                    b["credited"] += body["credited"]
                elif body["reason"] == "sequence" and b["unknown"]:
                    b["seq"], b["unknown"] = seq, False  # the unanswered beat was taken; its credit unseen
                    b["doubt"] += 1
                elif body["reason"] == "too_frequent":
                    pass  # a retry within MIN_GAP of the unanswered beat it repeats: try again later
                else:
                    r.failure(f"refused: {body['reason']}")

    class Assessor(FastHttpUser):
        """A holder at the assessment page: signs in once, then starts attempts and answers them."""

        fixed_count = 2
        wait_time = between(3, 6)

        def on_start(self):
            self.holder = next(holders)
            self.signed_in = False

        def token(self, html: str) -> str:
            return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

        def post_form(self, path, fields, name):
            return self.client.post(
                path, data=fields, headers={"Referer": base + path}, name=name, catch_response=True
            )

        def sign_in(self):
            page = self.client.get("/accounts/login/", name="login page")
            with self.post_form(
                "/accounts/login/",
                {
                    "username": self.holder["username"],
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": self.token(page.text or ""),
                },
                "login",
            ) as r:
                if r.status_code == 200 and "/accounts/login/" not in (r.url or ""):
                    self.signed_in = True
                else:
                    r.failure(f"HTTP {r.status_code} at {r.url}")

        @task
        def attempt(self):
            if not self.signed_in:
                return self.sign_in()
            record = self.holder["record"]
            page = self.client.get(f"/learn/record/{record}/", name="assessment: catalogue")
            if page.status_code != 200 or "csrfmiddlewaretoken" not in (page.text or ""):
                return
            with self.post_form(
                f"/learn/record/{record}/assessment/",
                {"csrfmiddlewaretoken": self.token(page.text)},
                "assessment: start",
            ) as r:
                if r.status_code != 200 or "/learn/assessment/" not in (r.url or ""):
                    said = re.findall(r'class="flash[^"]*"[^>]*>([^<]+)', r.text or "")
                    return r.failure(f"HTTP {r.status_code}: {said[-1] if said else r.url}")
                paper, url = r.text, r.url
            questions = sorted(set(re.findall(r'name="q(\d+)"', paper)))
            fields = {f"q{q}": str(random.randrange(4)) for q in questions}
            fields["csrfmiddlewaretoken"] = self.token(paper)
            path = url.split(base.split("://")[1], 1)[-1] if "://" in url else url
            with self.post_form(path, fields, "assessment: answer") as r:
                if r.status_code != 200 or "/learn/assessment/" not in (r.url or ""):
                    r.failure(f"HTTP {r.status_code} at {r.url}")

    class Issuer(FastHttpUser):
        """An institution's system reporting passed examinations: each issues an e-certificate."""

        fixed_count = 1
        wait_time = between(0.5, 1.5)

        @task
        def report(self):
            if not issue_queue:
                return
            person = issue_queue.pop(0)
            if person not in issue_sent:
                issue_sent.append(person)
            payload = {
                **person,
                "post": "safety",
                "examined_on": str(today - datetime.timedelta(days=2)),
                "score": 88,
            }
            with self.client.post(
                "/api/v1/certificates/training",
                json=payload,
                headers={"Authorization": f"Bearer {data['institution_token']}"},
                name="issuance (examination reported)",
                catch_response=True,
            ) as r:
                if r.status_code in (200, 201):
                    issue_acked.append(person["id_number"])
                    body = r.json()
                    verify_pool.append({"number": body["number"], "token": None})
                else:
                    issue_queue.append(person)  # the institution's system sends it again later
                    r.failure(f"HTTP {r.status_code}")

    class Verifier(FastHttpUser):
        """Site gates: QR codes scanned, numbers typed."""

        fixed_count = 2
        wait_time = between(0.2, 0.6)

        @task(2)
        def by_qr(self):
            item = random.choice(data["verify"])
            with self.client.get(
                "/api/v1/verify", params={"token": item["token"]}, name="verify QR token", catch_response=True
            ) as r:
                if r.status_code != 200 or r.json().get("outcome") != "valid":
                    r.failure(f"HTTP {r.status_code}")

        @task(1)
        def by_number(self):
            item = random.choice(verify_pool)
            with self.client.get(
                f"/api/v1/verify/{item['number']}", name="verify number", catch_response=True
            ) as r:
                if r.status_code != 200 or r.json().get("outcome") != "valid":
                    r.failure(f"HTTP {r.status_code}")

    class Registrant(FastHttpUser):
        """New people registering: the form, the SMS code on the phone, the code back."""

        fixed_count = 1
        wait_time = between(1, 3)

        @task
        def register(self):
            if not register_queue:
                return
            person = register_queue.pop(0)
            asked = time.time()
            with self.client.post(
                "/api/v1/accounts/register",
                json={**person, "password": PASSWORD},
                name="register",
                catch_response=True,
            ) as r:
                if r.status_code != 201:
                    r.failure(f"HTTP {r.status_code}")
                    return register_queue.append(person)  # again later (a new code, a minute on)
                ticket = r.json()["ticket"]
            code = None
            while time.time() - asked < 60 and code is None:
                gevent.sleep(0.25)
                fresh = [c for at, c in sms_codes(person["mobile"]) if at >= asked - 1]
                code = fresh[-1] if fresh else None
            fire("SMS code arrives", asked, None if code else TimeoutError("no SMS in 60 s"), kind="SMS")
            if code is None:
                return register_queue.append(person)
            with self.client.post(
                "/api/v1/accounts/confirm",
                json={"ticket": ticket, "code": code},
                name="confirm (SMS code)",
                catch_response=True,
            ) as r:
                if r.status_code == 200:
                    registered.append(person["id_number"])
                else:
                    r.failure(f"HTTP {r.status_code}")

    class Employer(FastHttpUser):
        """An employer's system adding its staff to the roster."""

        fixed_count = 1
        wait_time = between(0.5, 1.5)

        @task
        def add(self):
            if not roster_queue:
                return
            person = roster_queue.pop(0)
            payload = {**person, "post": "safety", "started_on": str(today - datetime.timedelta(days=30))}
            with self.client.post(
                "/api/v1/roster",
                json=payload,
                headers={"Authorization": f"Bearer {data['employer_token']}"},
                name="roster entry added",
                catch_response=True,
            ) as r:
                if r.status_code == 201 or (r.status_code == 400 and person["id_number"] in roster_unknown):
                    roster_acked.append(person["id_number"])  # a 400 after an unanswered add: it was taken
                    r.success()
                else:
                    roster_unknown.add(person["id_number"])
                    roster_queue.append(person)
                    r.failure(f"HTTP {r.status_code}")

    for cls in (Learner, Assessor, Issuer, Verifier, Registrant, Employer):
        cls.insecure = True  # the cluster's throwaway certificate
        cls.network_timeout = cls.connection_timeout = 30.0
    env.user_classes = [Learner, Assessor, Issuer, Verifier, Registrant, Employer]

    pg, rd = (
        Counters(lambda: pg_snapshot(state["database_url"])),
        Counters(lambda: redis_snapshot(state["redis_url"])),
    )
    pg.open()
    rd.open()

    def at(seconds):
        gevent.sleep(max(0, t0 + seconds - time.time()))

    def fault(label, name, pause, before=None, after=None):
        if before:
            before()
        entry = {"fault": label, "service": name, "down_at": time.time() - t0}
        cluster.kill(name, graceful=False)
        gevent.sleep(pause)
        entry["up_from"] = time.time() - t0
        cluster.start(name)
        cluster.wait([name])
        entry["up_at"] = time.time() - t0
        entry["worker_after"] = cluster.probe("worker")
        if after:
            after()
        faults.append(entry)

    def registry_import():
        from sitecert.registry import demo

        path = folder / "var" / "rush-registry.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            import csv

            writer = csv.writer(f)
            writer.writerow(demo.HEADER)
            writer.writerows(
                itertools.islice(demo.registry_rows(args.import_rows, seed=23), args.import_rows)
            )
        started = time.time()
        done = subprocess.run(
            [Path(PYTHON).parent / "sitecert", "import-registry", str(path)],
            env=sitecert_env(folder),
            cwd=folder / "var",
            capture_output=True,
            text=True,
        )
        error = None if done.returncode == 0 else RuntimeError(f"exit {done.returncode}")
        imported.update(
            at_s=round(started - t0, 1),
            seconds=round(time.time() - started, 1),
            exit=done.returncode,
            said=(done.stdout + done.stderr).strip().splitlines()[-3:],
        )
        fire(f"registry import ({args.import_rows} rows)", started, error, kind="CLI")

    def schedule():
        T = args.seconds
        at(0.15 * T)
        fault("kill -9 app1", "app1", 15)
        at(0.33 * T)
        gevent.spawn(registry_import)
        at(0.55 * T)
        fault("PostgreSQL restart", "db", 1, before=pg.close, after=pg.open)
        at(0.72 * T)
        fault("Redis stopped 30 s", "cache", 30, before=rd.close, after=rd.open)

    restarts: list[dict] = []

    def supervise():
        """systemd's `Restart=always` for the worker and the scheduler (deploy/systemd/): scripts/cluster does
        not supervise, so a process that exits is started again here (and reported: none should)."""
        while True:
            gevent.sleep(5)
            for name in ("worker", "beat"):
                if name in cluster.services and cluster.probe(name) == "down (no process)":
                    restarts.append({"service": name, "at_s": round(time.time() - t0, 1)})
                    cluster.start(name)

    imported: dict = {}
    runner = env.create_local_runner()
    supervisor = gevent.spawn(supervise)
    runner.start(args.users, spawn_rate=args.users)
    faults_run = gevent.spawn(schedule)
    gevent.spawn_later(args.seconds, runner.quit)
    runner.greenlet.join()
    faults_run.join()
    supervisor.kill()
    pg.close()
    rd.close()
    end = time.time() - t0

    # After the load: the outbox drains (the worker, the sweep) before the books are read.
    drained, unsent = time.time(), None
    while time.time() - drained < 150:
        try:
            unsent = unsent_messages(state["database_url"])
        except Exception as exc:
            unsent = repr(exc)
        if unsent == 0:
            break
        time.sleep(2)
    after = {
        "outbox_drained_in_s": round(time.time() - drained, 1),
        "unsent_left": unsent,
        **{name: cluster.probe(name) for name in cluster.services},
    }

    return {
        "env": env,
        "log": [(s - t0, e - t0, n, ok, err) for s, e, n, ok, err in log],
        "faults": faults,
        "elapsed": end,
        "import": imported,
        "restarts": restarts,
        "after": after,
        "pg": pg.total,
        "redis": rd.total,
        "observed": {
            "beats": {t: {k: b[k] for k in ("seq", "credited", "doubt")} for t, b in beats.items()},
            "issue_sent": issue_sent,
            "issue_acked": issue_acked,
            "roster_acked": roster_acked,
            "registered": registered,
        },
    }


# ---- the report --------------------------------------------------------------------------------------------
def report(run: dict, books: dict, args, started_load: str) -> int:
    env, log, faults = run["env"], run["log"], run["faults"]
    for f in faults:
        f["window"] = (f["down_at"], f["up_at"] + GRACE)

    def window_of(start, end):
        for f in faults:
            lo, hi = f["window"]
            if start <= hi and end >= lo:
                return f["fault"]
        return None

    per_op: dict[str, dict] = {}
    for start, end, name, ok, err in log:
        op = per_op.setdefault(name, {"outside": 0, **{f["fault"]: 0 for f in faults}, "errors": {}})
        if not ok:
            op[window_of(start, end) or "outside"] += 1
            if not window_of(start, end):
                op["errors"][err] = op["errors"].get(err, 0) + 1
    for f in faults:
        up = f["up_at"]
        failed_in = [
            (s, e, n) for s, e, n, ok, _ in log if not ok and f["window"][0] <= e and s <= f["window"][1]
        ]
        f["failures"] = len(failed_in)
        f["last_failure_after_up_s"] = round(max((e for _s, e, _n in failed_in), default=up) - up, 2)
        names = {n for _s, _e, n in failed_in}
        firsts = [
            min((e for s, e, n, ok, _ in log if ok and n == name and s >= up), default=None) for name in names
        ]
        known = [x for x in firsts if x is not None]
        f["recovered_after_up_s"] = round(max(known) - up, 2) if known else (0.0 if not names else None)
        f["down_s"] = round(f["up_at"] - f["down_at"], 1)

    rows = []
    for key, entry in sorted(env.stats.entries.items()):
        name = key[0]
        op = per_op.get(name, {"outside": 0, "errors": {}})
        rows.append(
            {
                "operation": name,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
                "p99_ms": entry.get_response_time_percentile(0.99),
                "failures_outside": op["outside"],
                "failures_in": {f["fault"]: op.get(f["fault"], 0) for f in faults},
                "errors_outside": op["errors"],
            }
        )
    total = env.stats.total
    print(
        f"\nThe rush: {args.users} users, {run['elapsed']:.0f} s, {args.learners} learners, {args.apps} apps; "
        f"load {started_load} at the start"
    )
    head = f"{'operation':38} {'requests':>8} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'outside':>7}  in faults"
    print(head)
    for r in rows:
        inside = " ".join(f"{v}" for v in r["failures_in"].values())
        print(
            f"{r['operation'][:38]:38} {r['requests']:>8} {r['failures']:>5} {r['p50_ms']:>6.0f} {r['p95_ms']:>6.0f} "
            f"{r['p99_ms']:>6.0f} {r['failures_outside']:>7}  {inside}"
        )
        for err, n in r["errors_outside"].items():
            print(f"    outside a fault: {n} × {err}")
    print(
        f"{'total':38} {total.num_requests:>8} {total.num_failures:>5}   ({total.total_rps:.1f} requests/s)"
    )
    print("\nfaults (window: down → up + 10 s)")
    for f in faults:
        print(
            f"  {f['fault']:22} down at {f['down_at']:6.1f} s for {f['down_s']:5.1f} s: {f['failures']:4} failures; "
            f"last failure {f['last_failure_after_up_s']} s after up; every failing operation succeeded again "
            f"{f['recovered_after_up_s']} s after up"
        )
    print(f"\nregistry import: {run['import']}")
    print(f"restarted as systemd would: {run['restarts'] or 'nothing'}")
    print(f"after the load: {run['after']}")
    print(f"\nPostgreSQL (pg_stat_database, sitecert): {run['pg']}")
    print(f"Redis (INFO): {run['redis']}")
    print("\nthe books")
    for part, figures in books.items():
        print(f"  {part:14} {'ok ' if figures['ok'] else 'BAD'} {figures}")
    outside = sum(r["failures_outside"] for r in rows)
    bad_books = [k for k, v in books.items() if not v["ok"]]
    print(
        json.dumps(
            {
                "users": args.users,
                "seconds": round(run["elapsed"]),
                "learners": args.learners,
                "requests": total.num_requests,
                "failures": total.num_failures,
                "failures_outside_faults": outside,
                "operations": {
                    r["operation"]: {k: v for k, v in r.items() if k != "operation"} for r in rows
                },
                "faults": faults,
                "registry_import": run["import"],
                "restarts": run["restarts"],
                "after_the_load": run["after"],
                "postgresql": run["pg"],
                "redis": run["redis"],
                "books": books,
                "load_at_start": started_load,
            },
            ensure_ascii=False,
            default=str,
        )
    )
    return 1 if outside or bad_books or run["restarts"] else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--holders", type=int, default=10, help="learners who also sit assessments")
    parser.add_argument("--users", type=int, default=20, help="Locust users (7 of them not learners)")
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--beat-every", type=float, default=5.0, help="seconds between one learner's beats")
    parser.add_argument("--apps", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=2000)
    parser.add_argument(
        "--keep", action="store_true", help="leave the cluster running (scripts/cluster stop)"
    )
    parser.add_argument("--setup-worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--check-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_worker:
        return setup_worker(json.loads(args.setup_worker[0]), Path(args.setup_worker[1])) or 0
    if args.check_worker:
        return check_worker(Path(args.check_worker[0]), Path(args.check_worker[1])) or 0
    if args.users < 8:
        parser.error("--users: at least 8 (7 fixed roles and the learners)")

    import locust  # noqa: F401  (gevent's monkey patching, before the cluster module imports ssl)

    load = Path("/proc/loadavg").read_text().split()[0]
    module = cluster_module()
    folder = Path(tempfile.mkdtemp(prefix="sitecert-rush."))
    shutil.rmtree(folder)
    began = time.time()
    module.start(Namespace(dir=str(folder), apps=args.apps, net="auto", env=CLUSTER_ENV))
    cluster = module.Cluster(folder)
    state = cluster.state
    print(
        f"rush: cluster up in {time.time() - began:.0f} s ({state['net']}) at {state['urls']['https']}",
        file=sys.stderr,
    )
    try:
        work = folder / "var" / "rush"
        work.mkdir()
        spec = {
            "learners": args.learners,
            "holders": args.holders,
            "verify": 100,
            "issue": 400,
            "registrants": 300,
        }
        began = time.time()
        child("--setup-worker", folder, json.dumps(spec), work / "data.json")
        print(f"rush: seeded in {time.time() - began:.0f} s", file=sys.stderr)
        data = json.loads((work / "data.json").read_text())
        run = drive(args, state, data, folder, cluster)
        (work / "observed.json").write_text(json.dumps(run["observed"]))
        child("--check-worker", folder, work / "observed.json", work / "books.json")
        books = json.loads((work / "books.json").read_text())
        return report(run, books, args, load)
    finally:
        if args.keep:
            print(f"rush: the cluster stays up in {folder}", file=sys.stderr)
        else:
            module.stop_cluster(module.Cluster(folder))


if __name__ == "__main__":
    sys.exit(main())
