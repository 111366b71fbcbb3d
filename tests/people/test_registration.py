"""个人用户注册: one account per ID number, the mobile proven by SMS, login by ID or mobile, reset."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sitecert.lib.idnumber import build
from sitecert.people.models import OneTimeCode, User
from sitecert.registry.models import Person
from tests.conftest import last_code
from tests.personas import PASSWORD, certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry_person():
    person = Person.objects.create(id_number=build("120105", date(1990, 7, 8), 214), name="欧阳娜娜")
    certificate(person, "TJ2017000301", "quality-mep")
    return person


def register(client, person, mobile="13712345678", **extra):
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "mobile": mobile,
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    return client.post("/accounts/register/", {**data, **extra})


def test_a_holder_registers_confirms_the_code_and_sees_their_certificates(client, sms, registry_person):
    response = register(client, registry_person)
    assert response.status_code == 302 and response.url == "/accounts/register/confirm/"
    user = User.objects.get(person=registry_person)
    assert not user.is_active and user.password.startswith("argon2")
    assert sms[-1][0] == "13712345678"
    page = client.get("/accounts/register/confirm/").content.decode()
    assert "137****5678" in page
    response = client.post("/accounts/register/confirm/", {"code": last_code(sms)}, follow=True)
    assert response.redirect_chain[-1][0] == "/me/"
    text = response.content.decode()
    assert (
        "TJ2017000301" in text
        and "质量员（设备安装）" in text
        and "已作废（未在 2020-12-31 前换发电子证书）" in text
    )
    user.refresh_from_db()
    assert user.is_active and user.mobile_confirmed_at is not None


def test_a_person_not_in_the_registry_can_register_too(client, sms):
    response = client.post(
        "/accounts/register/",
        {
            "name": "马超",
            "id_number": build("120113", date(1995, 2, 3), 57),
            "mobile": "13812340000",
            "password": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert Person.objects.get(name="马超").account.is_active is False


def test_a_registered_id_number_is_told_the_way_back_by_sms_and_gets_no_second_account(
    client, sms, registry_person, personas
):
    register(client, registry_person)
    client.post("/accounts/register/confirm/", {"code": last_code(sms)})
    client.logout()
    response = register(client, registry_person, mobile="13700000001")
    assert response.status_code == 302 and response.url == "/accounts/register/confirm/"  # as for anyone
    assert sms[-1][0] == "13700000001" and "该身份证号已注册" in sms[-1][1] and "找回密码" in sms[-1][1]
    assert User.objects.filter(person=registry_person).count() == 1


def test_an_unfinished_registration_can_be_taken_over(client, sms, registry_person):
    register(client, registry_person, mobile="13700000001")
    client.cookies.clear()
    page = register(client, registry_person, mobile="13700000002").content.decode()
    assert "验证码已发送，请" in page  # no more than one SMS a minute for one account
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    register(client, registry_person, mobile="13700000002")
    user = User.objects.get(person=registry_person)
    assert user.mobile == "13700000002" and sms[-1][0] == "13700000002" and len(sms) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "120105199007082140", "身份证号校验位不正确"),
        ("id_number", "1201051990070", "身份证号应为18位"),
        ("mobile", "2371234567", "手机号应为以1开头的11位数字"),
        ("password2", "another-Pass-1", "两次输入的密码不一致"),
        ("password", "12345678", "密码"),
    ],
)
def test_the_form_names_the_field_and_what_is_wrong(client, sms, registry_person, field, value, message):
    """What is wrong with what was typed is said on the page; what the registry holds is not."""
    extra = {field: value}
    if field == "password":
        extra["password2"] = value
    page = register(client, registry_person, **extra).content.decode()
    assert message in page
    assert not User.objects.filter(person=registry_person).exists() and not sms


def test_a_name_other_than_the_registrys_is_told_by_sms_only(client, sms, registry_person):
    response = register(client, registry_person, name="欧阳娜")
    assert response.status_code == 302
    assert "姓名与该身份证号的登记信息不一致" in sms[-1][1]
    assert not User.objects.filter(person=registry_person).exists()


def test_a_confirmed_mobile_belongs_to_one_account(client, sms, registry_person, personas):
    response = register(client, registry_person, mobile=personas.holder.mobile)
    assert response.status_code == 302 and "该手机号已被其他账号使用" in sms[-1][1]
    assert sms[-1][0] == personas.holder.mobile and not User.objects.filter(person=registry_person).exists()


def test_codes_expire_are_single_use_and_resist_guessing(client, sms, registry_person):
    register(client, registry_person)
    user = User.objects.get(person=registry_person)
    for _ in range(5):
        page = client.post("/accounts/register/confirm/", {"code": "000000"}).content.decode()
    assert "验证码" in page
    page = client.post("/accounts/register/confirm/", {"code": last_code(sms)}).content.decode()
    assert "验证码已失效" in page  # five wrong guesses spend the code
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    client.post("/accounts/register/confirm/", {"resend": "1"})
    OneTimeCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.post("/accounts/register/confirm/", {"code": last_code(sms)}).content.decode()
    assert "验证码已失效" in page
    user.refresh_from_db()
    assert not user.is_active


def test_a_code_cannot_be_resent_within_a_minute(client, sms, registry_person):
    register(client, registry_person)
    page = client.post("/accounts/register/confirm/", {"resend": "1"}).content.decode()
    assert "验证码已发送，请" in page and len(sms) == 1


@pytest.mark.parametrize("identifier", ["id", "id-lower-x", "mobile"])
def test_login_by_id_number_or_mobile(client, personas, identifier):
    holder = personas.holder
    username = {"id": holder.username, "id-lower-x": holder.username.lower(), "mobile": holder.mobile}[
        identifier
    ]
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_a_wrong_password_says_so_without_telling_which_part(client, personas):
    page = client.post(
        "/accounts/login/", {"username": personas.holder.mobile, "password": "nope"}
    ).content.decode()
    assert "账号或密码不正确" in page


def login(client, username, password, addr):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_failed_logins_pause_the_account_on_that_address_only(client, personas):
    from axes.models import AccessFailureLog

    for _ in range(5):
        login(client, personas.holder.username, "wrong", "10.0.0.1")
    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=1))  # not slowed now
    locked = login(client, personas.holder.mobile, PASSWORD, "10.0.0.1")
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert int(locked["Retry-After"]) == 900
    assert login(Client(), personas.other_holder.username, PASSWORD, "10.0.0.2").status_code == 302


def test_a_phone_changing_its_ipv6_address_stays_paused_on_its_line(client, personas):
    """A phone picks new addresses within its /64 at will (throttle.subscriber): the pause follows the line."""
    from axes.models import AccessFailureLog

    for i in range(5):
        login(client, personas.holder.username, "wrong", f"2408:8207:6c4a:1f30::{i + 1:x}")
    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(minutes=1))  # not slowed now
    locked = login(client, personas.holder.mobile, PASSWORD, "2408:8207:6c4a:1f30:9c1e:22ff:fe01:7a2b")
    assert locked.status_code == 429 and "登录失败次数过多" in locked.content.decode()
    assert (
        login(Client(), personas.other_holder.username, PASSWORD, "2408:8207:6c4a:1f31::1").status_code == 302
    )


def test_anyone_cannot_lock_a_holder_out_of_their_own_phone(personas):
    """Issue 15: five wrong passwords locked any account for 15 minutes, from everywhere."""
    phone = Client()
    assert login(phone, personas.holder.mobile, PASSWORD, "10.8.0.8").status_code == 302
    phone.post("/accounts/logout/")
    for i in range(30):  # a stranger, from many addresses
        login(Client(), personas.holder.username, f"guess-{i}", f"10.7.{i}.1")
    assert login(phone, personas.holder.mobile, PASSWORD, "10.8.0.8").status_code == 302


def test_across_addresses_an_account_is_slowed_progressively(personas):
    from axes.models import AccessFailureLog

    for i in range(5):
        login(Client(), personas.holder.username, "wrong", f"10.6.{i}.1")
    first = login(Client(), personas.holder.username, PASSWORD, "10.6.9.9")  # a new phone, a new address
    assert first.status_code == 429 and first["Retry-After"] == "1" and "秒后再试" in first.content.decode()
    waits = []
    for i in range(4):
        AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(hours=1))  # the wait is over
        assert login(Client(), personas.holder.username, "wrong", f"10.5.{i}.1").status_code == 200
        waits.append(int(login(Client(), personas.holder.username, PASSWORD, "10.6.9.9")["Retry-After"]))
    assert waits == [2, 4, 8, 16]
    AccessFailureLog.objects.update(attempt_time=timezone.now() - timedelta(hours=1))
    assert login(Client(), personas.holder.username, PASSWORD, "10.6.9.9").status_code == 302


def test_the_token_endpoint_is_slowed_the_same_way(client, personas):
    for i in range(5):
        login(Client(), personas.holder.username, "wrong", f"10.4.{i}.1")
    body = {"username": personas.holder.username, "password": PASSWORD}
    slowed = client.post("/api/v1/auth/token", body, content_type="application/json", REMOTE_ADDR="10.4.9.9")
    assert slowed.status_code == 429 and slowed["Retry-After"] == "1"
    assert slowed.json()["message"].startswith("该账号近期登录失败次数较多")


def test_failed_logins_are_throttled_per_address(client, personas):
    for i in range(5):
        client.post(
            "/accounts/login/", {"username": f"1390000000{i}", "password": "wrong"}, REMOTE_ADDR="10.9.9.9"
        )
    locked = client.post(
        "/accounts/login/",
        {"username": personas.holder.username, "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert locked.status_code == 429


def test_password_reset_through_the_confirmed_mobile(client, sms, personas):
    response = client.post("/accounts/password-reset/", {"identifier": personas.holder.username})
    assert response.status_code == 302 and sms[-1][0] == personas.holder.mobile
    response = client.post(
        "/accounts/password-reset/finish/",
        {"code": last_code(sms), "password": "New-Tianjin-2021", "password2": "New-Tianjin-2021"},
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/accounts/login/", {"username": personas.holder.mobile, "password": "New-Tianjin-2021"}
        ).status_code
        == 302
    )


def test_password_reset_for_an_unknown_account_reveals_nothing(client, sms, personas):
    response = client.post("/accounts/password-reset/", {"identifier": "13999999999"}, follow=True)
    assert "如该账号存在" in response.content.decode() and not sms
