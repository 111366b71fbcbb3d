"""Who may open a portal page, decided in one place: each decorator lets its role through or answers 404
(for another person's object) / 403 (for the wrong role), and each `*_for` helper fetches an object
*for this user* or raises 404, so that ownership is never checked ad hoc in a view."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from sitecert import clock
from sitecert.certificates.models import ECertificate
from sitecert.people.models import ApiToken, Organisation, RosterEntry
from sitecert.registry.models import LegacyCertificate


def holder_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_holder:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def organisation_required(kind: str | None = None, admin: bool = False, active: bool = True):
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            org = request.user.organisation
            if org is None or (kind and org.kind != kind) or (admin and not request.user.is_org_admin):
                raise PermissionDenied
            if active and not org.is_active:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


employer_required = organisation_required(kind=Organisation.Kind.EMPLOYER)


def authority_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def roster_entry_for_holder(request, pk: int) -> RosterEntry:
    return get_object_or_404(
        RosterEntry.objects.select_related("employer"), pk=pk, person_id=request.user.person_id
    )


def roster_entry_for_employer(request, pk: int) -> RosterEntry:
    return get_object_or_404(RosterEntry, pk=pk, employer_id=request.user.organisation_id)


def api_token_for(request, pk: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=pk, organisation_id=request.user.organisation_id)


def may_see_person(user, person_id: int) -> bool:
    """The person themself, the authority, or an employer through a roster entry open today
    (`RosterEntry.objects.open_on`): current, confirmed by the holder or vouched for by the authority, and
    no entry of that employer for that person disputed. A new entry alone opens nothing: until the holder
    confirms, the employer sees what the public verification shows (docs/security.md)."""
    if user.is_staff or (user.person_id and user.person_id == person_id):
        return True
    org = user.organisation
    if not (org and org.kind == Organisation.Kind.EMPLOYER and org.is_active):
        return False
    return RosterEntry.objects.open_on(clock.today()).filter(employer=org, person_id=person_id).exists()


def open_roster(org: Organisation, as_of):
    """The employer's entries that open their people to it on `as_of` (staff lists, duty, exports)."""
    return RosterEntry.objects.open_on(as_of).filter(employer=org)


def legacy_certificate_for(user, number: str):
    cert = LegacyCertificate.objects.select_related("holder", "post").filter(certificate_no=number).first()
    if cert is None or not may_see_person(user, cert.holder_id):
        raise Http404
    return cert


def ecertificate_for(user, number: str):
    ecert = ECertificate.objects.select_related("holder", "post", "legacy").filter(number=number).first()
    if ecert is None or not may_see_person(user, ecert.holder_id):
        raise Http404
    return ecert
