"""The shared cache, and what a Redis outage does to it: nothing worse than an empty cache.

Everything sitecert keeps in the cache is either a copy of the database (policies, keys, status lists) or a
counter of a budget (rate limits, SMS codes, login slow-downs, reset tickets). The rush bench stopped Redis for
30 s and Django's RedisCache turned every request that touched it into a 500. Here a read during an outage
misses, a write is dropped and a counter starts again: copies come from the database, and budgets are not
enforced until Redis is back (fail open: the site stays up; docs/deployment.md says what to watch), except
the verification budget, which each process then keeps alone (throttle.Tally).
"""

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis import exceptions

log = logging.getLogger(__name__)
# A full Redis (maxmemory with noeviction, which the task queue needs) refuses writes: an outage for the cache.
OUTAGE = (exceptions.ConnectionError, exceptions.TimeoutError, exceptions.OutOfMemoryError, OSError)
_said = [0.0]  # when the outage was last logged: once a minute, not once per request


def _tolerant(missing):
    def wrap(method):
        @wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE as error:
                if time.monotonic() - _said[0] > 60:
                    _said[0] = time.monotonic()
                    log.error("Redis unreachable, the cache is empty and budgets are not enforced: %s", error)
                return missing(*args, **kwargs)

        return call

    return wrap


def _default(key, default=None, *args, **kwargs):
    return default


def _absent(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found")  # what incr() says of a missing counter: callers start again


# How long a process keeps its own copy of what every hot request reads (the policy in force, a bearer token,
# the key set): a change made in one process clears that process's copy at once, every other one's within this.
LOCAL_TTL = 5

# A budget's counter, one more per request: made with its expiry when new, in one round trip and atomic
# (django-ratelimit's add, then Django's EXISTS and INCRBY, took three, and a counter expiring between the
# last two came back without an expiry).
# ARGV: the expiry, the requests to add.
_COUNT = (
    "local n = redis.call('INCRBY', KEYS[1], ARGV[2])"
    " if n == tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n"
)


def count(cache, key: str, timeout: int) -> int | None:
    """One more against the counter `key` (made to last `timeout` seconds): the count, or None while the cache
    cannot count (Redis unreachable: budgets fail open)."""
    if hasattr(cache, "count"):  # Redis: one script
        return cache.count(key, timeout)[0]
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:
        return None


class _ReusedClient(RedisCacheClient):
    """Django makes a new redis.Redis around the pool for every call, about 0.3 ms of Python each (a call on
    every rate-limited request): one client per pool is enough, it is safe across threads."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        if index not in clients:
            clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return clients[index]


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient

    get = _tolerant(_default)(RedisCache.get)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    add = _tolerant(lambda *a, **k: False)(RedisCache.add)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    set_many = _tolerant(lambda *a, **k: [])(RedisCache.set_many)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    delete = _tolerant(lambda *a, **k: False)(RedisCache.delete)
    delete_many = _tolerant(lambda *a, **k: None)(RedisCache.delete_many)
    incr = _tolerant(_absent)(RedisCache.incr)
    clear = _tolerant(lambda *a, **k: False)(RedisCache.clear)

    @_tolerant(lambda *a, **k: [None])
    def count(self, key, timeout, more: int = 1, *others: tuple[str, int, int]) -> list[int]:
        """Add `more` to the counter `key` (and each (key, timeout, more) of `others`): the counts, in one
        round trip."""
        asked = [(key, timeout, more), *others]
        keys = [self.make_and_validate_key(k) for k, _t, _m in asked]
        client = self._cache.get_client(keys[0], write=True)
        script = self.__dict__.get("_count") or self.__dict__.setdefault(
            "_count", client.register_script(_COUNT)
        )
        if not others:
            return [script(keys=keys, args=[timeout, more], client=client)]
        with client.pipeline(transaction=False) as pipe:
            for k, (_key, t, m) in zip(keys, asked, strict=True):
                script(keys=[k], args=[t, m], client=pipe)
            return pipe.execute()
