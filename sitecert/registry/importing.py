"""Importing a registry file (导入原证书): stream, validate, stage, then merge in set-based SQL.

The whole import is one transaction: a failure or a killed process leaves the database as it was.
Rows are validated in Python (rows.py) and staged in a temporary table in batches (COPY on PostgreSQL,
executemany on SQLite); duplicates, conflicts, people, history and certificates are then settled by a
handful of statements over the whole file, never a query per row.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO

from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sitecert.lib.tabular import Layout, Limits, MissingColumns, UnreadableFile, open_table
from sitecert.registry.models import (
    ImportBatch,
    ImportRejection,
    LegacyCertificate,
    LegacyCertificateChange,
    Person,
)
from sitecert.registry.rows import COLUMNS, OPTIONAL, RowValidator
from sitecert.uploads import UploadResult, refusal, report_write

FLUSH_ROWS = 10_000
STAGE_COLUMNS = ("row_no", "certificate_no", "id_number", "name", "post_id", "issued_on", "issuer", "status")
REJECT_COLUMNS = ("row_no", "col", "code", "message")


@dataclass(kw_only=True)
class ImportResult(UploadResult):
    """An upload's result, with its batch (whose rejections are rows of ImportRejection)."""

    batch: ImportBatch
    dry_run: bool
    notes: list[str] = field(default_factory=list)  # which sheet and row were read, footer rows skipped


Progress = Callable[[str, int], None]  # (phase, rows read so far)


def registry_import(
    *,
    path: Path | str,
    file_name: str | None = None,
    today: date,
    now: datetime,
    imported_by=None,
    dry_run: bool = False,
    report: IO[str] | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one registry file. Raises FileRefused when the file as a whole cannot be read."""
    progress = progress or (lambda phase, n: None)
    file_name = file_name or Path(path).name
    with translation.override("zh-hans"):
        try:
            return _import(path, file_name, today, now, imported_by, dry_run, report, progress)
        except (UnreadableFile, MissingColumns) as exc:
            raise refusal(exc, file_name) from exc


def _import(path, file_name, today, now, imported_by, dry_run, report, progress) -> ImportResult:
    table = open_table(path, file_name, columns=COLUMNS, optional=OPTIONAL, limits=Limits())
    layout = table.layout
    assert layout is not None
    with _staging_on_disk(), transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=file_name, sha256=table.sha256, imported_by=imported_by, started_at=now
        )
        started = time.monotonic()
        stage = _Stage(batch, now)
        stage.fill(table.rows, RowValidator(layout, today), layout, progress)
        progress("merge", stage.total)
        counts = stage.merge()
        for key, value in counts.items():
            setattr(batch, key, value)
        batch.total, batch.finished_at = stage.total, now + timedelta(seconds=time.monotonic() - started)
        batch.save()
        if report is not None:
            report_write(stage.rejections(), report)
        stage.drop()
        if dry_run:
            transaction.set_rollback(True)
    rejected = counts.pop("rejected")
    return ImportResult(batch=batch, dry_run=dry_run, rejected_rows=rejected, notes=table.notes, **counts)


@contextmanager
def _staging_on_disk() -> Iterator[None]:
    """On SQLite, the import's temporary tables in a file rather than in memory (the settings' temp store,
    which serves the duty run's small temporary tables): a million staged rows and their indexes would
    otherwise take some 400 MB. SQLite changes it only outside a transaction; inside one (a test, a caller's
    own transaction) the import runs with the connection's setting."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA temp_store").fetchone()[0]
        cursor.execute("PRAGMA temp_store = FILE")
        cursor.execute("PRAGMA temp.cache_size = -65536")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA temp_store = {int(before)}")


def batch_rejections(batch: ImportBatch) -> Iterable[tuple]:
    return ImportRejection.objects.filter(batch=batch).values_list("row_number", "column", "code", "message")


class _Stage:
    """The temporary tables of one import and the SQL that merges them into the registry."""

    def __init__(self, batch: ImportBatch, now: datetime):
        self.batch, self.now = batch, now
        self.total = 0
        self.cursor = connection.cursor()
        self.postgres = connection.vendor == "postgresql"
        self.t = {
            "person": Person._meta.db_table,
            "cert": LegacyCertificate._meta.db_table,
            "change": LegacyCertificateChange._meta.db_table,
            "rejection": ImportRejection._meta.db_table,
        }
        self.drop()
        if self.postgres:  # hash joins over a million staged rows stay in memory, within a bound
            self.sql("SET LOCAL work_mem = '64MB'")
        day = "DATE" if self.postgres else "TEXT"
        self.sql(
            f"""CREATE TEMPORARY TABLE import_stage (row_no INTEGER PRIMARY KEY, certificate_no VARCHAR(64),
            id_number VARCHAR(18), name VARCHAR(40), post_id BIGINT, issued_on {day}, issuer VARCHAR(100),
            status VARCHAR(10))"""
        )
        self.sql(
            "CREATE TEMPORARY TABLE import_reject (row_no INTEGER, col VARCHAR(60), code VARCHAR(40), message TEXT)"
        )

    def sql(self, statement: str, params: Iterable = ()) -> int:
        self.cursor.execute(statement, list(params))
        return self.cursor.rowcount

    def scalar(self, statement: str) -> int:
        self.cursor.execute(statement)
        return self.cursor.fetchone()[0]

    def drop(self) -> None:
        for table in ("import_stage", "import_reject", "import_multi", "import_keys"):
            self.sql(f"DROP TABLE IF EXISTS {table}")

    def _write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.postgres:
            with self.cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            self.cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        rows.clear()

    def fill(self, rows, validator: RowValidator, layout: Layout, progress: Progress) -> None:
        staged: list[tuple] = []
        rejected: list[tuple] = []
        validate, column, postgres = validator.validate, layout.column, self.postgres
        for row_no, cells in rows:
            self.total += 1
            record, problems = validate(cells)
            if problems:
                rejected.extend((row_no, column(key), code, msg) for key, code, msg in problems)
            elif postgres:
                staged.append((row_no, *record))
            else:  # SQLite keeps dates as ISO text, as Django does
                staged.append((row_no, *record[:4], record[4].isoformat(), *record[5:]))
            if len(staged) >= FLUSH_ROWS:
                self._write("import_stage", STAGE_COLUMNS, staged)
                self._write("import_reject", REJECT_COLUMNS, rejected)
                progress("read", self.total)
        self._write("import_stage", STAGE_COLUMNS, staged)
        self._write("import_reject", REJECT_COLUMNS, rejected)
        self.sql("CREATE INDEX import_stage_no ON import_stage (certificate_no)")
        self.sql("CREATE INDEX import_stage_id ON import_stage (id_number, name)")
        self.sql("ANALYZE import_stage")  # temporary tables are never analysed on their own
        self.layout = layout

    def _reject(self, condition: str, col: str, code: str, message: str) -> None:
        where = f"FROM import_stage WHERE {condition}"
        self.sql(f"INSERT INTO import_reject SELECT row_no, %s, %s, %s {where}", [col, code, message])
        self.sql(f"DELETE {where}")

    def _reject_keys(self, key: str, keys_sql: str, col: str, code: str, message: str) -> None:
        """Reject every staged row whose `key` is among those `keys_sql` selects (as column k)."""
        self.sql("DROP TABLE IF EXISTS import_keys")
        self.sql(f"CREATE TEMPORARY TABLE import_keys AS {keys_sql}")
        if self.scalar("SELECT COUNT(*) FROM import_keys"):
            self._reject(f"{key} IN (SELECT k FROM import_keys)", col, code, message)

    def merge(self) -> dict[str, int]:
        col = self.layout.column
        # Numbers given more than once are few: conflicts and duplicates are settled among them only.
        self.sql(
            """CREATE TEMPORARY TABLE import_multi AS SELECT certificate_no AS k FROM import_stage
            GROUP BY certificate_no HAVING COUNT(*) > 1"""
        )
        in_multi = "certificate_no IN (SELECT k FROM import_multi)"
        self._reject_keys(
            "certificate_no",
            f"""SELECT certificate_no AS k FROM (SELECT DISTINCT certificate_no, id_number, name, post_id,
            issued_on, issuer, status FROM import_stage WHERE {in_multi}) d GROUP BY certificate_no
            HAVING COUNT(*) > 1""",
            col("certificate_no"),
            "conflict",
            _("同一证书编号在文件中出现多次且内容不一致"),
        )
        self._reject_keys(
            "id_number",
            "SELECT id_number AS k FROM import_stage GROUP BY id_number HAVING MIN(name) <> MAX(name)",
            col("name"),
            "id_name_conflict",
            _("同一身份证号在文件中对应不同姓名"),
        )
        self._reject_keys(
            "id_number",
            f"""SELECT s.id_number AS k FROM import_stage s JOIN {self.t["person"]} p
            ON p.id_number = s.id_number AND p.name <> s.name""",
            col("name"),
            "id_name_mismatch",
            _("该身份证号已登记的姓名与本行姓名不一致"),
        )
        # Only now are copies counted as duplicates: a copy of a row rejected above was rejected with it,
        # so that the report lists every row that was not imported.
        duplicate = self.sql(
            f"""DELETE FROM import_stage WHERE {in_multi} AND row_no NOT IN
            (SELECT MIN(row_no) FROM import_stage WHERE {in_multi} GROUP BY certificate_no)"""
        )
        self._add_people()
        updated = self._update_certificates()
        created = self._add_certificates()
        self.sql(
            f"""INSERT INTO {self.t["rejection"]} (batch_id, row_number, "column", code, message)
            SELECT %s, row_no, col, code, message FROM import_reject""",
            [self.batch.pk],
        )
        staged = self.scalar("SELECT COUNT(*) FROM import_stage")
        return {
            "created": created,
            "updated": updated,
            "unchanged": staged - created - updated,
            "duplicate": duplicate,
            "rejected": self.scalar("SELECT COUNT(DISTINCT row_no) FROM import_reject"),
        }

    def _add_people(self) -> None:
        """New ID numbers become people (one name each: conflicting names were rejected above)."""
        person, now = self.t["person"], self.now
        self.sql(
            f"""INSERT INTO {person} (id_number, name, created_at, updated_at)
            SELECT DISTINCT id_number, name, %s, %s FROM import_stage s
            WHERE NOT EXISTS (SELECT 1 FROM {person} p WHERE p.id_number = s.id_number) ORDER BY id_number""",
            [now, now],
        )

    def _staged(self) -> str:
        """The staged rows with their person's id (every staged ID number has a person by now)."""
        return f"""(SELECT s.certificate_no, p.id AS holder_id, s.post_id, s.issued_on, s.issuer, s.status
            FROM import_stage s JOIN {self.t["person"]} p ON p.id_number = s.id_number)"""

    def _update_certificates(self) -> int:
        """Certificates whose data changed: the old values into the history, then the new ones in place."""
        t, now, batch = self.t, self.now, self.batch.pk
        differs = """c.holder_id <> s.holder_id OR c.post_id <> s.post_id OR c.issued_on <> s.issued_on
            OR c.issuer <> s.issuer OR c.status <> s.status"""
        updated = self.sql(
            f"""INSERT INTO {t["change"]} (certificate_id, batch_id, changed_at, holder_id, post_id, issued_on,
            issuer, status) SELECT c.id, %s, %s, c.holder_id, c.post_id, c.issued_on, c.issuer, c.status
            FROM {t["cert"]} c JOIN {self._staged()} s ON s.certificate_no = c.certificate_no WHERE ({differs})""",
            [batch, now],
        )
        if updated:
            self.sql(
                f"""UPDATE {t["cert"]} AS c SET holder_id = s.holder_id, post_id = s.post_id,
                issued_on = s.issued_on, issuer = s.issuer, status = s.status, updated_at = %s, last_batch_id = %s
                FROM {self._staged()} s WHERE s.certificate_no = c.certificate_no AND ({differs})""",
                [now, batch],
            )
        return updated

    def _add_certificates(self) -> int:
        t, now, batch = self.t, self.now, self.batch.pk
        return self.sql(
            f"""INSERT INTO {t["cert"]} (certificate_no, holder_id, post_id, issued_on, issuer, status,
            created_at, updated_at, last_batch_id) SELECT s.certificate_no, s.holder_id, s.post_id, s.issued_on,
            s.issuer, s.status, %s, %s, %s FROM {self._staged()} s
            WHERE NOT EXISTS (SELECT 1 FROM {t["cert"]} c WHERE c.certificate_no = s.certificate_no)""",
            [now, now, batch],
        )

    def rejections(self) -> Iterable[tuple]:
        self.cursor.execute("SELECT row_no, col, code, message FROM import_reject ORDER BY row_no")
        while chunk := self.cursor.fetchmany(5000):
            yield from chunk
