"""The yearly duty's dashboards: an employer's staff at risk first, the region's figures for the authority."""

from django import forms
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sitecert import clock
from sitecert.duty import charts
from sitecert.duty.exports import region_workbook, staff_duty_workbook
from sitecert.duty.selectors import RISKS, authority_figures, employer_duty, state_rows
from sitecert.lib.svg import csp_safe
from sitecert.portals import files
from sitecert.portals.access import authority_required, employer_required
from sitecert.registry.models import Post

FIGURES_TTL = 300  # seconds: the region's figures move with the nightly evaluation, not by the minute


class DutyFilterForm(forms.Form):
    post = forms.ModelChoiceField(
        label=_("岗位"), queryset=Post.objects.all(), required=False, empty_label=_("全部岗位")
    )
    risk = forms.ChoiceField(label=_("状态"), choices=[("", _("全部状态")), *RISKS], required=False)


def _staff(request):
    filters = DutyFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    rows, missing = employer_duty(
        employer=request.user.organisation,
        as_of=clock.today(),
        post=criteria.get("post"),
        risk=criteria.get("risk", ""),
    )
    return filters, rows, missing


@employer_required
def employer_dashboard(request):
    filters, rows, missing = _staff(request)
    counts = {code: sum(r.standing.risk == code for r in rows) for code, _label in RISKS}
    context = {
        "org": request.user.organisation,
        "filters": filters,
        "rows": rows,
        "missing": missing,
        "risks": [(code, label, counts[code]) for code, label in RISKS],
        "as_of": clock.today(),
    }
    return render(request, "portals/duty_employer.html", context)


@employer_required
def employer_export(request):
    _filters, rows, _missing = _staff(request)
    return files.written(
        f"duty-{clock.today():%Y%m%d}.xlsx", files.XLSX, lambda out: staff_duty_workbook(rows, out)
    )


def _figures() -> dict:
    today = clock.today()
    return cache.get_or_set(f"duty:figures:{today}", lambda: authority_figures(as_of=today), FIGURES_TTL)


@authority_required
def authority_dashboard(request):
    figures = _figures()

    def drawn(svg: str) -> str:  # under the page's Content-Security-Policy: its nonce, no script
        return csp_safe(svg, nonce=str(request.csp_nonce))

    context = {
        "figures": figures,
        "exchange_chart": drawn(charts.exchange_chart(figures["exchange"])),
        "post_chart": drawn(charts.post_chart(figures["by_post"])),
        "district_chart": drawn(charts.district_chart(figures["by_district"])),
        "forecast_chart": drawn(charts.forecast_chart(figures["forecast"])),
        "post_rows": state_rows(figures["by_post"]),
        "district_rows": state_rows(figures["by_district"]),
    }
    return render(request, "portals/duty_authority.html", context)


@authority_required
def authority_export(request):
    figures = _figures()
    return files.written(
        f"region-{clock.today():%Y%m%d}.xlsx", files.XLSX, lambda out: region_workbook(figures, out)
    )
