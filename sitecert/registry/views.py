from django.shortcuts import render
from django.utils.translation import gettext as _

from sitecert.registry.forms import NumberQueryForm, PersonQueryForm
from sitecert.registry.selectors import legacy_certificate_find, legacy_certificates_of
from sitecert.throttle import RateLimited, check_rate


def query(request):
    """The public query page: by certificate number, or by ID number together with name."""
    mode = "person" if request.GET.get("mode") == "person" else "number"
    form_class = PersonQueryForm if mode == "person" else NumberQueryForm
    searched = any(f in request.GET for f in form_class.base_fields)
    form = form_class(request.GET if searched else None)
    context = {"mode": mode, "form": form, "searched": searched, "results": None}
    if searched and form.is_valid():
        try:
            check_rate(request, group="registry-query", rate_setting="REGISTRY_QUERY_RATE")
        except RateLimited:
            context["error"] = _("查询过于频繁，请稍后再试")
            return render(request, "registry/query.html", context, status=429)
        if mode == "person":
            context["results"] = legacy_certificates_of(**form.cleaned_data)
        else:
            found = legacy_certificate_find(**form.cleaned_data)
            context["results"] = [found] if found else []
    return render(request, "registry/query.html", context)
