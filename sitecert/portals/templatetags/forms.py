"""A form's fields as `_form.html` renders them, the blank public query forms rendered once per language.

The verification page a site gate's phone opens and the public query page carry a blank ID-number-and-name
form: rendering its widgets through Django's form templates was half of the verification page's Python
(docs/scaling.md, "The scan site gates make"). A blank form without initial values renders the same HTML for
everyone in one language, so its HTML is kept in the process; a bound form (errors, the values typed) is
rendered each time.
"""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()
_BLANK: dict[tuple, str] = {}


@register.simple_tag
def form_fields(form) -> str:
    """`{% include "_form.html" %}` for `form`."""
    if form.is_bound or form.initial or any(field.initial is not None for field in form.fields.values()):
        return _render(form)
    key = (type(form), form.prefix, form.auto_id, get_language())
    if key not in _BLANK:
        _BLANK[key] = _render(form)
    return mark_safe(_BLANK[key])  # the template's own escaped output


def _render(form) -> str:
    return get_template("_form.html").render({"form": form})
