"""The blank public query forms are rendered once per language and kept (portals/templatetags/forms.py): what
the page shows must be what rendering the form afresh shows, in each language, and a bound form is never
taken from what was kept."""

import pytest
from django.template.loader import get_template
from django.test import Client
from django.utils import translation

from sitecert.portals.forms import PersonQueryForm
from sitecert.portals.templatetags import forms as tags

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_kept_blank_form_is_the_form_rendered_afresh_in_each_language(language):
    tags._BLANK.clear()
    with translation.override(language):
        afresh = get_template("_form.html").render({"form": PersonQueryForm()})
        assert tags.form_fields(PersonQueryForm()) == afresh  # the first: rendered, then kept
        assert tags.form_fields(PersonQueryForm()) == afresh  # the next: as kept
    assert ("身份证号" if language == "zh-hans" else "ID number") in afresh


def test_the_pages_show_the_blank_form_in_the_asked_language_after_another_was_kept():
    tags._BLANK.clear()
    chinese = Client().get("/verify/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = Client().get("/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="id_number"' in chinese and 'name="id_number"' in english
    assert "姓名" in chinese and "Name" in english and "姓名</label>" not in english


def test_a_bound_form_shows_its_own_errors_and_values_not_the_kept_blank_one():
    tags._BLANK.clear()
    Client().get("/query/?mode=person")  # the blank form kept
    answer = Client().post("/query/", {"mode": "person", "id_number": "12010119900307123X", "name": "王"})
    page = answer.content.decode()
    assert "身份证号校验位不正确" in page or "请输入2至40个字的姓名" in page
    assert 'value="王"' in page
