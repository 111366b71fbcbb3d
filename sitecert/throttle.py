"""Per-client rate limits shared by pages and the API: fixed windows counted in the shared cache.

A budget is a group and a rate setting ("30/m", "5/h", "10/5m"), counted per client address or per any other
key the face names (an ID number, a mobile number); every counted value is hashed before it reaches the cache.
Each client's windows start at an offset of their own, so budgets do not all refill on the minute (as
django-ratelimit did, whose add-then-increment cost three Redis calls where this costs one).
docs/security.md lists the budgets."""

import hashlib
import ipaddress
import logging
import os
import re
import threading
import time
import zlib
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.translation import gettext as _

from sitecert.cachekit import count

log = logging.getLogger(__name__)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"(?P<limit>\d+)/(?P<times>\d*)(?P<unit>[smhd])")


class RateLimited(Exception):
    """Too many requests for one budget; `retry_after` seconds until it refills (the Retry-After header)."""

    def __init__(self, retry_after: int = 60, message: str | None = None):
        super().__init__(message or "rate limited")
        self.retry_after = max(1, int(retry_after))
        self.message = message


def _hashed(value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:32]


def check_rate(request, *, group: str, rate_setting: str, key: str | None = None) -> None:
    """Count this request against the budget `group` of the client's address, or of `key` when given
    (such as an ID number); raise RateLimited when over. While the cache cannot count, nothing is refused."""
    limit, period = parse_rate(getattr(settings, rate_setting), rate_setting)
    counted = _hashed(key if key is not None else client_ip(request) or "unknown")
    now = int(time.time())
    ends = _window_end(counted, period, now)
    key = f"rl:{group}:{limit}/{period}:{ends}:{counted}"
    tally = TALLIED.get(group) if hasattr(cache, "count") else None
    used = tally.count(key, period, ends) if tally else count(cache, key, period)
    if used is not None and used > limit:
        raise RateLimited(ends - now)


class Tally:
    """A budget this process counts at once and adds to the shared counters in Redis every `every` seconds,
    all of its clients in one round trip: a verification then waits for no Redis call of its own (the call
    was as costly as the rest of a kept verification, docs/scaling.md). Another process's requests count here
    within `every` seconds, so a client spreading requests over N processes gets at most N x `every` seconds
    of its requests more than the budget. While Redis cannot count, each process goes on counting its own."""

    def __init__(self, every: float):
        self.every = every
        self._lock = threading.Lock()
        self._pending: dict[str, list[int]] = {}  # key -> [requests since the last sync, timeout, window end]
        self._known: dict[str, tuple[int, int]] = {}  # key -> (the shared count at the last sync, window end)
        self._pid: int | None = None
        self._epoch = 0  # how often forgotten

    def count(self, key: str, timeout: int, ends: int) -> int:
        with self._lock:
            if self._pid != os.getpid():  # a new process (gunicorn forks): its own syncing thread
                self._pid, self._pending, self._known = os.getpid(), {}, {}
                threading.Thread(target=self._syncing, name="rate-limit tally", daemon=True).start()
            pending = self._pending.setdefault(key, [0, timeout, ends])
            pending[0] += 1
            return self._known.get(key, (0, 0))[0] + pending[0]

    def sync(self) -> None:
        """Add this process's requests to the shared counts, and learn every process's count of the clients
        it had requests from."""
        with self._lock:
            pending, self._pending, epoch = self._pending, {}, self._epoch
            now = time.time()
            self._known = {key: known for key, known in self._known.items() if known[1] > now}
        if not pending:
            return
        asked = [(key, timeout, more) for key, (more, timeout, _ends) in pending.items()]
        totals = cache.count(*asked[0], *asked[1:])
        totals += [None] * (len(asked) - len(totals))  # Redis unreachable: [None]
        with self._lock:
            if epoch != self._epoch:  # forgotten meanwhile
                return
            for (key, _timeout, more), total in zip(asked, totals, strict=True):
                ends = pending[key][2]
                self._known[key] = (
                    (total, ends) if total is not None else (self._known.get(key, (0,))[0] + more, ends)
                )

    def forget(self) -> None:
        """Forget every count (as a cleared cache forgets the shared ones)."""
        with self._lock:
            self._pending, self._known, self._epoch = {}, {}, self._epoch + 1

    def _syncing(self) -> None:
        while True:
            time.sleep(self.every)
            try:
                self.sync()
            except Exception:
                log.exception("rate-limit tally not synced")


# The budgets counted by a Tally: public verification, the rush's commonest request.
TALLIED = {"verify": Tally(every=0.1)}


def forget_tallies() -> None:
    for tally in TALLIED.values():
        tally.forget()


# Read on every rate-limited request; the settings have a few values, checked at start (sitecert.E009).
@lru_cache(maxsize=64)
def parse_rate(rate: str, setting: str = "rate") -> tuple[int, int]:
    """A rate setting as (requests, the window's seconds): "30/m" is (30, 60), "10/5m" is (10, 300)."""
    found = RATE.fullmatch(rate.strip())
    seconds = int(found["times"] or 1) * UNITS[found["unit"]] if found else 0
    if not seconds:  # unreadable, or a window of no time ("120/0m")
        raise ImproperlyConfigured(f"{setting}={rate!r}: expected requests/window such as 30/m, 5/h or 10/5m")
    return int(found["limit"]), seconds


def _window_end(counted: str, period: int, now: int) -> int:
    """When the current window of this client ends: windows of `period` seconds, offset by the client's hash."""
    ends = now - now % period + zlib.crc32(counted.encode()) % period
    return ends if ends > now else ends + period


def client_ip(request) -> str | None:
    """The client as budgets and login pauses count it, from the request header the deployment names
    (RATELIMIT_IP_META_KEY); of a list that proxies appended to, the last (the one our own proxy wrote: the
    others are the client's). See `subscriber` for IPv6."""
    found = request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR")
    return subscriber(found.split(",")[-1].strip()) if found else None


def subscriber(address: str) -> str:
    """An IPv6 address as the first address of its network of RATELIMIT_IPV6_PREFIX bits (64): a home line or
    a phone is given a whole /64 and picks new addresses in it at will (RFC 8981), so counted one by one a
    single client would have as many budgets as it liked. An IPv4-mapped address as the IPv4 address; anything
    else as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return address
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network((ip, settings.RATELIMIT_IPV6_PREFIX), strict=False).network_address)


def too_many(request, template: str, context: dict, exc: RateLimited, message: str | None = None):
    """A page's 429: the page with the error, and when to come back."""
    error = message or exc.message or _("查询过于频繁，请稍后再试")
    response = render(request, template, {**context, "error": error}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def refused_page(request, template: str, context: dict, *, group: str, rate_setting: str):
    """For pages: None while the client is within its budget, else the page with the error, status 429."""
    try:
        check_rate(request, group=group, rate_setting=rate_setting)
    except RateLimited as exc:
        return too_many(request, template, context, exc)
    return None
