"""Public pages: the verification page anyone reaches from a QR code, and the JWKS that verifiers fetch."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from sitecert import clock
from sitecert.certificates.keys import jwks as jwks_document
from sitecert.certificates.verification import verify_number, verify_person, verify_token
from sitecert.portals.forms import PersonQueryForm
from sitecert.throttle import RateLimited, check_rate, refused_page, too_many


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    """/.well-known/jwks.json: every public key, retired ones included, readable from any origin."""
    response = JsonResponse(jwks_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response


def verify(request, number: str | None = None):
    """By number (typed, or /verify/<number>/), by the QR content (?t=… as scanned, or pasted in ?q=), or by
    ID number and name (POST, so that ID numbers stay out of addresses and logs)."""
    if request.method == "POST":
        return _verify_person(request)
    text = (request.GET.get("t") or request.GET.get("q") or number or "").strip()
    context = {"query": request.GET.get("q", number or ""), "result": None, "person_form": PersonQueryForm()}
    if not text:
        return render(request, "certificates/verify.html", context)
    if refused := refused_page(
        request, "certificates/verify.html", context, group="verify", rate_setting="VERIFY_RATE"
    ):
        return refused
    token_like = "t=" in text or "." in text  # a JWS has dots; a number never does
    today, now = clock.today(), clock.now()
    verify_one = verify_token if token_like else verify_number
    context["result"] = verify_one(text, today=today, now=now)
    status = {"forged": 200, "not_found": 404}.get(context["result"].outcome, 200)
    return render(request, "certificates/verify.html", context, status=status)


def _verify_person(request):
    form = PersonQueryForm(request.POST)
    context = {"query": "", "result": None, "person_form": form, "mode": "person"}
    if not form.is_valid():
        return render(request, "certificates/verify.html", context, status=400)
    try:
        check_rate(request, group="id-name", rate_setting="ID_NAME_RATE")
    except RateLimited as exc:
        context["person_form"] = PersonQueryForm()  # never echo the ID number, not even when refusing
        return too_many(request, "certificates/verify.html", context, exc)
    context["results"] = verify_person(**form.cleaned_data, today=clock.today(), now=clock.now())
    context["person_form"] = PersonQueryForm()  # the ID number is not echoed back into the page
    return render(request, "certificates/verify.html", context)
