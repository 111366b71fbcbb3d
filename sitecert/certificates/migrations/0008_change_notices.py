"""PostgreSQL tells every process which certificates changed (certificates/kept.py): triggers NOTIFY the
numbers whose verification record a committed statement changed, or "*" for all of them, whoever wrote it
(a service, the admin, a set-based lapse run, psql). SQLite has no notifications: nothing is kept there."""

from django.db import migrations

CHANNEL = "sitecert_certificates"
MOST = 100  # numbers in one notice (its payload is at most 8000 bytes); more are "*"

FUNCTIONS = f"""
CREATE FUNCTION sitecert_forget_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '*');
    RETURN NULL;
END $$;

CREATE FUNCTION sitecert_forget_numbers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written bigint;
    ids bigint[];
    numbers text[];
BEGIN
    -- How many rows the statement wrote: none, nothing to tell; many (a bulk issuance, a lapse night), "*"
    -- before any list is made.
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO written FROM came;
    ELSE
        SELECT count(*) INTO written FROM gone;
    END IF;
    IF written = 0 THEN
        RETURN NULL;
    ELSIF written > {MOST} THEN
        PERFORM pg_notify('{CHANNEL}', '*');
        RETURN NULL;
    END IF;
    -- The rows the statement wrote, and the certificates they replace (whose replaced_by it changed).
    IF TG_TABLE_NAME = 'certificates_certificateversion' THEN
        SELECT array_agg(certificate_id) INTO ids FROM gone;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(id) || array_agg(replaces_id) INTO ids FROM came;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(id) || array_agg(replaces_id) INTO ids FROM gone;
    ELSE
        SELECT array_agg(id) || array_agg(replaces_id) INTO ids
            FROM (SELECT id, replaces_id FROM gone UNION ALL SELECT id, replaces_id FROM came) AS changed;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'certificates_ecertificate' THEN
        SELECT array_agg(DISTINCT number) INTO numbers FROM gone;
    ELSE
        SELECT array_agg(DISTINCT number) INTO numbers FROM certificates_ecertificate WHERE id = ANY(ids);
    END IF;
    PERFORM pg_notify(
        '{CHANNEL}',
        CASE WHEN numbers IS NULL OR cardinality(numbers) > {MOST} THEN '*' ELSE array_to_string(numbers, ',') END
    );
    RETURN NULL;
END $$;
"""

# (table, trigger, event, transition tables) for the rows a verification reads itself.
NUMBERED = [
    ("certificates_ecertificate", "inserted", "INSERT", "NEW TABLE AS came"),
    ("certificates_ecertificate", "updated", "UPDATE", "OLD TABLE AS gone NEW TABLE AS came"),
    ("certificates_ecertificate", "deleted", "DELETE", "OLD TABLE AS gone"),
    ("certificates_certificateversion", "updated", "UPDATE", "OLD TABLE AS gone"),
    ("certificates_certificateversion", "deleted", "DELETE", "OLD TABLE AS gone"),
]
# (table, the columns a verification shows) for rows it reads through a certificate: rarely changed, so
# a change of one forgets every record.
SHARED = [
    ("registry_person", ["id_number"]),
    ("registry_post", ["name", "specialty"]),
    ("registry_legacycertificate", ["certificate_no"]),
    ("certificates_signingkey", None),  # a key unpublished: tokens it signed no longer check
]
TRUNCATED = ["certificates_ecertificate", "certificates_certificateversion", *(t for t, _c in SHARED)]


def _statements() -> list[str]:
    made = [FUNCTIONS]
    for table, name, event, tables in NUMBERED:
        made.append(
            f"CREATE TRIGGER sitecert_{name} AFTER {event} ON {table} REFERENCING {tables}"
            " FOR EACH STATEMENT EXECUTE FUNCTION sitecert_forget_numbers()"
        )
    for table, columns in SHARED:
        if columns is None:
            made.append(
                f"CREATE TRIGGER sitecert_changed AFTER UPDATE OR DELETE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION sitecert_forget_all()"
            )
            continue
        differ = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        # One row trigger per changed row; PostgreSQL delivers a transaction's identical notices once.
        made.append(
            f"CREATE TRIGGER sitecert_changed AFTER UPDATE OF {', '.join(columns)} ON {table}"
            f" FOR EACH ROW WHEN ({differ}) EXECUTE FUNCTION sitecert_forget_all()"
        )
    for table in TRUNCATED:
        made.append(
            f"CREATE TRIGGER sitecert_truncated AFTER TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION sitecert_forget_all()"
        )
    return made


def _dropped() -> list[str]:
    return [
        *(f"DROP TRIGGER sitecert_{name} ON {table}" for table, name, _e, _t in NUMBERED),
        *(f"DROP TRIGGER sitecert_changed ON {table}" for table, _c in SHARED),
        *(f"DROP TRIGGER sitecert_truncated ON {table}" for table in TRUNCATED),
        "DROP FUNCTION sitecert_forget_numbers()",
        "DROP FUNCTION sitecert_forget_all()",
    ]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements():
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0007_records_and_examinations"),
        ("registry", "0004_person_table"),
    ]

    operations = [migrations.RunPython(_on_postgresql(_statements), _on_postgresql(_dropped))]
