"""Which policy rules a region on a given day: read often (every heartbeat, every decision), changed rarely.
Every app asks here, so a region's certificates never follow another region's rules."""

from datetime import date
from threading import Lock

from cachetools import TTLCache, cached
from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.signals import post_save

from sitecert.cachekit import LOCAL_TTL
from sitecert.policies.models import Policy

GENERATION = "policy:generation"
TTL = 60  # seconds; an edit clears every process's cache at once only where the cache is shared (Redis)
# Every heartbeat asks for the day's policy: two Redis calls and unpickling a model cost a beat about 1 ms of
# CPU, so each process also keeps what it read for a few seconds. An edit clears this process's copy at once
# and every other process's within LOCAL_TTL.
_local: TTLCache = TTLCache(maxsize=64, ttl=LOCAL_TTL)


def newest(queryset: QuerySet[Policy]) -> QuerySet[Policy]:
    """Of these rows, the newest version of each (region, code)."""
    newer = Policy.objects.filter(
        region=OuterRef("region"), code=OuterRef("code"), version__gt=OuterRef("version")
    )
    return queryset.filter(~Exists(newer))


def current_versions(region: str | None = None) -> QuerySet[Policy]:
    """The newest version of each policy of the region (the deployment's own by default)."""
    return newest(Policy.objects.filter(region=region or settings.POLICY_REGION))


def regions() -> list[str]:
    return list(Policy.objects.order_by("region").values_list("region", flat=True).distinct())


def policy_in_force(*, on: date, region: str | None = None) -> Policy:
    """The region's policy in effect on the day; before its first one, that first one (so its rules and its
    not-yet-open window can be explained); after the last has ended, the last."""
    return _in_force(region or settings.POLICY_REGION, on)


@cached(_local, lock=Lock())
def _in_force(region: str, on: date) -> Policy:
    key = f"policy:{cache.get(GENERATION, 0)}:{region}:{on.isoformat()}"
    policy = cache.get(key)
    if policy is None:
        policy = _lookup(region, on)
        cache.set(key, policy, TTL)
    return policy


def _lookup(region: str, on: date) -> Policy:
    versions = current_versions(region)
    in_force = Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gte=on))
    policy = (
        versions.filter(in_force).order_by("-effective_from").first()
        or versions.filter(effective_from__lte=on).order_by("-effective_from").first()
        or versions.order_by("effective_from").first()
    )
    if policy is None:
        raise Policy.DoesNotExist(f"no policy for region {region!r}")
    return policy


def rules_by_version() -> dict[int, tuple[Policy, tuple[int, ...]]]:
    """Each policy version's id → the newest version of its (region, code), whose rules apply to everything
    issued under any of its versions, and the ids of all those versions."""
    found: dict[tuple[str, str], list[Policy]] = {}
    for policy in Policy.objects.order_by("region", "code", "version"):
        found.setdefault((policy.region, policy.code), []).append(policy)
    return {
        p.pk: (versions[-1], tuple(v.pk for v in versions)) for versions in found.values() for p in versions
    }


def forget() -> None:
    """Drop this process's copies (an edit here; tests, whose databases come and go), under the readers' lock."""
    _in_force.cache_clear()


def _changed(**kwargs) -> None:
    forget()
    try:
        cache.incr(GENERATION)
    except ValueError:
        cache.set(GENERATION, 1, None)


def connect_signals() -> None:
    post_save.connect(_changed, sender=Policy, dispatch_uid="policy-changed")
