"""What the pages owe people with older eyes and other hands, where the server's HTML can show it (the browser
tests audit every page they visit with axe-core): help texts and errors tied to their inputs, the keyboard a
phone should offer, a skip link, learning time in hours and minutes."""

import re

import pytest
from django.test import Client
from django.utils import translation

from sitecert.portals.templatetags.durations import duration

pytestmark = pytest.mark.django_db


def described(page: str) -> dict[str, list[str]]:
    """Each input's id → the ids its aria-describedby names."""
    found = {}
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page):
        if (ids := re.search(r'aria-describedby="([^"]*)"', tag)) and (
            own := re.search(r'\bid="([^"]*)"', tag)
        ):
            found[own[1]] = ids[1].split()
    return found


def element(page: str, id_: str) -> str:
    """The text of the element with that id (empty when there is none)."""
    found = re.search(rf'<(\w+)[^>]*\bid="{re.escape(id_)}"[^>]*>(.*?)</\1>', page, re.S)
    return re.sub(r"<[^>]+>", "", found[2]).strip() if found else ""


def test_the_name_change_rule_is_on_the_page_that_points_at_it(client, personas, ecert):
    client.force_login(personas.holder)
    page = client.get(f"/certificates/{ecert.number}/").content.decode()
    assert described(page)["id_new_name"] == ["id_new_name_helptext"]
    assert element(page, "id_new_name_helptext") == "仅信息变更时填写，须与户籍一致"


def test_every_description_an_input_names_is_rendered(client, personas, ecert):
    pages = [Client().get(path).content.decode() for path in ("/accounts/register/", "/accounts/login/")]
    pages.append(Client().get("/query/?mode=person").content.decode())
    client.force_login(personas.holder)
    pages += [
        client.get(path).content.decode() for path in ("/accounts/email/", f"/certificates/{ecert.number}/")
    ]
    pages.append(client.post(f"/certificates/{ecert.number}/", {"kind": "change"}).content.decode())
    for page in pages:
        for input_id, ids in described(page).items():
            assert all(element(page, i) for i in ids), (input_id, ids)


def test_a_field_error_is_tied_to_its_input(client):
    page = client.post(
        "/accounts/register/",
        {
            "name": "张建华",
            "id_number": "12010619860412003",
            "mobile": "1392020",
            "password": "x",
            "password2": "y",
        },
    ).content.decode()
    inputs = described(page)
    assert "id_password2_error" in inputs["id_password2"]
    assert element(page, "id_password2_error") == "两次输入的密码不一致"
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_password2"', page)


def test_id_number_mobile_and_code_fields_ask_a_phone_for_the_right_keyboard(client):
    page = client.get("/accounts/register/").content.decode()
    mobile = re.search(r'<input[^>]*id="id_mobile"[^>]*>', page)[0]
    assert 'type="tel"' in mobile and 'inputmode="tel"' in mobile and 'autocomplete="tel-national"' in mobile
    id_number = re.search(r'<input[^>]*id="id_id_number"[^>]*>', page)[0]
    # letters stay on the keyboard: one ID number in eleven ends in X
    assert 'autocapitalize="characters"' in id_number and "inputmode" not in id_number
    assert 'autocomplete="new-password"' in re.search(r'<input[^>]*id="id_password"[^>]*>', page)[0]
    login = client.get("/accounts/login/").content.decode()
    assert 'autocomplete="username"' in login and 'autocomplete="current-password"' in login
    from sitecert.portals.forms import CodeForm

    code = str(CodeForm()["code"])
    assert 'inputmode="numeric"' in code and 'autocomplete="one-time-code"' in code


def test_every_page_opens_with_a_link_that_skips_to_the_main_content(client):
    page = client.get("/").content.decode()
    assert page.index('<a class="skip" href="#main">') < page.index("<header")
    assert '<main id="main"' in page


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (0, "0 分", "0 min"),
        (30, "30 秒", "30 s"),
        (90, "1 分 30 秒", "1 min 30 s"),
        (5400, "1 小时 30 分", "1 h 30 min"),
        (10800, "3 小时", "3 h"),
        (10830, "3 小时", "3 h"),
    ],
)
def test_learning_time_reads_in_hours_and_minutes(seconds, zh, en):
    assert duration(seconds) == zh
    with translation.override("en"):
        assert duration(seconds) == en
