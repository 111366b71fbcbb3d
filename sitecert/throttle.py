"""Per-client rate limits shared by pages and the API (django-ratelimit's counters in the cache)."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
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


def refused_page(request, template: str, context: dict, *, group: str, rate_setting: str):
    """For pages: None while the client is within its budget, else the page with the error, status 429."""
    try:
        check_rate(request, group=group, rate_setting=rate_setting)
    except RateLimited:
        return render(request, template, {**context, "error": _("查询过于频繁，请稍后再试")}, status=429)
    return None
