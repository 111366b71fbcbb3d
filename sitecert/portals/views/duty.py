"""The yearly duty's dashboards: an employer's staff at risk first, the region's figures for the authority."""

from django import forms
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from sitecert import clock
from sitecert.duty import charts
from sitecert.duty.exports import region_workbook, staff_duty_workbook
from sitecert.duty.selectors import (
    RISKS,
    StaffDuty,
    authority_figures,
    employer_duty,
    risk_tally,
    state_rows,
)
from sitecert.lib.svg import csp_safe
from sitecert.portals import files
from sitecert.portals.access import authority_required, employer_required
from sitecert.registry.models import Post

FIGURES_TTL = 300  # seconds: the region's figures move with the nightly evaluation, not by the minute


class DutyFilterForm(forms.Form):
    post = forms.ModelChoiceField(
        label=_("岗位"), queryset=Post.objects.all(), required=False, empty_label=_("全部岗位")
    )
    risk = forms.ChoiceField(label=_("风险"), choices=[("", _("全部")), *RISKS], required=False)


def _staff(request) -> tuple[DutyFilterForm, list[StaffDuty], str, int]:
    """The filter form, the staff of the chosen post at every risk (the tiles count them all), the risk
    chosen, and how many have no e-certificate."""
    filters = DutyFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    staff, missing = employer_duty(
        employer=request.user.organisation, as_of=clock.today(), post=criteria.get("post")
    )
    return filters, staff, criteria.get("risk", ""), missing


def _at(staff: list[StaffDuty], risk: str) -> list[StaffDuty]:
    return [row for row in staff if row.standing.risk == risk] if risk else staff


@employer_required
def employer_dashboard(request):
    filters, staff, risk, missing = _staff(request)
    tiles = []
    for code, label, n in risk_tally(staff):
        query = request.GET.copy()  # a tile keeps the post chosen
        query["risk"] = code
        tiles.append(
            {"code": code, "label": label, "n": n, "query": query.urlencode(), "chosen": code == risk}
        )
    context = {
        "org": request.user.organisation,
        "filters": filters,
        "rows": _at(staff, risk),
        "missing": missing,
        "tiles": tiles,
        "as_of": clock.today(),
    }
    return render(request, "portals/duty_employer.html", context)


@employer_required
def employer_export(request):
    _filters, staff, risk, _missing = _staff(request)
    rows = _at(staff, risk)
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
