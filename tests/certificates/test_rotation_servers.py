"""Key rotation across processes: two real servers on one database, each with its own key cache (as
without REDIS_URL). A key rotated at once by `sitecert keys rotate --lead 0` signs a certificate, and the
other server, whose cached JWKS predates the key, calls it valid at once, never forged."""

import json
import os
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager

import pytest
from django.utils import timezone

from sitecert.certificates.exchange import certificates_issue
from sitecert.certificates.keys import key_generate, kid_url
from sitecert.policies.selectors import policy_in_force
from tests.certificates.conftest import IN_WINDOW
from tests.registry.test_command import SITECERT, database_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(settings, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "SIGNING_KEY_DIR": str(settings.SIGNING_KEY_DIR),
        "VERIFY_RATE": "10000/m",
        **extra,
    }


@contextmanager
def server(settings, port: int | None = None, **extra: str):
    """`sitecert runserver --noreload` on a loopback port (a free one unless given), with `extra` added to
    its environment; yields its base address."""
    port = port or free_port()
    proc = subprocess.Popen(
        [*SITECERT, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=environment(settings, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def verify(base: str, token: str) -> dict:
    query = urllib.parse.urlencode({"token": token})
    with urllib.request.urlopen(f"{base}/api/v1/verify?{query}", timeout=20) as response:
        return json.load(response)


def issue(legacy):
    now = timezone.now()  # the servers judge keys by the real clock
    return certificates_issue(
        legacy_ids=[legacy.pk], policy=policy_in_force(on=IN_WINDOW), as_of=IN_WINDOW, now=now
    )[0]


@pytest.mark.django_db(transaction=True)
def test_rotate_in_one_process_issue_and_verify_in_another_at_once(post_catalogue, settings, tmp_path):
    from tests.personas import make_personas

    settings.SIGNING_KEY_DIR = tmp_path / "keys"
    key_generate(now=timezone.now(), actor="test")
    personas = make_personas()
    first = issue(personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101"))
    with ExitStack() as stack:
        a, b = stack.enter_context(server(settings)), stack.enter_context(server(settings))
        for base in (a, b):  # each caches the JWKS it knows now: the first key only
            assert verify(base, first.versions.get().qr_token)["outcome"] == "valid"
        rotated = subprocess.run(
            [*SITECERT, "keys", "rotate", "--lead", "0"],
            env=environment(settings),
            capture_output=True,
            text=True,
            check=True,
        )
        new_kid = json.loads(rotated.stdout.strip().splitlines()[-1])["kid"]
        second = issue(personas.other_holder.person.legacy_certificates.get(certificate_no="TJ2014000201"))
        version = second.versions.get()
        assert version.kid == new_kid
        for base in (b, a):
            for token in (version.qr_token, version.credential):
                body = verify(base, token)
                assert (body["outcome"], body["signature"]["kid"]) == ("valid", kid_url(new_kid)), base
        assert (
            verify(b, first.versions.get().qr_token)["outcome"] == "valid"
        )  # the retired key still verifies
