"""The authority's portal (主管部门): figures at a glance; the records themselves are in the admin."""

from django.shortcuts import render

from sitecert.certificates.selectors import ecertificate_counts
from sitecert.portals.access import authority_required
from sitecert.portals.selectors import authority_counts, organisations_pending
from sitecert.registry.models import LegacyStatus


@authority_required
def home(request):
    table = authority_counts()
    totals = {s: sum(r[s] for r in table) for s in [*LegacyStatus.values, "total"]}
    context = {
        "table": table,
        "totals": totals,
        "statuses": LegacyStatus.choices,
        "pending": organisations_pending(),
        "ecertificates": ecertificate_counts(),
    }
    return render(request, "portals/authority_home.html", context)


def help_page(request):
    return render(request, "portals/help_authority.html")
