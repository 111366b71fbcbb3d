"""Per-client rate limits shared by pages and the API (django-ratelimit's counters in the cache)."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited


class RateLimited(Exception):
    """Too many requests from one client address."""


def check_rate(request, *, group: str, rate_setting: str) -> None:
    """Count this request against the client's budget for `group`; raise RateLimited when over."""
    rate = getattr(settings, rate_setting)
    if is_ratelimited(request, group=group, key="ip", rate=rate, method=is_ratelimited.ALL, increment=True):
        raise RateLimited(rate)


def client_ip(request) -> str | None:
    """The client address, from the request header the deployment names (RATELIMIT_IP_META_KEY)."""
    return request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR")
