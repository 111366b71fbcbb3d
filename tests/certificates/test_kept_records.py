"""Verification records kept per process (certificates/kept.py): asked of nobody while kept, and forgotten the
moment PostgreSQL says a committed statement changed them, whoever wrote it (a service, another client's
set-based UPDATE, a changed ID number); a rolled-back change is never served; a lost listening connection
keeps nothing until it listens again. Committed transactions, so these run with transaction=True."""

import time
from datetime import date

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sitecert.certificates.kept import CHANNEL, LISTENER, Kept, _told_of_changes, records
from sitecert.certificates.lifecycle import certificate_revoke, request_create, request_decide
from sitecert.certificates.verification import verify_number
from sitecert.lib.idnumber import build, mask
from sitecert.registry.models import Person
from tests.certificates.conftest import IN_WINDOW, NOW
from tests.certificates.test_credentials import issue

pytestmark = pytest.mark.django_db(transaction=True)
LATER = IN_WINDOW.replace(month=10)


@pytest.fixture
def issued(post_catalogue, builder, keys):
    if connection.vendor != "postgresql":
        pytest.skip("records are kept only where PostgreSQL tells of changes")
    return issue(builder)


def listening() -> bool:
    """Verify nothing, but let the process start listening; True once it does (within 10 s)."""
    for _ in range(200):
        if records.generation() is not None:
            return True
        time.sleep(0.05)
    return False


def asked(number: str) -> tuple[str, int]:
    """The outcome of verifying `number`, and the statements it took."""
    with CaptureQueriesContext(connection) as queries:
        outcome = verify_number(number, today=LATER).outcome
    return outcome, len(queries)


def other_client():
    """A connection of its own, as another process or psql would have."""
    params = connection.get_connection_params()
    where = {key: params[key] for key in ("dbname", "user", "password", "host", "port") if key in params}
    return psycopg.connect(**where, autocommit=True)


def test_a_kept_record_is_asked_of_nobody_until_a_revocation_is_heard(issued, personas):
    assert listening()
    assert asked(issued.number)[0] == "valid"
    assert asked(issued.number) == ("valid", 0)  # kept: no statement at all
    certificate_revoke(ecert=issued, reason="主管部门注销", by=personas.inspector, now=NOW)
    assert records.heard()
    assert asked(issued.number) == ("revoked", 1)
    assert Client().get(f"/api/v1/verify/{issued.number}").json()["outcome"] == "revoked"


def test_another_clients_set_based_lapse_is_heard(issued):
    assert listening()
    assert asked(issued.number)[0] == "valid"
    with other_client() as psql:  # as the nightly run's one UPDATE over every lapsing certificate
        psql.execute(
            "UPDATE certificates_ecertificate SET status = 'lapsed', status_since = %s WHERE number = ANY(%s)",
            [IN_WINDOW, [issued.number, "TJ-NOT-THERE"]],
        )
    assert records.heard()
    assert asked(issued.number) == ("lapsed", 1)


def test_a_new_version_and_a_changed_id_number_are_heard(issued, personas):
    assert listening()
    verify_number(issued.number, today=LATER)
    asked_for = request_create(
        ecert=issued, kind="reissue", reason="原打印件遗失", by=personas.holder, now=NOW
    )
    request_decide(request=asked_for, approve=True, by=personas.inspector, now=NOW)
    assert records.heard()
    assert verify_number(issued.number, today=LATER).current_version == 2
    corrected = build("120101", date(1990, 3, 7), 1)
    Person.objects.filter(pk=issued.holder_id).update(id_number=corrected)  # the authority corrects it
    assert records.heard()
    assert verify_number(issued.number, today=LATER).fields["id_number_masked"] == mask(corrected)


def test_a_change_rolled_back_is_never_served_and_a_transaction_sees_its_own(issued, personas):
    assert listening()
    verify_number(issued.number, today=LATER)
    with pytest.raises(RuntimeError), transaction.atomic():
        certificate_revoke(ecert=issued, reason="误操作", by=personas.inspector, now=NOW)
        assert asked(issued.number) == ("revoked", 1)  # its own write, not the kept record
        raise RuntimeError("rolled back")
    assert records.heard()
    assert asked(issued.number) == ("valid", 0)


def test_a_lost_listening_connection_keeps_nothing_until_it_listens_again(issued):
    assert listening()
    verify_number(issued.number, today=LATER)
    before = records._generation
    with other_client() as psql:  # an administrator ends it, then changes a certificate while nobody listens
        psql.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = %s",
            [LISTENER],
        )
        psql.execute(
            "UPDATE certificates_ecertificate SET status = 'revoked' WHERE number = %s", [issued.number]
        )
    for _ in range(200):  # lost (everything forgotten), then listening again (forgotten once more)
        if records._generation >= before + 2 and records.generation() is not None:
            break
        time.sleep(0.05)
    assert records.generation() is not None
    assert asked(issued.number) == ("revoked", 1)
    assert asked(issued.number) == ("revoked", 0)


def test_an_independent_listener_hears_the_numbers_a_statement_changed(issued, personas):
    with other_client() as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        certificate_revoke(ecert=issued, reason="主管部门注销", by=personas.inspector, now=NOW)
        heard = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
    assert heard == [issued.number]


COPIES = (
    "INSERT INTO certificates_ecertificate (number, holder_id, post_id, record_id, policy_id, issuer, issued_on,"
    " status, status_since, status_reason, version, created_at)"
    " SELECT 'TJCOPY' || g, holder_id, post_id, record_id, policy_id, issuer, issued_on, status, status_since,"
    " status_reason, version, created_at FROM certificates_ecertificate, generate_series(1, %s) AS g"
    " WHERE number = %s"
)


def test_a_statement_of_two_certificates_names_both_and_of_many_says_all(issued):
    with other_client() as listener, other_client() as psql:
        listener.execute(f"LISTEN {CHANNEL}")
        psql.execute(COPIES, [2, issued.number])
        psql.execute("UPDATE certificates_ecertificate SET issuer = issuer WHERE number LIKE 'TJCOPY%%'")
        psql.execute(COPIES.replace("'TJCOPY'", "'TJMANY'"), [101, issued.number])
        heard = [n.payload for n in listener.notifies(timeout=5, stop_after=3)]
    assert sorted(heard[0].split(",")) == sorted(heard[1].split(",")) == ["TJCOPY1", "TJCOPY2"]
    assert heard[2] == "*"  # more than 100: told as "everything", before any list is made


def test_a_database_without_the_notices_keeps_nothing(issued):
    with other_client() as psql:
        assert _told_of_changes(psql)
        with psql.transaction(force_rollback=True):  # as a database upgraded before its migration
            psql.execute("DROP FUNCTION sitecert_forget_numbers() CASCADE")
            assert not _told_of_changes(psql)


def test_a_record_read_while_a_notice_arrived_is_not_kept():
    kept = Kept(size=10, seconds=60)
    kept._listening = True  # as the listening thread sets it
    generation = kept._generation
    kept._forget("TJ2020000001")  # heard between the read and the keeping
    kept.keep("TJ2020000001", {"status": "valid"}, generation)
    assert "TJ2020000001" not in kept._records
    kept.keep("TJ2020000001", {"status": "revoked"}, kept._generation)
    assert kept._records["TJ2020000001"] == {"status": "revoked"}


def test_on_sqlite_every_verification_asks_the_database(post_catalogue, builder, keys):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's")
    number = issue(builder).number
    verify_number(number, today=LATER)  # the first also reads the published keys
    assert asked(number) == ("valid", 1)
    assert asked(number) == ("valid", 1)
