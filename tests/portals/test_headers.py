"""Headers every page carries (issue 15): a Content-Security-Policy without 'unsafe-inline', a referrer
policy, a permissions policy; no template left with an inline script or style; the API's errors Chinese.
The browser tests check the policy in Chromium itself: each fails on any refusal (tests/browser/conftest)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from sitecert.lib.svg import csp_safe
from sitecert.pdfkit import qr_svg

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "sitecert" / "templates"
PAGES = ["/", "/query/", "/verify/", "/accounts/login/", "/accounts/register/", "/me/help/", "/api/v1/docs"]


@pytest.mark.parametrize("path", [*PAGES, "/api/v1/health", "/no-such-page/"])
def test_every_answer_carries_the_policies(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in policy
        and "object-src 'none'" in policy
        and "frame-ancestors 'none'" in policy
    )
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )


def test_no_template_has_an_inline_script_or_style():
    inline = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                inline.append(f"{template.name}: {tag}")
        inline += [f"{template.name}: style attribute" for _ in re.findall(r"\sstyle=", text)]
        inline += [f"{template.name}: <style>" for _ in re.findall(r"<style\b", text)]
        inline += [f"{template.name}: {h}" for h in re.findall(r"\son[a-z]+=", text)]
    assert inline == []


def test_server_drawn_svg_keeps_its_drawing_without_inline_style():
    """The page's QR code is one path with no style (the strict CSP would blank it; the browser test scans it);
    a chart's styles lose their attributes and their <style> gets the nonce."""
    drawn = qr_svg("https://cert.example/verify/TJ20200000001S")
    assert "style" not in drawn and drawn.count("<path") == 2 and drawn.startswith("<svg viewBox=")
    chart = '<svg><defs><style type="text/css">.a{}</style></defs><script>x()</script><rect style="opacity: 0"/></svg>'
    assert csp_safe(chart, nonce="n0nce") == (
        '<svg><defs><style nonce="n0nce" type="text/css">.a{}</style></defs><rect opacity="0"/></svg>'
    )


def test_the_apis_404_never_names_a_model(personas):
    """Issue 15: "No RosterEntry matches the given query." leaked a model name."""
    from sitecert.people.services import api_token_create

    _t, secret = api_token_create(user=personas.employer_admin, name="HR")
    auth = {"Authorization": f"Bearer {secret}"}
    missing = Client().get("/api/v1/roster/999999", headers=auth)
    assert missing.status_code == 404 and missing.json() == {
        "message": "未找到该在岗人员记录",
        "details": None,
    }
    _t, secret = api_token_create(user=personas.holder, name="app")
    body = {"enrolment_id": 999999, "unit_id": 1, "device": "phone"}
    none = Client().post(
        "/api/v1/learning/sessions",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert none.status_code == 404 and none.json() == {"message": "未找到", "details": None}


def test_the_openapi_document_names_each_status_once(client):
    """Swagger UI refuses a document whose JSON repeats a key (ninja's int 401 beside a "401")."""
    import json

    def pairs(items):
        keys = [k for k, _v in items]
        assert len(keys) == len(set(keys)), keys
        return dict(items)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs)
