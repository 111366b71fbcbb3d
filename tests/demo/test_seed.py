"""`sitecert seed-demo` tells today's story: one login per situation, each ready to walk through, and a second
run changes nothing."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from sitecert.certificates.models import ECertificate
from sitecert.people.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", people=600, stdout=out)
    return out.getvalue()


def test_one_login_per_situation_and_a_second_run_changes_nothing(keys, post_catalogue, settings):
    settings.DEBUG = True
    first = seed()
    logins = dict(re.findall(r"^  (.+?): (\S+) / sitecert-demo$", first, flags=re.M))
    people = {who.split(" 学")[0].split(" 证")[0]: login for who, login in logins.items()}
    assert len(logins) == 8, first
    situations = {
        "on track": "学时正常",
        "behind": "学时落后",
        "lapsed": "证书已失效",
        "missed": "未换证",
        "new entrant": "新取证",
    }
    for key, word in situations.items():
        assert any(key in who and word in who for who in logins), (key, people)
    again = seed()
    assert "新增 0，更新 0" in again and "拒绝 0" in again
    pages = {}
    for who, login in logins.items():
        if not login[0].isdigit() or len(login) != 18:
            continue
        user = User.objects.get(username=login)
        assert user.check_password("sitecert-demo"), who
        client = Client()
        client.force_login(user)
        pages[who] = client.get("/me/").content.decode()
    by = {key: next(page for who, page in pages.items() if key in who) for key in situations}
    assert "继续教育（每年学时）" in by["on track"] and "周期已完成" in by["on track"]
    assert "学时落后" in by["behind"] or "只完成" in by["behind"]
    assert "已失效" in by["lapsed"] and "职业培训" in by["lapsed"]
    assert "已作废（未在 2020-12-31 前换发电子证书）" in by["missed"]
    newcomer = User.objects.get(username=logins[next(w for w in logins if "new entrant" in w)])
    ecert = ECertificate.objects.get(holder=newcomer.person)
    assert ecert.examination is not None and ecert.number in by["new entrant"]
