"""The PostgreSQL backend's health check (sitecert.postgresql): a kept connection that the server closed is
replaced before a request uses it; a healthy one is kept."""

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_kept_connection_the_server_closed_is_replaced_before_the_next_request_uses_it():
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's")
    kept = backend()
    connection.close_if_unusable_or_obsolete()  # what Django does as a request starts
    assert backend() == kept  # healthy: kept
    params = connection.get_connection_params()
    where = {key: params[key] for key in ("dbname", "user", "password", "host", "port") if key in params}
    with psycopg.connect(**where) as administrator:  # as a restart or an administrator would end it
        administrator.execute("SELECT pg_terminate_backend(%s, 5000)", [kept])
    connection.close_if_unusable_or_obsolete()
    assert backend() != kept  # a new connection, not an error
