"""Which policy rules a given day, read often (every heartbeat, every decision) and changed rarely."""

from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_save

from sitecert.certificates.models import Policy

GENERATION = "policy:generation"
TTL = 60  # seconds; an edit clears every process's cache at once only where the cache is shared (Redis)


def current_versions(region: str | None = None):
    """The newest version of each policy of the region."""
    newer = Policy.objects.filter(code=OuterRef("code"), version__gt=OuterRef("version"))
    return Policy.objects.filter(~Exists(newer), region=region or settings.POLICY_REGION)


def policy_for(on: date) -> Policy:
    """The policy in effect on the day; before the first one, that first one (so its rules and its
    not-yet-open window can be explained); after the last has ended, the last."""
    key = f"policy:{cache.get(GENERATION, 0)}:{on.isoformat()}"
    policy = cache.get(key)
    if policy is None:
        policy = _lookup(on)
        cache.set(key, policy, TTL)
    return policy


def _lookup(on: date) -> Policy:
    versions = current_versions()
    in_force = Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    policy = (
        versions.filter(in_force).order_by("-effective_from").first()
        or versions.filter(effective_from__lte=on).order_by("-effective_from").first()
        or versions.order_by("effective_from").first()
    )
    if policy is None:
        raise Policy.DoesNotExist(f"no policy for region {settings.POLICY_REGION!r}")
    return policy


def _changed(**kwargs) -> None:
    try:
        cache.incr(GENERATION)
    except ValueError:
        cache.set(GENERATION, 1, None)


def connect_signals() -> None:
    post_save.connect(_changed, sender=Policy, dispatch_uid="policy-changed")
