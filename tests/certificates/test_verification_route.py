"""The public verification's short way (api/hotpath.py): a gate's scan or a typed number goes to the API's own
view through only the middleware that shapes its answer, and gets exactly what the whole stack would give:
the same status, body and headers, the same language and the same rate limit."""

import json

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory

from sitecert.api.certificates import VerificationOut
from sitecert.api.hotpath import Verifications
from sitecert.throttle import forget_tallies
from tests.certificates.test_credentials import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(builder, keys):
    return issue(builder)


def requests_of(issued) -> list[tuple[str, dict, dict]]:
    token = issued.versions.get().qr_token
    number = f"/api/v1/verify/{issued.number}"
    return [
        (number, {}, {}),
        (number, {}, {"HTTP_ACCEPT_LANGUAGE": "en"}),
        (number, {}, {"HTTP_COOKIE": "django_language=en"}),
        ("/api/v1/verify/TJ0000000000", {}, {}),  # not found
        ("/api/v1/verify/ 不是编号", {}, {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}),
        ("/api/v1/verify", {"token": token}, {"HTTP_ORIGIN": "https://gate.example.com"}),
        ("/api/v1/verify", {"token": token[:-6] + "AAAAAA"}, {}),  # forged
        ("/api/v1/verify", {}, {}),  # no token: the schema's 422
    ]


def budgets_fresh() -> None:
    cache.clear()
    forget_tallies()


def answers(issued) -> list:
    """Each request's status, headers and body, then the same requests past a budget of 3 a minute."""
    found = []
    for path, query, headers in requests_of(issued):
        budgets_fresh()
        response = Client().get(path, query, **headers)
        found.append((response.status_code, sorted(response.headers.items()), response.content))
    budgets_fresh()
    path = f"/api/v1/verify/{issued.number}"
    for _ in range(4):
        response = Client().get(path)
        found.append((response.status_code, response.get("Retry-After"), response.json()["message"]))
    return found


def without_retry_after(refusals: list) -> list:
    return [(status, None if status == 429 else retry, message) for status, retry, message in refusals]


def test_every_answer_is_the_one_the_whole_stack_gives(settings, issued):
    settings.VERIFY_RATE = "3/m"
    short = answers(issued)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith(".Verifications")]
    stack = answers(issued)
    assert short[:8] == stack[:8]
    # Retry-After counts the budget's window down in whole seconds and the two runs are a moment apart: the
    # refusals' values may differ by a second, no more; everything else is the same.
    assert without_retry_after(short[8:]) == without_retry_after(stack[8:])
    for (status, retry, _), (_, other, _) in zip(short[8:], stack[8:], strict=True):
        if status == 429:
            assert 1 <= int(retry) <= 60 and abs(int(retry) - int(other)) <= 1
    statuses = [answer[0] for answer in short]
    assert statuses == [200, 200, 200, 200, 200, 200, 200, 422, 200, 200, 200, 429]
    english = dict(short[1][1])
    assert english["Content-Language"] == "en" and "Accept-Language" in english["Vary"]
    messages = [json.loads(short[n][2])["message"] for n in (0, 1, 2)]
    assert messages == ["证书有效", "Valid certificate", "Valid certificate"]
    assert dict(short[5][1])["Access-Control-Allow-Origin"] == "*"
    for status, _headers, body in short[
        :8
    ]:  # rendered without ninja's validation: still the document's shape
        if status == 200:
            VerificationOut.model_validate_json(body)


def the_stack(request):
    return HttpResponse("the stack", status=599)


def test_a_verification_never_reaches_the_stack_and_nothing_else_takes_the_short_way(issued):
    get = RequestFactory().get
    for request in (get(f"/api/v1/verify/{issued.number}"), get("/api/v1/verify", {"token": "x"})):
        response = Verifications(the_stack)(request)
        assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"
        assert response["Content-Length"] == str(len(response.content))
    others = [
        RequestFactory().post("/api/v1/verify/person", {}, content_type="application/json"),
        RequestFactory().head(f"/api/v1/verify/{issued.number}"),
        get(f"/api/v1/verify/{issued.number}/extra"),
        get("/api/v1/verifying"),
        get("/api/v1/health"),
        get(f"/verify/{issued.number}"),  # the page
    ]
    for request in others:
        assert Verifications(the_stack)(request).status_code == 599
