"""The authority's roles as Django groups, kept in step with the code after every migrate (post_migrate runs
after the permissions exist, and again after a test database is flushed)."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

# (app label, model): the actions each role has on it. "view" alone lets one look; the rest act.
ROLES = {
    "主管部门审核员": {  # the authority's reviewers: decide, approve, import, cancel
        ("registry", "post"): ["view", "add", "change"],
        ("registry", "postalias"): ["view", "add", "change", "delete"],
        ("registry", "legacycertificate"): ["view"],
        ("registry", "importbatch"): ["view", "add"],
        ("people", "organisation"): ["view", "change"],
        ("registry", "person"): ["view"],
        ("learning", "course"): ["view", "change"],
        ("learning", "hourentry"): ["view"],
        ("policies", "policy"): ["view", "change"],
        ("certificates", "ecertificate"): ["view", "revoke"],
        ("certificates", "certificaterequest"): ["view", "decide"],
        ("audit", "auditentry"): ["view"],
        ("certificates", "signingkey"): ["view"],
    },
    "主管部门查询员": {  # the authority's inspectors: look, never change
        ("registry", "legacycertificate"): ["view"],
        ("registry", "importbatch"): ["view"],
        ("people", "organisation"): ["view"],
        ("learning", "course"): ["view"],
        ("learning", "hourentry"): ["view"],
        ("certificates", "ecertificate"): ["view"],
        ("certificates", "certificaterequest"): ["view"],
        ("audit", "auditentry"): ["view"],
    },
}


def _codename(action: str, model: str) -> str:
    return {"revoke": "revoke_ecertificate", "decide": "decide_certificaterequest"}.get(
        action, f"{action}_{model}"
    )


def authority_groups_sync(**kwargs) -> None:
    """Create or update each role's group to exactly its permissions."""
    for name, grants in ROLES.items():
        wanted = Q(pk__in=[])
        for (app, model), actions in grants.items():
            codenames = [_codename(a, model) for a in actions]
            wanted |= Q(content_type__app_label=app, codename__in=codenames)
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(wanted))
