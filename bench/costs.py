"""What one operation costs, for docs/scaling.md (run on demand): CPU milliseconds in the application,
database round trips (statements and commits), CPU milliseconds in the PostgreSQL backend, and cache
(Redis) calls, per request.

A fresh database (DATABASE_URL's PostgreSQL, or SQLite) gets the demo registry (`seed-demo`: 3,000 people,
e-certificates, demo holders) and the heartbeat benchmark's learners; then one process with production
settings (DEBUG=0) sends each operation N times through Django's full request stack (middleware, sessions,
CSP, rate limits, the API) with its test client, in one thread, and reads the counters around them. No HTTP
server and no client in the measured process: add gunicorn's own cost (the trivial endpoint's rate in
bench/heartbeats.py) to size a server. The backend's CPU is read from /proc (PostgreSQL on this machine).
Prints a table, then one JSON line.

`--instructions` runs the measuring process under valgrind's callgrind (Debian `valgrind`, 30–60 times slower:
use `--repeat 100`) and reports the instructions the application executed per operation instead of its
CPU time: a count that does not move with the other work on the machine, its CPU frequency or the time a
virtual machine is not given (steal), so two commits can be compared run against run where CPU milliseconds on
this VM vary by 20 % from one run to the next.

`--profile TEXT` runs the operations whose name has TEXT under cProfile and prints where their time went (the
costliest functions, and who called them) to standard error; their own figures then carry the profiler's cost.
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, Engine, migrate

RULES = json.dumps({"MIN_GAP": 0, "MAX_GAP": 10**6, "PRESENCE_EVERY": 10**9})
SETTINGS = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-" + "x" * 50,
    "ALLOWED_HOSTS": "*",
    "SECURE_SSL_REDIRECT": "0",
    "SINGLE_PROCESS": "1",
    "LEARNING_RULES": RULES,
    "SMS_BACKEND": "sitecert.people.sms.MemoryBackend",
    "CELERY_BROKER_URL": "",  # the queue's tasks run in the request: the SMS code is read back from the outbox
    "VERIFY_RATE": "1000000/m",
    "REGISTER_RATE": "1000000/h",
    "REGISTRY_QUERY_RATE": "1000000/m",
    "LOG_LEVEL": "WARNING",
}


class Counters:
    """Statements and commits on the default connection, calls to the cache."""

    def __init__(self):
        self.statements = self.commits = self.cache = 0

    def install(self):
        from django.core.cache import caches
        from django.db import connection

        def statement(execute, sql, params, many, context):
            self.statements += 1
            return execute(sql, params, many, context)

        self._wrapping = connection.execute_wrapper(statement)  # kept: collected, it would unwrap itself
        self._wrapping.__enter__()
        commit = connection._commit

        def counted_commit():
            self.commits += 1
            return commit()

        connection._commit = counted_commit
        cache = caches["default"]
        for name in (
            "get",
            "set",
            "add",
            "incr",
            "decr",
            "delete",
            "get_many",
            "set_many",
            "touch",
            "has_key",
        ):
            method = getattr(cache, name)

            def counted(*args, _method=method, **kwargs):
                self.cache += 1
                return _method(*args, **kwargs)

            setattr(cache, name, counted)


def backend_cpu_seconds() -> float:
    """CPU time of this connection's PostgreSQL backend so far (0 on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_worker(out: Path, repeat: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django

    django.setup()
    from django.test import Client

    from bench.heartbeats import page_headers
    from bench.heartbeats import setup_worker as learners_setup
    from sitecert.certificates.models import ECertificate
    from sitecert.people import sms
    from sitecert.registry.models import Person

    pairs_file = out.with_name("learners.json")
    learners_setup(200, pairs_file)
    learners = json.loads(pairs_file.read_text())
    numbers = list(ECertificate.objects.order_by("number").values_list("number", flat=True)[:500])
    holder_cert = ECertificate.objects.filter(record__person__account__isnull=False).select_related(
        "record__person__account"
    )[0]
    holder = holder_cert.record.person.account
    newcomers = list(Person.objects.filter(account__isnull=True).values_list("name", "id_number")[:200])

    counters = Counters()
    counters.install()
    anonymous, signed_in = Client(), Client()
    signed_in.force_login(holder)
    seqs = {token: 0 for _api, token, _cookies in learners}
    echoes: dict[str, str] = {}
    browser = Client(enforce_csrf_checks=True)  # the course page's beat: its cookies, its CSRF header

    def health(i):
        return anonymous.get("/api/v1/health")

    def verify_api(i):
        return anonymous.get(f"/api/v1/verify/{numbers[i % len(numbers)]}")

    def verify_page(i):
        return anonymous.get(f"/verify/{numbers[i % len(numbers)]}")

    def query_page(i):
        return anonymous.get("/query/")

    def holder_home(i):
        return signed_in.get("/me/")

    def ecertificate_page(i):
        return signed_in.get(f"/certificates/{holder_cert.number}/")

    def beat(i, *, web: bool):
        api_token, token, cookies = learners[i % len(learners)]
        seqs[token] += 1
        who = (
            {
                f"HTTP_{name.upper().replace('-', '_')}": value
                for name, value in page_headers(cookies, "http://testserver").items()
            }
            if web
            else {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}
        )
        answer = (browser if web else anonymous).post(
            f"/api/v1/learning/sessions/{token}/beats",
            {"seq": seqs[token], "visible": True, "echo": echoes.get(token, "")},
            content_type="application/json",
            **who,
        )
        echoes[token] = answer.json().get("echo", "")  # sent back with the next beat (learn.js does)
        return answer

    def heartbeat(i):
        return beat(i, web=False)

    def page_heartbeat(i):
        return beat(i, web=True)

    def registration(i):
        name, id_number = newcomers[i]
        mobile = f"139{i:08d}"
        answer = anonymous.post(
            "/api/v1/accounts/register",
            {"name": name, "id_number": id_number, "mobile": mobile, "password": "Tianjin-2026-bench"},
            content_type="application/json",
            REMOTE_ADDR=f"10.1.{i // 250}.{i % 250}",
        )
        assert answer.status_code == 201, answer.content
        text = next(text for to, text in reversed(sms.outbox) if to == mobile)
        code = re.search(r"验证码 (\d{6})", text)[1]
        return anonymous.post(
            "/api/v1/accounts/confirm",
            {"ticket": answer.json()["ticket"], "code": code},
            content_type="application/json",
        )

    operations = [
        ("trivial endpoint GET /api/v1/health", health, repeat * 4),
        ("heartbeat (accepted) POST …/beats, API client", heartbeat, repeat),
        ("heartbeat (accepted) POST …/beats, course page", page_heartbeat, repeat),
        ("verification GET /api/v1/verify/{number}", verify_api, repeat),
        ("verification page GET /verify/{number}", verify_page, repeat),
        ("public query page GET /query/", query_page, repeat),
        ("holder's home GET /me/", holder_home, repeat // 2),
        ("e-certificate page GET /certificates/{number}/", ecertificate_page, repeat // 2),
        (
            "registration (register + confirm by SMS code)",
            registration,
            min(len(newcomers), 40, repeat // 10),
        ),
    ]
    results = []
    counting = Instructions(out.parent) if os.environ.get("COSTS_INSTRUCTIONS") else None
    profiled = os.environ.get("COSTS_PROFILE")
    idle = counting.count(lambda: None) if counting else 0  # what switching the count on and off costs
    for label, operation, count in operations:
        for i in range(3):  # warm: imports, templates, the session row
            if operation is not registration:
                operation(i)
        before = (counters.statements, counters.commits, counters.cache)
        db_before, cpu_before, wall_before = backend_cpu_seconds(), time.process_time(), time.perf_counter()
        statuses: dict[int, int] = {}

        def send(operation=operation, count=count, statuses=statuses):
            for i in range(count):
                status = operation(i).status_code
                statuses[status] = statuses.get(status, 0) + 1

        if profiled and profiled in label:
            send = _profiled(send, label)
        instructions = counting.count(send) - idle if counting else send()
        cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
        db_cpu = backend_cpu_seconds() - db_before
        results.append(
            {
                "operation": label,
                "count": count,
                "statuses": statuses,
                "app_cpu_ms": round(cpu / count * 1000, 3),
                "wall_ms": round(wall / count * 1000, 3),
                "statements": round((counters.statements - before[0] - 1) / count, 2),  # less the pid query
                "commits": round((counters.commits - before[1]) / count, 2),
                "cache_calls": round((counters.cache - before[2]) / count, 2),
                "db_cpu_ms": round(db_cpu / count * 1000, 3),
                **({"instructions": round(instructions / count)} if counting else {}),
            }
        )
    out.write_text(json.dumps(results))


def _profiled(send, label: str):
    """`send` under cProfile, the functions that took the most time printed to standard error."""

    def profiled():
        profile = cProfile.Profile()
        profile.runcall(send)
        print(f"\n== {label}", file=sys.stderr)
        stats = pstats.Stats(profile, stream=sys.stderr)
        for order in ("tottime", "cumulative"):
            stats.sort_stats(order).print_stats(30)
        stats.sort_stats("tottime").print_callers(12)  # who called the costliest

    return profiled


class Instructions:
    """Instructions this process executes in a piece of code, counted by callgrind (which runs it): counting
    is switched on around the code, then the count is written out (and zeroed) with callgrind_control."""

    def __init__(self, folder: Path):
        self.folder, self.dumps = folder, 0

    def _control(self, *args: str) -> None:
        subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)

    def count(self, code) -> int:
        self._control("--instr=on")
        code()
        self._control("--instr=off")
        self._control("--dump")
        self.dumps += 1
        dump = self.folder / f"callgrind.out.{os.getpid()}.{self.dumps}"
        return int(re.search(r"^totals: (\d+)", dump.read_text(), re.M)[1])


def child_env(url: str, **extra: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1000)
    parser.add_argument("--instructions", action="store_true", help="count instructions (valgrind)")
    parser.add_argument(
        "--profile", metavar="TEXT", help="profile (cProfile) the operations whose name has TEXT"
    )
    parser.add_argument("--measure-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_worker:
        return measure_worker(Path(args.measure_worker[0]), int(args.measure_worker[1]))
    if args.instructions and not shutil.which("callgrind_control"):
        raise SystemExit("--instructions needs valgrind: apt-get install valgrind")
    os.environ.setdefault("SINGLE_PROCESS", "1")  # bench.common runs its children with DEBUG=0 and no Redis
    with tempfile.TemporaryDirectory(prefix="sitecert-bench-") as tmp:
        engine = Engine(Path(tmp))
        url = engine.fresh("bench_costs")
        migrate(url)
        keys = {
            "SIGNING_KEY_DIR": f"{tmp}/keys",
            "CERTIFICATE_PDF_DIR": f"{tmp}/pdf",
            "SITECERT_VAR_DIR": tmp,
        }
        for command in (["keys", "generate"], ["seed-demo"]):  # the demo's holders need DEBUG
            subprocess.run(
                [PYTHON, "-m", "sitecert.cli", *command],
                env=child_env(url, DEBUG="1", **keys),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        out = Path(tmp) / "costs.json"
        measure = [PYTHON, __file__, "--measure-worker", str(out), str(args.repeat)]
        if args.instructions:  # counted only where Instructions.count switches it on
            callgrind = [
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={tmp}/callgrind.out.%p",
            ]
            measure = ["valgrind", "--quiet", *callgrind, *measure]
        subprocess.run(
            measure,
            env=child_env(
                url,
                **SETTINGS,
                **keys,
                **({"COSTS_INSTRUCTIONS": "1"} if args.instructions else {}),
                **({"COSTS_PROFILE": args.profile} if args.profile else {}),
            ),
            check=True,
        )
        results = json.loads(out.read_text())
    kind = "PostgreSQL" if engine.postgres else "SQLite"
    print(f"cost per operation, {kind}, one thread through Django's request stack (no HTTP server)")
    print(
        f"  {'operation':50} {'n':>5} {'app CPU ms':>10} {'wall ms':>8} {'stmts':>6} {'commits':>7} {'cache':>6} {'DB CPU ms':>9}"
    )
    base = results[0].get("instructions")
    for r in results:
        print(
            f"  {r['operation']:50} {r['count']:>5} {r['app_cpu_ms']:>10.2f} {r['wall_ms']:>8.2f} {r['statements']:>6.1f}"
            f" {r['commits']:>7.2f} {r['cache_calls']:>6.1f} {r['db_cpu_ms']:>9.3f}  {r['statuses']}"
        )
        if base:
            print(
                f"      {r['instructions'] / 1e6:.3f} M instructions, {r['instructions'] / base:.2f}x the trivial endpoint"
            )
    print(json.dumps({"engine": kind, "results": results}))


if __name__ == "__main__":
    main()
