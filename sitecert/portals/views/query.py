from django.shortcuts import render

from sitecert import clock
from sitecert.portals.forms import NumberQueryForm, PersonQueryForm
from sitecert.portals.selectors import public_certificates
from sitecert.registry.selectors import legacy_certificate_find, legacy_certificates_of
from sitecert.throttle import RateLimited, check_rate, too_many


def query(request):
    """The public query page: by certificate number (GET, shareable), or by ID number together with
    name (POST, so that ID numbers stay out of addresses, histories and access logs)."""
    person = request.POST.get("mode", request.GET.get("mode")) == "person"
    if person:
        form = PersonQueryForm(request.POST if request.method == "POST" else None)
    else:
        form = NumberQueryForm(request.GET if "certificate_no" in request.GET else None)
    context = {"mode": "person" if person else "number", "form": form, "results": None}
    if not form.is_bound or not form.is_valid():
        return render(request, "registry/query.html", context)
    budget = ("id-name", "ID_NAME_RATE") if person else ("registry-query", "REGISTRY_QUERY_RATE")
    try:
        check_rate(request, group=budget[0], rate_setting=budget[1])
    except RateLimited as exc:
        if person:
            context["form"] = PersonQueryForm()  # never echo the ID number, not even when refusing
        return too_many(request, "registry/query.html", context, exc)
    if person:
        context["results"] = public_certificates(
            legacy_certificates_of(**form.cleaned_data), on=clock.today()
        )
        context["form"] = PersonQueryForm()  # the ID number is not echoed back into the page
    else:
        found = legacy_certificate_find(**form.cleaned_data)
        context["results"] = public_certificates([found], on=clock.today()) if found else []
    return render(request, "registry/query.html", context)
