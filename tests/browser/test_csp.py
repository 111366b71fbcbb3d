"""Every kind of page under the Content-Security-Policy in Chromium: the `page` fixture fails a test on
any refusal the browser reports (inline script or style, eval, a foreign origin), and axe audits each page
(`goto` audits as the page loads; the API docs again once their script has drawn them)."""

import pytest

from tests.browser.conftest import audit
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = [
    "/",
    "/query/",
    "/verify/",
    "/accounts/login/",
    "/accounts/register/",
    "/accounts/register/organisation/",
    "/accounts/password-reset/",
    "/me/help/",
    "/org/help/",
    "/seal/",
    "/api/v1/docs",
    "/admin/login/",
]


def test_public_pages_the_api_docs_and_the_admin_run_without_a_refusal(page):
    from tests.personas import make_personas

    personas = make_personas()
    for path in PUBLIC:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)  # the docs' script ran
    audit(page)
    page.goto("/accounts/login/")
    page.fill("#id_username", personas.inspector.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/authority/")
    audit(page)
    for path in [
        "/admin/",
        "/admin/people/rosterentry/",
        f"/admin/people/rosterentry/{personas.entry.pk}/change/",
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
