"""The verification records a process keeps between requests (issue 17): in a rush the same workers' QR codes
are scanned at gate after gate, and asking PostgreSQL each time was a third of a verification.

A record is kept only while this process listens to PostgreSQL's notices of changed certificates
(migrations/0008: triggers on every table a record is read from, so no writer can forget to tell). A notice
forgets the numbers it names, or every record; so does losing the listening connection, and nothing is kept
again until it listens anew. A record read while a notice arrived is not kept (it may be older than the
notice). A change is heard by every process within milliseconds of its commit; `heard()` waits for that.
Nothing is kept inside a transaction (it sees its own writes, which may never commit), on SQLite (no
notices), or with KEPT_RECORDS = 0.
"""

import logging
import os
import threading
import time
import uuid

import psycopg
from cachetools import TTLCache
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

CHANNEL = "sitecert_certificates"
EVERYTHING = "*"
LISTENER = "sitecert kept records"  # the listening connections' name in pg_stat_activity
PING = 30  # seconds between checks that the listening connection still answers
WAKE = 1  # seconds between looks at whether to stop listening
RETRY = 1  # seconds before listening again after losing the connection
log = logging.getLogger(__name__)


class Kept:
    def __init__(self, size: int, seconds: int):
        # `seconds`: a last resort, should a notice ever go astray.
        self._records: TTLCache[str, dict] = TTLCache(size, seconds)
        self._lock = threading.Lock()
        self._marks: dict[str, threading.Event] = {}
        self._generation = 0
        self._listening = False
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def get(self, number: str) -> dict | None:
        if not self._usable():
            return None
        with self._lock:
            return self._records.get(number)

    def generation(self) -> int | None:
        """Taken before a record is read; None while a record read now may not be kept."""
        return self._generation if self._usable() else None

    def keep(self, number: str, record: dict, generation: int | None) -> None:
        with self._lock:
            if generation is not None and generation == self._generation and self._listening:
                self._records[number] = record

    def heard(self, timeout: float = 5.0) -> bool:
        """Wait until this process has heard every change committed before the call; False if it cannot."""
        if not self._usable():
            return False
        mark = uuid.uuid4().hex
        self._marks[mark] = event = threading.Event()
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"?{mark}"])
            return event.wait(timeout)  # notices arrive in the order of their commits
        finally:
            self._marks.pop(mark, None)

    def _usable(self) -> bool:
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql" or not settings.KEPT_RECORDS:
            return False
        if self._pid != os.getpid():
            self._start()
        return self._listening and not connection.in_atomic_block

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._listening = os.getpid(), False
            self._records.clear()
            params = {**connections[DEFAULT_DB_ALIAS].get_connection_params(), "application_name": LISTENER}
            self._stopping.clear()
            self._thread = threading.Thread(target=self._listen, args=(params,), name=LISTENER, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop listening and keep nothing more (a test database is dropped only when nobody is connected)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(PING)
        self._pid = self._thread = None

    def _listen(self, params: dict) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.Connection.connect(**params, autocommit=True) as connection:
                    if not _told_of_changes(connection):
                        log.warning("no change notices in this database (migrate): keeping no records")
                        self._stopping.wait(PING)
                        continue
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._forget(EVERYTHING, listening=True)  # what changed before LISTEN was not heard
                    self._hear(connection)
            except Exception:
                log.warning("not listening for changed certificates; keeping no records", exc_info=True)
            self._forget(EVERYTHING, listening=False)
            self._stopping.wait(RETRY)

    def _hear(self, connection) -> None:
        pinged = time.monotonic()
        while not self._stopping.is_set():
            for notice in connection.notifies(timeout=WAKE):
                self._forget(notice.payload)
            if time.monotonic() - pinged > PING:
                connection.execute("SELECT 1")  # a server gone without a word raises here
                pinged = time.monotonic()

    def _forget(self, payload: str, listening: bool | None = None) -> None:
        if payload.startswith("?"):  # heard()'s own mark: everything before it has been heard
            if mark := self._marks.get(payload[1:]):
                mark.set()
            return
        with self._lock:
            self._generation += 1
            if listening is not None:
                self._listening = listening
            if payload == EVERYTHING:
                self._records.clear()
            else:
                for number in payload.split(","):
                    self._records.pop(number, None)


def _told_of_changes(connection) -> bool:
    """Whether the database has the triggers that tell of changes (migrations/0008): code upgraded before its
    migration, or a database restored without them, would otherwise keep records that nobody forgets."""
    found = connection.execute("SELECT to_regprocedure('sitecert_forget_numbers()') IS NOT NULL").fetchone()
    return bool(found and found[0])


records = Kept(size=100_000, seconds=3600)
