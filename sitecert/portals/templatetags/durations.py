"""Learning time as people say it: "1 小时 30 分", never "5400 秒" (learn.js writes the same while a unit plays)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Hours and minutes; seconds only under an hour (a short unit's progress still moves)."""
    seconds = int(seconds or 0)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    parts = [_("%(n)d 小时") % {"n": h}] if h else []
    if m or (h == 0 and s == 0):
        parts.append(_("%(n)d 分") % {"n": m})
    if s and not h:
        parts.append(_("%(n)d 秒") % {"n": s})
    return " ".join(parts)
