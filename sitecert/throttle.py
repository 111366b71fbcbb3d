"""Per-client rate limits shared by pages and the API (django-ratelimit's counters in the cache).

A budget is a group and a rate setting, counted per client address or per any other key the face names
(an ID number, a mobile number: hashed before they reach the cache). docs/security.md lists them."""

import hashlib

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage, is_ratelimited


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
    (such as an ID number); raise RateLimited when over."""
    rate = getattr(settings, rate_setting)
    # The client's address (never an error when a proxy did not pass one), or the hashed key.
    counted = (lambda _g, r: client_ip(r) or "unknown") if key is None else (lambda _g, _r: _hashed(key))
    usage = get_usage(request, group=group, key=counted, rate=rate, method=is_ratelimited.ALL, increment=True)
    if usage is not None and usage["should_limit"]:
        raise RateLimited(usage["time_left"] if usage["time_left"] > 0 else 60)


def client_ip(request) -> str | None:
    """The client address, from the request header the deployment names (RATELIMIT_IP_META_KEY); of a
    list that proxies appended to, the last (the one our own proxy wrote: the others are the client's)."""
    found = request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR")
    return found.split(",")[-1].strip() if found else None


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
