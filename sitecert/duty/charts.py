"""The authority dashboard's charts: SVG from pygal, drawn on the server so that they need no script, scale
to a phone's width and print; the same figures go to the spreadsheet (exports.py)."""

import pygal
from django.utils.html import escape
from django.utils.translation import gettext as _
from pygal.style import Style

from sitecert.duty.selectors import DUTY_STATES

COLOURS = {  # state → colour: green good, amber behind, grey not started, red lapsed, dark revoked
    "on_track": "#2e7d32",
    "behind": "#f9a825",
    "not_started": "#90a4ae",
    "lapsed": "#c62828",
    "revoked": "#4e342e",
    "unknown": "#cfd8dc",
}
FONT = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', sans-serif"


def _style(colours) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        font_family=FONT,
        colors=tuple(colours),
        label_font_size=14,
        major_label_font_size=14,
        legend_font_size=14,
        value_font_size=13,
        title_font_size=18,
    )


def _render(chart) -> str:
    """The SVG, named for assistive technology: an image (`role="img"`) labelled with the chart's title; its
    figures are also on the page as text (the tables and the exchange card)."""
    svg = chart.render(is_unicode=True)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(chart.config.title)}" ', 1)


def _options(**extra) -> dict:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "legend_at_bottom": True,
        "print_values": False,
    } | extra


def exchange_chart(progress: dict) -> str:
    """Cumulative exchanges by month against the number in scope, up to the deadline."""
    chart = pygal.Line(
        **_options(title=_("换证进度（累计）"), show_dots=False, height=360),
        style=_style(["#1565c0", "#c62828"]),
    )
    months = [m.strftime("%Y-%m") for m, _n in progress["cumulative"]]
    chart.x_labels = months
    chart.add(_("已换发"), [n for _m, n in progress["cumulative"]])
    chart.add(_("换证范围内"), [progress["scope"]] * len(months), stroke_style={"dasharray": "8, 4"})
    return _render(chart)


def _stacked(title: str, rows, horizontal: bool) -> str:
    kind = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    states = [(code, label) for code, label in DUTY_STATES if any(c[code] for _n, c in rows)]
    chart = kind(
        # pygal sizes the label margin for Latin letters; a CJK character is about twice as wide
        **_options(
            title=title,
            height=max(360, 34 * len(rows) + 160) if horizontal else 420,
            margin_left=14 * max((len(name) for name, _c in rows), default=0),
        ),
        style=_style([COLOURS[code] for code, _label in states]),
    )
    chart.x_labels = [name for name, _c in rows]
    for code, label in states:
        chart.add(str(label), [counts[code] for _n, counts in rows])
    return _render(chart)


def post_chart(rows) -> str:
    return _stacked(_("电子证书：按岗位和状态"), rows, horizontal=True)


def district_chart(rows) -> str:
    return _stacked(_("电子证书：按地区（身份证号行政区划）和状态"), rows[:20], horizontal=True)


def forecast_chart(forecast) -> str:
    chart = pygal.Bar(
        **_options(title=_("未来一年到期的周期：尚缺学时或不在岗（不补足将失效）"), height=360),
        style=_style(["#c62828", "#90a4ae"]),
    )
    chart.x_labels = [m.strftime("%Y-%m") for m, _s, _e in forecast]
    chart.add(_("尚缺学时或不在岗"), [s for _m, s, _e in forecast])
    chart.add(_("周期到期"), [e for _m, _s, e in forecast])
    return _render(chart)
