import csv
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from openpyxl import Workbook

from sitecert.registry import demo

FILE_KINDS = ("csv-utf8", "csv-utf8-bom", "csv-gb18030", "xlsx")
TODAY = date(2020, 8, 1)
NOW = datetime(2020, 8, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def write_table(path: Path, header, rows, kind: str) -> Path:
    """A registry file as an authority would send it: CSV in one of its encodings, or an xlsx sheet."""
    if kind == "xlsx":
        path = path.with_suffix(".xlsx")
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        book.save(path)
        return path
    path = path.with_suffix(".csv")
    encoding = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-gb18030": "gb18030"}[kind]
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(params=FILE_KINDS)
def file_kind(request):
    return request.param


@pytest.fixture
def rng():
    return random.Random(11643)


@pytest.fixture
def person(rng):
    """A realistic person: (name, valid 18-character ID number born 1985-1995)."""

    def make(**kw):
        born = kw.pop("born", date(1985 + rng.randrange(10), 1 + rng.randrange(12), 1 + rng.randrange(28)))
        return demo.person_name(rng), demo.id_number(rng, born=born, **kw)

    return make


@pytest.fixture(autouse=True)
def _chinese_first():
    """Each test starts in the default language: a request in English earlier in the thread must not leak
    into the next test's service calls (Django keeps the last activated language per thread)."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_worker(settings):
    """The task queue's work runs in the test's process (tests/outbox/test_worker.py starts a real worker)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    from sitecert.certificates.keys import forget_keys
    from sitecert.people.services import forget_tokens
    from sitecert.policies.selectors import forget
    from sitecert.throttle import forget_tallies

    cache.clear()
    forget(), forget_tokens(), forget_keys(), forget_tallies()
    yield
    cache.clear()
    forget(), forget_tokens(), forget_keys(), forget_tallies()


@pytest.fixture
def drive_clock():
    """Set the moment sitecert.clock gives the pages, the API and the commands; the real time after."""
    from sitecert import clock

    yield clock.set_now
    clock.set_now(None)


IN_ROUND = datetime(2020, 10, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def in_round(drive_clock):
    """The pages and the API as they were during the 2020 exchange round (8 October 2020)."""
    drive_clock(IN_ROUND)
    return IN_ROUND


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database; before it is dropped, this process stops listening to it (kept.py)."""
    from sitecert.certificates.kept import records

    yield
    records.stop()


@pytest.fixture
def personas(db):
    from tests.personas import make_personas

    return make_personas()


@pytest.fixture
def sms(settings):
    """Messages the SMS backend sent during the test."""
    from sitecert.people import sms as sms_module

    settings.SMS_BACKEND = "sitecert.people.sms.MemoryBackend"
    sms_module.outbox.clear()
    return sms_module.outbox


def last_code(outbox) -> str:
    import re

    return re.search(r"验证码 (\d{6})", outbox[-1][1])[1]


def ensure_post_catalogue() -> None:
    """Transactional tests flush the database, data migrations included; put the post catalogue and the
    shipped policy back (with the migrations' own loaders) when a test needs them."""
    import importlib

    from django.apps import apps

    from sitecert.policies.models import Policy
    from sitecert.registry.models import Post

    if not Post.objects.exists():
        importlib.import_module("sitecert.registry.migrations.0002_post_catalogue").load(apps, None)
    if not Policy.objects.exists():
        shipped = importlib.import_module("sitecert.certificates.migrations.0002_tianjin_2020").TIANJIN_2020
        Policy.objects.create(**shipped)
    cache.clear()


@pytest.fixture
def post_catalogue(transactional_db):
    ensure_post_catalogue()


@pytest.fixture
def policy(db):
    """The shipped Tianjin 2020 policy; call it with changes to edit it in place for one test."""
    from sitecert.policies.models import Policy

    def change(**fields):
        row = Policy.objects.get(code="tianjin-2020", version=1)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()
        return row

    return change


@pytest.fixture
def keys(settings, tmp_path):
    """A signing key set in a private temporary directory, as `sitecert keys generate` makes it."""
    from sitecert.certificates.keys import key_generate

    settings.SIGNING_KEY_DIR = tmp_path / "keys"
    return key_generate(now=datetime(2020, 9, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), actor="test")


@pytest.fixture(scope="session")
def reachable_redis() -> Iterator[str]:
    """A Redis URL that answers: the test command's (scripts/with-redis), or a throwaway server of this
    session's own on a Unix socket (the SQLite run has none)."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    folder = Path(tempfile.mkdtemp(prefix="sitecert-test-redis."))
    socket = folder / "redis.sock"
    args = ["--port", "0", "--unixsocket", str(socket), "--dir", str(folder), "--save", ""]
    server = subprocess.Popen(["redis-server", *args], stdout=subprocess.DEVNULL)
    for _ in range(100):
        if socket.exists():
            break
        time.sleep(0.05)
    yield f"unix://{socket}"
    server.terminate()
    server.wait(timeout=10)
