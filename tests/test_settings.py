import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from sitecert.lib.env import envbool, envint, envlist


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
    )


def test_the_production_profile_passes_the_deploy_check():
    result = run_check(
        DEBUG="0",
        SECRET_KEY="k" * 30 + "-Z9q!x" * 5,
        ALLOWED_HOSTS="sitecert.example.cn",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check(DEBUG="0", ALLOWED_HOSTS="sitecert.example.cn")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "k" * 30 + "-Z9q!x" * 5, "ALLOWED_HOSTS": "sitecert.example.cn"}


def test_production_refuses_to_start_without_a_shared_cache():
    """Issue 15: without REDIS_URL every process counted its own rate limits, and the check was silenced."""
    result = run_check(**PRODUCTION)
    assert result.returncode != 0 and "REDIS_URL" in result.stderr and "SINGLE_PROCESS" in result.stderr


def test_one_declared_process_starts_and_the_check_still_says_it_counts_alone():
    result = run_check(**PRODUCTION, SINGLE_PROCESS="1")
    assert "sitecert.W001" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
