"""What the benchmarks share: fresh databases of the engine under test, measured child processes, and a
keep-alive HTTP load that compares two kinds of request in alternating rounds."""

import asyncio
import ctypes
import os
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PYTHON = sys.executable
GUNICORN_CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


class Engine:
    """Fresh, empty databases of one engine, each named for one measurement."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.base = os.environ.get("DATABASE_URL", "")
        self.postgres = self.base.startswith(("postgres://", "postgresql://"))

    def fresh(self, name: str) -> str:
        if not self.postgres:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.workdir / name}.sqlite3{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{self.workdir / name}.sqlite3"
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return urlsplit(self.base)._replace(path=f"/{name}").geturl()

    def dsn(self, name: str) -> str:
        parts = urlsplit(self.base)
        query = dict(p.split("=", 1) for p in parts.query.split("&") if p)
        return f"dbname={name} user={parts.username} host={query.get('host', parts.hostname)} port={query.get('port', parts.port or 5432)}"

    def cpu(self) -> float:
        """CPU seconds the database server has used so far (PostgreSQL on this machine, through its socket's
        lock file, which names the postmaster); 0 for SQLite, which works in the server's own processes."""
        if not self.postgres:
            return 0.0
        parts = urlsplit(self.base)
        query = dict(p.split("=", 1) for p in parts.query.split("&") if p)
        lock = Path(query.get("host", "")) / f".s.PGSQL.{query.get('port', parts.port or 5432)}.lock"
        try:
            return tree_cpu(int(lock.read_text().split()[0]))
        except (OSError, ValueError, IndexError):
            return 0.0  # a server elsewhere: its CPU is not read here


def run(args: list[str], url: str) -> tuple[float, int, str]:
    """Run a child process on database `url`: (seconds, peak RSS in MiB, its stdout)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "*",
        # one process, which production settings accept without a shared cache only when it says so
        **({} if os.environ.get("REDIS_URL") else {"SINGLE_PROCESS": "1"}),
    }
    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as errors:
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # reaps the child and tells its peak memory
        elapsed = time.perf_counter() - started
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{args} failed ({status}):\n{out}\n{errors.read()[-3000:]}")
    return elapsed, usage.ru_maxrss // 1024, out


def migrate(url: str) -> None:
    run([PYTHON, "-m", "sitecert.cli", "migrate", "--verbosity", "0"], url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(url: str, *, workers: int | None = None, extra_env: dict | None = None):
    """gunicorn as production runs it (deploy/gunicorn.conf.py: gthread, its threads, by default two processes
    per core) on a free loopback port over database `url`, without its access log; yields the port. Several
    workers share rate limits and caches through Redis, as in production: REDIS_URL is required."""
    workers = workers or production("workers")
    if workers > 1 and not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "a server of several processes needs Redis: run under scripts/with-redis (as make bench does)"
        )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.update(SITECERT_BIND=f"127.0.0.1:{port}", SITECERT_WORKERS=str(workers), SITECERT_ACCESS_LOG="")
    command = [PYTHON, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--log-level", "warning"]
    server = subprocess.Popen(
        command, cwd=Path(__file__).resolve().parent.parent, env=env, preexec_fn=_ended_with_parent
    )
    _SERVERS[port] = server.pid
    # A bench stopped by SIGTERM (kill, pkill, timeout) still stops its server below: Python's default for the
    # signal ends the process without running `finally`, and the server was left serving.
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait()
        signal.signal(signal.SIGTERM, previous)


def _ended_with_parent() -> None:
    """In the server's process before it starts: the kernel sends it SIGTERM when the bench dies, even by
    SIGKILL (which runs no `finally`), so no gunicorn is left serving (Linux's PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


PR_SET_PDEATHSIG = 1


def _exit(signum, _frame):
    raise SystemExit(128 + signum)


def production(setting: str) -> int:
    """A number deploy/gunicorn.conf.py sets on this machine: "workers" (processes) or "threads"."""
    return int(runpy.run_path(str(GUNICORN_CONF))[setting])


_SERVERS: dict[int, int] = {}  # port -> gunicorn master's pid
# A response counts as done when it says so: an accepted beat, a live health check, a valid certificate
# (the API's answer or the verification page's verdict).
OK_MARKS = (b'"accepted": true', b'"status": "ok"', b'"outcome": "valid"', b'class="verdict verdict-valid"')


def server_cpu(port: int) -> float:
    """CPU seconds used so far by the server on `port` and its workers."""
    return tree_cpu(_SERVERS[port])


def tree_cpu(parent: int) -> float:
    """CPU seconds used so far by process `parent` and its children, living and ended: a gunicorn worker
    recycled after max_requests, or a PostgreSQL backend whose connection closed, took its CPU with it into
    the parent's count of reaped children."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return _cpu(parent, reaped=True) + sum(_cpu(int(pid)) for pid in children)


def _cpu(pid: int, reaped: bool = False) -> float:
    """User and system time of `pid`, with its waited-for children's when `reaped` (proc(5): fields 14-17)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """What one kind of request did over all its rounds."""

    seconds: float = 0.0
    cpu: float = 0.0
    db_cpu: float = 0.0
    counts: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.counts.get("ok", 0) / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """The server's CPU milliseconds per request answered."""
        return 1000 * self.cpu / max(1, sum(self.counts.values()))

    @property
    def db_cpu_ms(self) -> float:
        """The database server's CPU milliseconds per request answered (PostgreSQL's; 0 on SQLite)."""
        return 1000 * self.db_cpu / max(1, sum(self.counts.values()))


def alternate(
    port: int,
    kinds: dict[str, Callable[[int], Iterator[bytes]]],
    *,
    connections: int,
    seconds: float,
    rounds: int = 6,
    database: Engine | None = None,
) -> dict[str, Load]:
    """Each kind of request for `seconds` in all, in `rounds` alternating slices on the same connections'
    worth of clients, so that the machine's drift (a shared 2-core VM's) falls on every kind alike. Each
    connection's request stream goes on across rounds (a learner's beats keep their numbering). The server's
    CPU is counted around each slice, and the `database` server's when given."""
    streams = {name: [make(i) for i in range(connections)] for name, make in kinds.items()}
    unread: dict[int, bytes] = {}  # a stream's last answer, which its next round gives it back
    loads = {name: Load() for name in kinds}
    db_cpu = database.cpu if database else lambda: 0.0
    for _ in range(rounds):
        for name, load in loads.items():
            cpu, db, started = server_cpu(port), db_cpu(), time.monotonic()
            asyncio.run(_slice(port, streams[name], started + seconds / rounds, load.counts, unread))
            load.seconds += time.monotonic() - started
            load.cpu += server_cpu(port) - cpu
            load.db_cpu += db_cpu() - db
    return loads


async def _sent(writer, reader, request: bytes) -> bytes:
    """The answer's status line, or b"" when the connection was closed or reset instead."""
    try:
        writer.write(request)
        await writer.drain()
        return await reader.readline()
    except ConnectionError:
        return b""


def health_requests(_connection: int) -> Iterator[bytes]:
    """The trivial endpoint, the yardstick of every rate: /api/v1/health (the whole stack, no database)."""
    while True:
        yield b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


async def _slice(port, streams, stop_at, counts, unread):
    await asyncio.gather(*(_connection(port, stream, stop_at, counts, unread) for stream in streams))


async def _connection(port, requests, stop_at, counts, unread):
    """One keep-alive connection sending its stream's requests one after another; each answer's body goes back
    into the stream (`send`), for a client that answers what it was told (a page's echo of its last beat)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = unread.pop(id(requests), None)
    while time.monotonic() < stop_at:
        request = next(requests) if body is None else requests.send(body)
        while not (first := await _sent(writer, reader, request)):
            # The server closed or reset an idle keep-alive connection (a gunicorn worker recycled after
            # max_requests) before reading the request: send it again on a new one, as HTTP clients do.
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        status = int(first.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await reader.readexactly(length)
        done = "ok" if status == 200 and any(mark in body for mark in OK_MARKS) else f"other-{status}"
        counts[done] = counts.get(done, 0) + 1
    if body is not None:
        unread[id(requests)] = body
    writer.close()
    await writer.wait_closed()
