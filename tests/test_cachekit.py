"""The shared cache on a real Redis (the one `make test` starts for its PostgreSQL run): a budget's counter
goes up in one round trip, keeps its expiry, and is never made up when missing."""

import os
from importlib import import_module

import pytest
from django.core.cache import caches

from sitecert.cachekit import count

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs the Redis that `make test` starts (scripts/with-redis)"
)


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "shared": {"BACKEND": "sitecert.cachekit.TolerantRedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
    shared = caches["shared"]
    shared.clear()
    yield shared
    shared.clear()


def commands(client) -> dict:
    return {name: stats["calls"] for name, stats in client.info("commandstats").items()}


def test_a_budget_counts_in_one_round_trip_and_its_counter_expires(redis_cache):
    client = redis_cache._cache.get_client(None, write=True)
    assert count(redis_cache, "budget", 60) == 1  # the script is loaded once
    before = commands(client)
    assert [count(redis_cache, "budget", 60) for _ in range(5)] == [2, 3, 4, 5, 6]
    sent = {name: n - before.get(name, 0) for name, n in commands(client).items() if n != before.get(name, 0)}
    # Redis counts the commands a script runs as well: one script per request, one INCRBY inside it each
    assert sent == {"cmdstat_evalsha": 5, "cmdstat_incrby": 5, "cmdstat_info": 1}
    assert 0 < client.ttl(redis_cache.make_key("budget")) <= 60


def test_a_tally_adds_many_counts_at_once_and_new_counters_expire(redis_cache):
    client = redis_cache._cache.get_client(None, write=True)
    redis_cache.count("seen", 60)
    assert redis_cache.count("seen", 60, 4, ("new", 30, 3)) == [5, 3]  # one pipelined call (throttle.Tally)
    assert 0 < client.ttl(redis_cache.make_key("new")) <= 30
    assert 30 < client.ttl(redis_cache.make_key("seen")) <= 60  # kept its own expiry


def test_while_redis_is_unreachable_nothing_is_counted(settings, tmp_path):
    settings.CACHES = {
        "away": {
            "BACKEND": "sitecert.cachekit.TolerantRedisCache",
            "LOCATION": f"unix://{tmp_path}/none.sock",
        }
    }
    assert count(caches["away"], "budget", 60) is None


def test_a_full_redis_is_an_empty_cache_and_a_session_still_saves(redis_cache, settings, db):
    """Production's Redis refuses writes when full (maxmemory, noeviction): a sign-in must not fail for it."""
    client = redis_cache._cache.get_client(None, write=True)
    client.set("ballast", "x" * 2_000_000)
    used = client.info("memory")["used_memory"]
    client.config_set("maxmemory", used - 100_000)
    try:
        redis_cache.set("more", "y" * 1000)  # dropped, as in an outage
        assert redis_cache.get("more") is None
        settings.SESSION_CACHE_ALIAS = "shared"
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session["_auth_user_id"] = "1"
        session.save()  # the database keeps it
        assert (
            import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)["_auth_user_id"] == "1"
        )
    finally:
        client.config_set("maxmemory", 0)
        client.delete("ballast")
