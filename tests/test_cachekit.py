"""The shared cache on a real Redis (the one `make test` starts for its PostgreSQL run): a budget's counter
goes up in one round trip, keeps its expiry, and is never made up when missing."""

import os

import pytest
from django.core.cache import caches

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


def test_a_counter_goes_up_once_per_call_in_one_round_trip_and_keeps_its_expiry(redis_cache):
    client = redis_cache._cache.get_client(None, write=True)
    assert redis_cache.add("budget", 1, 60) and redis_cache.incr("budget") == 2  # the script is loaded once
    before = commands(client)
    assert [redis_cache.incr("budget") for _ in range(5)] == [3, 4, 5, 6, 7]
    sent = {name: n - before.get(name, 0) for name, n in commands(client).items() if n != before.get(name, 0)}
    # Redis counts the commands a script runs as well: one script per call, and inside it one check and one add
    assert sent == {"cmdstat_evalsha": 5, "cmdstat_exists": 5, "cmdstat_incrby": 5, "cmdstat_info": 1}
    assert 0 < client.ttl(redis_cache.make_key("budget")) <= 60


def test_a_missing_counter_is_an_error_and_is_not_created(redis_cache):
    with pytest.raises(ValueError, match="not found"):
        redis_cache.incr("gone")
    assert redis_cache.get("gone") is None and redis_cache.add("gone", 1, 60)
