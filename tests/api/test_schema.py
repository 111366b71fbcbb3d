"""The API against its own OpenAPI document (schemathesis): every operation, a fixed seed, a bounded
number of cases, anonymous and with each role's token; no server error, no status code or content type
the document does not list, no body that contradicts it (issue 15)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sitecert.people.services import api_token_create

ROLES = ["anonymous", "holder", "employer_admin", "institution_admin", "inspector"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The document as the running API serves it, through WSGI (nothing in it reads the database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _one_connection(settings):
    """Requests through WSGI run in the test's transaction: the connection stays open between them, as
    Django's test client keeps it."""
    settings.SMS_BACKEND = "sitecert.people.sms.MemoryBackend"
    settings.ACCOUNT_ANSWER_SECONDS = 0
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(personas) -> dict[str, dict]:
    """Each role's bearer token (an organisation's for its staff), made once per test."""
    headers: dict[str, dict] = {"anonymous": {}}
    for role in ROLES[1:]:
        user = getattr(personas, role)
        _token, secret = api_token_create(user=user, organisation=user.organisation, name="schemathesis")
        headers[role] = {"Authorization": f"Bearer {secret}"}
    return headers


def probe(role: str):
    """A test per operation, as `role`."""

    @schema.parametrize()
    @seed(20200716)  # the notice's date: the same cases on every run
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def test(case, tokens):
        case.call_and_validate(headers=tokens[role], checks=CHECKS)

    test.__doc__ = f"Every operation, as {role}, keeps to the OpenAPI document."
    return test


test_anonymous = probe("anonymous")
test_holder = probe("holder")
test_employer = probe("employer_admin")
test_institution = probe("institution_admin")
test_authority = probe("inspector")
