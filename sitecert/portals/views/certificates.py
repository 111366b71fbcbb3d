"""E-certificate pages for the holder, their employers and the authority: the exchange explained, the
certificate with its versions, the sealed PDF, and the holder's requests."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sitecert import clock
from sitecert.certificates import lifecycle
from sitecert.certificates.credentials import qr_content
from sitecert.certificates.eligibility import explain
from sitecert.certificates.models import ECertificate
from sitecert.duty.explanation import explain as duty_explain
from sitecert.errors import DomainError
from sitecert.pdfkit import qr_svg
from sitecert.portals import files
from sitecert.portals.access import ecertificate_for, legacy_certificate_for
from sitecert.portals.forms import CertificateRequestForm, show_error


@login_required
def legacy_exchange(request, number: str):
    """How far an old certificate is from its e-certificate, check by check."""
    cert = legacy_certificate_for(request.user, number)
    as_of = clock.today()
    if request.user.is_staff and request.GET.get("as_of"):  # the authority replays a day of the round
        try:
            as_of = date.fromisoformat(request.GET["as_of"])
        except ValueError:
            messages.error(request, _("日期应为 YYYY-MM-DD，已按今天判断"))
    result = explain(certificate=cert, as_of=as_of)
    return render(request, "portals/exchange.html", {"certificate": cert, "result": result})


@login_required
def ecertificate(request, number: str):
    ecert = ecertificate_for(request.user, number)
    own = ecert.holder_id == request.user.person_id
    form = CertificateRequestForm(request.POST or None) if own else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            lifecycle.request_create(ecert=ecert, by=request.user, now=clock.now(), **form.cleaned_data)
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("已提交申请，主管部门审核后生效"))
            return redirect("ecertificate", number=ecert.number)
    versions = list(ecert.versions.order_by("-version"))
    context = {
        "ecert": ecert,
        "versions": versions,
        "qr": mark_safe(qr_svg(qr_content(versions[0].qr_token))),  # drawn here from our own token
        "requests": ecert.requests.order_by("-requested_at") if own or request.user.is_staff else [],
        "form": form,
        "own": own,
        "duty": duty_explain(certificate=ecert, as_of=clock.today()),
        "changes": ecert.duty_changes.order_by("-as_of")[:10],
        "replaced_by": ECertificate.objects.filter(replaces=ecert).first(),
    }
    return render(request, "portals/ecertificate.html", context)


@login_required
def ecertificate_pdf(request, number: str):
    return files.ecertificate_pdf(ecertificate_for(request.user, number), now=clock.now())
