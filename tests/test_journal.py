"""Log lines under systemd carry their level for the journal (sitecert/lib/journal.py, sd-daemon(3))."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sitecert.lib.journal import priority

ROOT = Path(__file__).resolve().parents[1]
SAY = (
    "import django, logging; django.setup(); log = logging.getLogger('sitecert.outbox.services')\n"
    "log.warning('sms 7 (code) not delivered, try 1: ConnectionError')\n"
    "try:\n    1 / 0\nexcept ZeroDivisionError:\n    log.exception('sms 7 (code) given up')\n"
)


def said(**env) -> list[str]:
    """What a sitecert process logs through Django's LOGGING, as systemd or a terminal would receive it."""
    environment = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    environment.update(env, DJANGO_SETTINGS_MODULE="sitecert.settings")
    done = subprocess.run(
        [sys.executable, "-c", SAY], env=environment, capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return done.stderr.splitlines()


def test_under_systemd_every_line_says_its_level_to_the_journal():
    lines = said(JOURNAL_STREAM="8:12345")  # systemd sets it when the output is the journal
    assert lines[0] == "<4>sms 7 (code) not delivered, try 1: ConnectionError"
    assert lines[1] == "<3>sms 7 (code) given up"
    assert len(lines) > 3 and all(line.startswith("<3>") for line in lines[1:])  # the traceback's lines too
    assert "ZeroDivisionError" in lines[-1]


def test_elsewhere_lines_are_left_as_they_are():
    lines = said()
    assert lines[0] == "sms 7 (code) not delivered, try 1: ConnectionError"
    assert not any(line.startswith("<") for line in lines)


def test_levels_map_to_syslog_priorities():
    assert [priority(level) for level in (50, 40, 30, 20, 10, 5)] == [2, 3, 4, 6, 7, 7]


def test_gunicorns_own_lines_say_their_level_to_the_journal(tmp_path):
    """The application server as deployed (deploy/gunicorn.conf.py): its start is information, a worker killed
    under it an error, each as journald reads them."""
    server = _gunicorn(tmp_path, JOURNAL_STREAM="8:12345")
    try:
        lines = [server.stderr.readline() for _ in range(4)]  # start, listening, worker class, booting
        worker = int(lines[-1].rsplit("pid: ", 1)[1].strip())
        os.kill(worker, signal.SIGKILL)
        while "was sent SIGKILL" not in (line := server.stderr.readline()):
            assert line, "gunicorn said nothing of its killed worker"
    finally:
        server.terminate()
        server.communicate(
            timeout=60
        )  # its last lines read; a graceful stop may take graceful_timeout (30 s)
    assert lines[0].startswith("<6>") and "Starting gunicorn" in lines[0]
    assert lines[-1].startswith("<6>") and "Booting worker" in lines[-1]
    assert line.startswith("<3>")


def test_gunicorns_master_and_workers_log_in_one_time_zone(tmp_path):
    """The master's lines and a worker's carry the same local time (settings.TIME_ZONE), whatever TZ the
    server was started with: Django sets the zone only in the workers it loads, 8 hours from the master's UTC."""
    server = _gunicorn(tmp_path, TZ="UTC", SITECERT_ACCESS_LOG="")
    try:
        while "Booting worker" not in (line := server.stderr.readline()):
            assert line, "gunicorn stopped before its worker booted"
        answered = _get(tmp_path / "app.sock", "/api/v1/health")  # the worker has loaded Django
        assert answered.startswith(b"HTTP/1.1 200"), answered[:80]
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=60)
    zones = {line.split("]", 1)[0].rsplit(" ", 1)[1] for line in errors.splitlines() if line.startswith("[")}
    assert "Worker exiting" in errors and "Handling signal: term" in errors  # a worker's line, the master's
    assert zones == {"+0800"}


def _gunicorn(tmp_path: Path, **env: str) -> subprocess.Popen:
    """The application server as deployed (deploy/gunicorn.conf.py), one worker on a socket in `tmp_path`,
    its log lines on a pipe; `env` on top of this process's environment (without systemd's JOURNAL_STREAM)."""
    environment = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    environment.update(
        SITECERT_BIND=f"unix:{tmp_path}/app.sock",
        SITECERT_WORKERS="1",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        DEBUG="1",
        **env,
    )
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    return subprocess.Popen(command, env=environment, cwd=ROOT, stderr=subprocess.PIPE, text=True)


def _get(socket_path: Path, path: str) -> bytes:
    with socket.socket(socket.AF_UNIX) as client:
        for _ in range(100):  # the socket appears as the worker starts
            try:
                client.connect(str(socket_path))
                break
            except OSError:
                time.sleep(0.1)
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        return b"".join(iter(lambda: client.recv(65536), b""))
