"""What the benchmarks share: fresh databases of the engine under test, and measured child processes."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

PYTHON = sys.executable


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


def run(args: list[str], url: str) -> tuple[float, int, str]:
    """Run a child process on database `url`: (seconds, peak RSS in MiB, its stdout)."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "*",
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
def serve(url: str, *, workers: int = 2, extra_env: dict | None = None):
    """gunicorn (gthread, 4 threads per worker) on a free loopback port over database `url`; yields the port."""
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
    command = [PYTHON, "-m", "gunicorn", "sitecert.wsgi:application", "-w", str(workers), "-k", "gthread"]
    command += ["--threads", "4", "-b", f"127.0.0.1:{port}", "--keep-alive", "30", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, env=env)
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
