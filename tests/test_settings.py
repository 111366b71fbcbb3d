import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sitecert.lib.env import envbool, envfile_load, envint, envlist
from sitecert.portals import checks

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("raw", "value"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False), ("", False)]
)
def test_envbool_reads_the_usual_spellings(monkeypatch, raw, value):
    monkeypatch.setenv("FLAG", raw)
    assert envbool("FLAG", default=not value) is value


@pytest.mark.parametrize(("reader", "raw"), [(envbool, "yes please"), (envint, "ten")])
def test_a_malformed_setting_stops_the_start(monkeypatch, reader, raw):
    monkeypatch.setenv("FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        reader("FLAG", 1)


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, b.example ,")
    assert envlist("HOSTS") == ["a.example", "b.example"]


def run_check(**env):
    full = {
        k: v
        for k, v in os.environ.items()
        # the test command's own Redis (scripts/with-redis) must not stand in for a production one
        if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")
    }
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "sitecert.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=full,
        capture_output=True,
        text=True,
        cwd=ROOT,  # the tests' SMS gateway (tests/sms_gateway.py) is importable from there
    )


DEPLOYED = {
    "PUBLIC_URL": "https://sitecert.example.cn",
    "SMS_BACKEND": "tests.sms_gateway.GatewayBackend",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def test_the_production_profile_passes_the_deploy_check(reachable_redis):
    result = run_check(
        DEBUG="0",
        SECRET_KEY="k" * 30 + "-Z9q!x" * 5,
        ALLOWED_HOSTS="sitecert.example.cn",
        REDIS_URL=reachable_redis,
        **DEPLOYED,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(DEBUG="0", ALLOWED_HOSTS="sitecert.example.cn")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_an_empty_secret_key_is_no_secret_key():
    """deploy/sitecert.env ships `SECRET_KEY=`: it started, and every page failed with a 500."""
    result = run_check(DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="sitecert.example.cn")
    assert result.returncode == 2 and "SECRET_KEY" in result.stderr and "empty" in result.stderr
    assert "Traceback" not in result.stderr  # the message alone, as a command's refusal


def test_the_deploy_check_connects_to_the_database_and_redis(reachable_redis):
    """A placeholder host or a wrong password passed the check: the database's showed at `migrate`, Redis's
    never (an unreachable Redis is an empty cache, and rate limits go unenforced)."""
    wrong = run_check(
        **PRODUCTION,
        **DEPLOYED,
        DATABASE_URL="postgres://sitecert:CHANGE-ME@db.invalid:5432/sitecert",
        REDIS_URL="redis://:wrong@127.0.0.1:1/0",
    )
    assert "sitecert.E007" in wrong.stderr and "db.invalid" in wrong.stderr, wrong.stderr
    assert "sitecert.E008" in wrong.stderr and wrong.returncode != 0
    right = run_check(**PRODUCTION, **DEPLOYED, REDIS_URL=reachable_redis)
    assert right.returncode == 0, right.stderr


def test_a_rate_that_cannot_be_read_is_named_by_every_commands_checks():
    """VERIFY_RATE=lots passed the checks, and every verification was then a 500."""
    result = subprocess.run(
        [sys.executable, "-m", "sitecert.cli", "check"],
        env={**os.environ, "VERIFY_RATE": "lots"},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (
        result.returncode != 0 and "sitecert.E009" in result.stderr and "VERIFY_RATE='lots'" in result.stderr
    )


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k" * 30 + "-Z9q!x" * 5, "ALLOWED_HOSTS": "sitecert.example.cn"}


def test_production_refuses_to_start_without_a_shared_cache():
    """Issue 15: without REDIS_URL every process counted its own rate limits, and the check was silenced."""
    result = run_check(**PRODUCTION)
    assert result.returncode != 0 and "REDIS_URL" in result.stderr and "SINGLE_PROCESS" in result.stderr


def test_one_declared_process_starts_and_the_check_still_says_it_counts_alone():
    result = run_check(**PRODUCTION, SINGLE_PROCESS="1")
    assert "sitecert.W001" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_the_deploy_check_reports_what_production_still_lacks():
    """Issue 17: with DEBUG=0 and no PUBLIC_URL, http://127.0.0.1:8000 was signed into every QR code; SMS and
    e-mail were printed in the log; behind the proxy every client shared its address."""
    result = run_check(**PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/0", BEHIND_TLS_PROXY="1")
    assert result.returncode != 0
    for code in ("sitecert.E001", "sitecert.E003", "sitecert.E005", "sitecert.E006"):
        assert code in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1:8000", "sitecert.E001"),
        ("http://sitecert.example.cn", "sitecert.E001"),
        ("https://localhost", "sitecert.E001"),
        ("https://[::1]:8443", "sitecert.E001"),
        ("https://verify.example.cn", "sitecert.E002"),
        ("https://sitecert.example.cn/", None),
    ],
)
def test_public_url_must_be_the_public_https_address_served_here(settings, url, code):
    settings.ALLOWED_HOSTS = ["sitecert.example.cn"]
    settings.PUBLIC_URL = url
    assert [e.id for e in checks.public_url(None)] == ([code] if code else [])


@pytest.mark.parametrize(
    ("sms", "email", "codes"),
    [
        (
            "sitecert.people.sms.ConsoleBackend",
            "django.core.mail.backends.console.EmailBackend",
            ["E003", "E005"],
        ),
        (
            "sitecert.people.sms.MemoryBackend",
            "django.core.mail.backends.locmem.EmailBackend",
            ["E003", "E005"],
        ),
        ("nowhere.sms.Gateway", "django.core.mail.backends.smtp.EmailBackend", ["E004"]),
        ("tests.sms_gateway.GatewayBackend", "django.core.mail.backends.filebased.EmailBackend", ["E005"]),
        ("tests.sms_gateway.KeylessBackend", "django.core.mail.backends.smtp.EmailBackend", ["E010"]),
        ("tests.sms_gateway.GatewayBackend", "django.core.mail.backends.smtp.EmailBackend", []),
    ],
)
def test_messages_must_leave_the_machine_in_production(settings, sms, email, codes):
    settings.SMS_BACKEND, settings.EMAIL_BACKEND = sms, email
    assert [e.id for e in checks.message_backends(None)] == [f"sitecert.{c}" for c in codes]


@pytest.mark.parametrize(
    ("proxy", "key", "refused"),
    [(True, "REMOTE_ADDR", True), (True, "HTTP_X_REAL_IP", False), (False, "REMOTE_ADDR", False)],
)
def test_behind_the_proxy_the_client_address_comes_from_its_header(settings, proxy, key, refused):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if proxy else None
    settings.RATELIMIT_IP_META_KEY = key
    assert [e.id for e in checks.client_address(None)] == (["sitecert.E006"] if refused else [])


@pytest.mark.parametrize("path", ["deploy/sitecert.env", ".env.example"])
def test_the_shipped_environment_files_pass_the_deploy_check_once_filled_in(tmp_path, path, reachable_redis):
    """What an operator copies, loaded as the units load it (SITECERT_ENV_FILE), with the blanks filled in
    through the environment, which wins over the file (the database and Redis: ones that answer)."""
    result = run_check(
        SITECERT_ENV_FILE=str(ROOT / path),
        DATABASE_URL=os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        REDIS_URL=reachable_redis,
        SECRET_KEY="k" * 30 + "-Z9q!x" * 5,
        SMS_BACKEND="tests.sms_gateway.GatewayBackend",
        SITECERT_VAR_DIR=str(tmp_path / "var"),
        SIGNING_KEY_DIR=str(tmp_path / "keys"),
        CERTIFICATE_PDF_DIR=str(tmp_path / "pdf"),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_an_environment_file_is_read_only_when_named_and_never_overrides_the_environment(
    monkeypatch, tmp_path
):
    env = tmp_path / "sitecert.env"
    env.write_text(
        "# a comment\nSITECERT_A=from-file\nSITECERT_B=p$HOME#1\nSITECERT_C=file\n", encoding="utf-8"
    )
    for name in ("SITECERT_A", "SITECERT_B"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SITECERT_C", "environment")
    monkeypatch.delenv("SITECERT_ENV_FILE", raising=False)
    assert envfile_load() is None and "SITECERT_A" not in os.environ
    monkeypatch.setenv("SITECERT_ENV_FILE", str(env))
    assert envfile_load() == env
    assert os.environ["SITECERT_A"] == "from-file"
    assert os.environ["SITECERT_B"] == "p$HOME#1"  # literal, as systemd reads it
    assert os.environ["SITECERT_C"] == "environment"
    for name in ("SITECERT_A", "SITECERT_B"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("SITECERT_ENV_FILE", str(tmp_path / "missing.env"))
    with pytest.raises(ImproperlyConfigured, match="SITECERT_ENV_FILE"):
        envfile_load()


def test_every_setting_read_from_the_environment_is_in_the_example():
    read = set(re.findall(r'env[a-z]*\("([A-Z_]+)"', (ROOT / "sitecert" / "settings.py").read_text()))
    example = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read - example == set(), "document them in .env.example"
    deployed = set(re.findall(r"^([A-Z_]+)=", (ROOT / "deploy" / "sitecert.env").read_text(), re.MULTILINE))
    assert deployed - read == set(), "deploy/sitecert.env sets what settings.py never reads"
