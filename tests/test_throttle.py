"""Rate limits (sitecert.throttle): fixed windows per client, staggered, counted in the shared cache."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from sitecert import throttle
from sitecert.throttle import RateLimited, check_rate, parse_rate


def test_rates_are_read_as_requests_per_window_and_a_bad_one_names_its_setting():
    assert parse_rate("30/m") == (30, 60)
    assert parse_rate("5/h") == (5, 3600)
    assert parse_rate("10/5m") == (10, 300)
    assert parse_rate(" 1000000/s ") == (1_000_000, 1)
    with pytest.raises(ImproperlyConfigured, match="VERIFY_RATE='30 per minute'"):
        parse_rate("30 per minute", "VERIFY_RATE")


def asks(address: str, at: float, monkeypatch) -> None:
    monkeypatch.setattr(throttle.time, "time", lambda: at)
    check_rate(RequestFactory().get("/", REMOTE_ADDR=address), group="test", rate_setting="VERIFY_RATE")


def test_a_client_over_its_budget_waits_for_its_own_window_to_end(settings, monkeypatch):
    settings.VERIFY_RATE = "2/m"
    start = 1_800_000_000.0
    asks("203.0.113.7", start, monkeypatch)
    asks("203.0.113.7", start + 1, monkeypatch)
    with pytest.raises(RateLimited) as refused:
        asks("203.0.113.7", start + 2, monkeypatch)
    assert 1 <= refused.value.retry_after <= 60
    asks("198.51.100.9", start + 2, monkeypatch)  # another client has its own budget
    asks("203.0.113.7", start + 2 + refused.value.retry_after, monkeypatch)  # the window has turned


def test_windows_are_staggered_so_that_budgets_do_not_all_refill_at_once():
    ends = {
        throttle._window_end(throttle._hashed(f"10.0.{n // 256}.{n % 256}"), 60, 1_800_000_000)
        for n in range(300)
    }
    assert len(ends) > 40 and all(1_800_000_000 < end <= 1_800_000_060 for end in ends)
