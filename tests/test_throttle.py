"""Rate limits (sitecert.throttle): fixed windows per client, staggered, counted in the shared cache."""

import time
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from sitecert import throttle
from sitecert.cachekit import TolerantRedisCache
from sitecert.throttle import RateLimited, Tally, check_rate, parse_rate


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


def test_one_ipv6_line_has_one_budget_however_often_its_address_changes(settings, monkeypatch):
    """nginx listens on [::] (deploy/nginx/sitecert.conf) and a home line or a phone is given a whole /64, whose
    addresses it changes at will (RFC 8981): counted one by one, one client would have as many questions by ID
    number and name (or login tries: axes counts client_ip too) as it liked."""
    settings.VERIFY_RATE = "2/m"
    start = 1_800_000_000.0
    asks("2408:8207:6c4a:1f30::1", start, monkeypatch)
    asks("2408:8207:6c4a:1f30::2", start + 1, monkeypatch)
    with pytest.raises(RateLimited):
        asks("2408:8207:6c4a:1f30:9c1e:22ff:fe01:7a2b", start + 2, monkeypatch)
    asks("2408:8207:6c4a:1f31::1", start + 2, monkeypatch)  # the next line is another client


def test_the_client_is_an_ipv6_line_an_ipv4_address_or_what_the_header_said():
    def client(address: str, **more) -> str | None:
        return throttle.client_ip(RequestFactory().get("/", REMOTE_ADDR=address, **more))

    assert client("2408:8207:6c4a:1f30:9c1e:22ff:fe01:7a2b") == "2408:8207:6c4a:1f30::"
    assert client("::ffff:203.0.113.7") == client("203.0.113.7") == "203.0.113.7"
    assert client("not-an-address") == "not-an-address"  # a misconfigured header: counted as it is


def test_a_window_of_no_seconds_is_refused_as_a_bad_setting_not_a_division_by_zero_per_request():
    with pytest.raises(ImproperlyConfigured, match="VERIFY_RATE='120/0m'"):
        parse_rate("120/0m", "VERIFY_RATE")


def test_a_tallied_budget_counts_its_own_requests_at_once_and_every_processs_at_each_sync():
    """Two processes' tallies of public verifications, synced by hand (every 0.1 s in a server)."""
    if not hasattr(throttle.cache, "count"):
        pytest.skip("tallies sync with Redis (one process alone counts in its own cache)")
    key, ends = f"rl:verify-test:{uuid.uuid4().hex}", int(time.time()) + 60
    one, other = Tally(every=3600), Tally(every=3600)
    assert [one.count(key, 60, ends) for _ in range(3)] == [1, 2, 3]  # its own, at once
    assert other.count(key, 60, ends) == 1  # the other's not heard yet
    one.sync()
    other.sync()
    assert other.count(key, 60, ends) == 5  # 3 of one, 1 of its own synced, this one
    assert one.count(key, 60, ends) == 4  # its own at once; the other's request not heard yet
    one.sync()
    assert one.count(key, 60, ends) == 6  # 5 shared at its sync (the other's last is not), this one


def test_while_redis_cannot_count_a_tally_goes_on_counting_its_own(monkeypatch):
    monkeypatch.setattr(throttle, "cache", TolerantRedisCache("redis://127.0.0.1:9", {}))  # nobody listens
    tally, ends = Tally(every=3600), int(time.time()) + 60
    assert [tally.count("rl:verify-test:a", 60, ends) for _ in range(2)] == [1, 2]
    tally.count("rl:verify-test:b", 60, ends)
    tally.sync()
    assert tally.count("rl:verify-test:a", 60, ends) == 3
    assert tally.count("rl:verify-test:b", 60, ends) == 2


def test_public_verifications_are_tallied_and_other_budgets_are_counted_per_request():
    assert set(throttle.TALLIED) == {"verify"}
