"""The authority's portal (主管部门): figures at a glance; the records themselves are in the admin."""

from django.shortcuts import render

from sitecert import clock
from sitecert.certificates.selectors import ecertificate_counts
from sitecert.certificates.voiding import shown_statuses
from sitecert.portals.access import authority_required
from sitecert.portals.selectors import authority_counts, organisations_pending


@authority_required
def home(request):
    table = authority_counts(as_of=clock.today())
    context = {
        "table": table,
        "totals": [sum(column) for column in zip(*(counts for _post, counts, _total in table), strict=True)],
        "total": sum(total for _post, _counts, total in table),
        "statuses": shown_statuses(),
        "pending": organisations_pending(),
        "ecertificates": ecertificate_counts(),
    }
    return render(request, "portals/authority_home.html", context)


def help_page(request):
    return render(request, "portals/help_authority.html")
