"""sitecert behind nginx (deploy/nginx/sitecert.conf), as issue 17 found it: the health probe must answer over
plain HTTP, and the client's address is the header nginx overwrites, not the proxy's own."""

import pytest

from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"  # every connection comes from nginx


@pytest.fixture
def proxied(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    settings.REGISTRY_QUERY_RATE = "3/m"
    return settings


def test_the_health_probe_answers_over_plain_http_while_pages_redirect(client, proxied):
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/health", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    page = client.get("/query/")
    assert page.status_code == 301 and page["Location"].startswith("https://")
    assert client.get("/query/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def ask(client, real_ip: str) -> int:
    return client.get(
        "/api/v1/registry/certificates/TJ2016002",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_REAL_IP=real_ip,
    ).status_code


def test_behind_the_proxy_each_client_has_its_own_budget(client, proxied):
    assert [ask(client, "203.0.113.7") for _ in range(4)] == [404, 404, 404, 429]
    assert ask(client, "198.51.100.9") == 404  # another client behind the same proxy is not refused


def test_behind_the_proxy_failed_logins_pause_the_client_not_everyone(client, proxied, personas):
    for i in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"1390000000{i}", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_X_REAL_IP="203.0.113.7",
        )
    login = {"username": personas.holder.username, "password": PASSWORD}
    headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_PROTO": "https"}
    assert client.post("/accounts/login/", login, **headers, HTTP_X_REAL_IP="203.0.113.7").status_code == 429
    assert client.post("/accounts/login/", login, **headers, HTTP_X_REAL_IP="198.51.100.9").status_code == 302
