"""The holder's portal (个人): their certificates, the employers that list them, the guide."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sitecert import clock
from sitecert.errors import DomainError
from sitecert.people.roster import roster_entry_confirm, roster_entry_dispute, roster_entry_lift
from sitecert.portals.access import holder_required, roster_entry_for_holder
from sitecert.portals.forms import DisputeForm
from sitecert.portals.selectors import holder_certificates, holder_roster


@holder_required
def home(request):
    person = request.user.person
    context = {
        "person": person,
        "certificates": holder_certificates(person=person, as_of=clock.today()),
        "roster": holder_roster(person=person),
        "dispute_form": DisputeForm(),
    }
    return render(request, "portals/holder_home.html", context)


@holder_required
@require_POST
def dispute(request, pk: int):
    entry = roster_entry_for_holder(request, pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        roster_entry_dispute(
            entry=entry, holder=request.user, reason=form.cleaned_data["reason"], now=clock.now()
        )
        messages.success(
            request, _("已提交异议，%(employer)s 将看到您的说明") % {"employer": entry.employer.name}
        )
    else:
        messages.error(request, _("请填写异议说明"))
    return redirect("holder-home")


@holder_required
@require_POST
def confirm(request, pk: int):
    """The holder confirms the employment: the employer sees their certificates, progress and duty."""
    entry = roster_entry_for_holder(request, pk)
    try:
        roster_entry_confirm(entry=entry, holder=request.user, now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认在 %(employer)s 任职") % {"employer": entry.employer.name})
    return redirect("holder-home")


@holder_required
@require_POST
def lift(request, pk: int):
    entry = roster_entry_for_holder(request, pk)
    try:
        roster_entry_lift(entry=entry, holder=request.user, now=clock.now())
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销对 %(employer)s 的异议") % {"employer": entry.employer.name})
    return redirect("holder-home")


def help_page(request):
    return render(request, "portals/help_holder.html")
