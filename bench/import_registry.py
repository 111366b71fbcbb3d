"""Benchmark of the registry import (run on demand: `make bench`, or with scripts/with-postgres).

Same run, same rows: sitecert's `import-registry` on N generated rows (rate, peak memory); the database's
own bulk path with no validation as the ceiling (SQLite executemany into a bare table; PostgreSQL COPY);
and django-import-export importing a sample into the same model, as a Django user would. The engine is
DATABASE_URL's (PostgreSQL) or a temporary SQLite file. Prints a table, then one JSON line.
"""

import argparse
import csv
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, Engine, migrate, run


def generate(path: Path, rows: int) -> None:
    from sitecert.registry import demo

    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(demo.HEADER)
        writer.writerows(itertools.islice(demo.registry_rows(rows, seed=5), rows))


def generate_xlsx(path: Path, rows: int) -> None:
    """The same generated rows as an .xlsx (write-only openpyxl, as an export job would write it)."""
    from openpyxl import Workbook

    from sitecert.registry import demo

    book = Workbook(write_only=True)
    sheet = book.create_sheet("原证书")
    sheet.append(demo.HEADER)
    for row in itertools.islice(demo.registry_rows(rows, seed=5), rows):
        sheet.append(row)
    book.save(path)


def ceiling(engine: Engine, path: Path) -> float:
    """The database's own bulk load of the same file into a bare table: no validation, no index."""
    url = engine.fresh("bench_ceiling")
    columns = "certificate_no, name, id_number, post, specialty, issued_on, issuer, status"
    started = time.perf_counter()
    if engine.postgres:
        import psycopg

        with psycopg.connect(engine.dsn("bench_ceiling")) as conn:
            conn.execute(f"CREATE TABLE bare ({', '.join(c + ' text' for c in columns.split(', '))})")
            with (
                conn.cursor().copy(
                    f"COPY bare ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
                path.open("rb") as f,
            ):
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
    else:
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"CREATE TABLE bare ({columns})")
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            conn.executemany("INSERT INTO bare VALUES (?, ?, ?, ?, ?, ?, ?, ?)", reader)
        conn.commit()
        conn.close()
    return time.perf_counter() - started


def sitecert_import(engine: Engine, path: Path, name: str) -> tuple[float, int, dict]:
    url = engine.fresh(name)
    migrate(url)
    seconds, peak, out = run([PYTHON, "-m", "sitecert.cli", "import-registry", str(path)], url)
    return seconds, peak, json.loads(out.strip().splitlines()[-1])


def import_export(engine: Engine, path: Path) -> tuple[float, int, dict]:
    url = engine.fresh("bench_ie")
    migrate(url)
    _, peak, out = run([PYTHON, __file__, "--ie-worker", str(path)], url)
    result = json.loads(out.strip().splitlines()[-1])
    return result.pop("seconds"), peak, result


def ie_worker(path: Path) -> None:
    """django-import-export, configured as a Django user would to load the same file."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django

    django.setup()
    import tablib
    from django.utils import timezone
    from import_export import fields, resources, widgets

    from sitecert.lib.dates import parse_date
    from sitecert.lib.textnorm import clean, clean_name
    from sitecert.registry.models import LegacyCertificate, Person, Post
    from sitecert.registry.posts import PostResolver
    from sitecert.registry.rows import STATUS_WORDS

    posts = PostResolver()

    class CertificateResource(resources.ModelResource):
        certificate_no = fields.Field(attribute="certificate_no", column_name="证书编号")
        holder = fields.Field(
            attribute="holder", column_name="身份证号", widget=widgets.ForeignKeyWidget(Person, "id_number")
        )
        post = fields.Field(attribute="post", column_name="岗位", widget=widgets.ForeignKeyWidget(Post, "pk"))
        issued_on = fields.Field(
            attribute="issued_on", column_name="发证日期", widget=widgets.DateWidget("%Y-%m-%d")
        )
        issuer = fields.Field(attribute="issuer", column_name="发证机关")
        status = fields.Field(attribute="status", column_name="证书状态")

        class Meta:
            model = LegacyCertificate
            import_id_fields = ("certificate_no",)
            fields = ("certificate_no", "holder", "post", "issued_on", "issuer", "status")

        def before_import_row(self, row, **kwargs):
            number = clean(row["身份证号"]).upper()
            Person.objects.get_or_create(id_number=number, defaults={"name": clean_name(row["姓名"])})
            row["身份证号"] = number
            row["岗位"] = posts.resolve(clean(row["岗位"]), clean(row["专业"]))
            row["发证日期"] = parse_date(clean(row["发证日期"])).isoformat()
            row["证书状态"] = STATUS_WORDS[clean(row["证书状态"])]

        def before_save_instance(self, instance, row, **kwargs):
            now = timezone.now()
            instance.created_at = instance.created_at or now
            instance.updated_at = now

    with path.open(encoding="utf-8") as f:
        dataset = tablib.Dataset().load(f.read(), format="csv")
    started = time.perf_counter()
    result = CertificateResource().import_data(dataset, use_transactions=True)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, **{k.lower(): v for k, v in result.totals.items()}}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000, help="rows of the .xlsx measured (0: none)")
    parser.add_argument("--ie-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ie_worker:
        return ie_worker(args.ie_worker)
    with tempfile.TemporaryDirectory(prefix="sitecert-bench-") as tmp:
        workdir = Path(tmp)
        full, sample = workdir / "registry.csv", workdir / "sample.csv"
        generate(full, args.rows)
        generate(sample, args.sample)  # the first rows of the same generated registry
        engine = Engine(workdir)
        kind = "PostgreSQL" if engine.postgres else "SQLite"
        ceil = ceiling(engine, full)
        ours, ours_peak, ours_counts = sitecert_import(engine, full, "bench_sitecert")
        small, _, _ = sitecert_import(engine, sample, "bench_sitecert_sample")
        ie, ie_peak, ie_counts = import_export(engine, sample)
        if args.xlsx_rows:
            book = workdir / "registry.xlsx"
            generate_xlsx(book, args.xlsx_rows)
            xlsx, xlsx_peak, xlsx_counts = sitecert_import(engine, book, "bench_sitecert_xlsx")
    rate = {
        "ceiling": args.rows / ceil,
        "sitecert": args.rows / ours,
        "sitecert_sample": args.sample / small,
        "import_export": args.sample / ie,
    }
    print(f"registry import, {kind}, {args.rows:,} rows (sample {args.sample:,}); rows per second")
    print(f"  ceiling ({'COPY' if engine.postgres else 'executemany'}, bare table) {rate['ceiling']:>12,.0f}")
    print(
        f"  sitecert import-registry              {rate['sitecert']:>12,.0f}   peak {ours_peak} MiB  {ours_counts}"
    )
    print(f"  sitecert on the sample                {rate['sitecert_sample']:>12,.0f}")
    print(
        f"  django-import-export on the sample    {rate['import_export']:>12,.0f}   peak {ie_peak} MiB  {ie_counts}"
    )
    if args.xlsx_rows:
        rate["sitecert_xlsx"] = args.xlsx_rows / xlsx
        print(
            f"  sitecert, {args.xlsx_rows:,}-row .xlsx       {rate['sitecert_xlsx']:>12,.0f}   "
            f"peak {xlsx_peak} MiB  {xlsx:.1f} s  {xlsx_counts}"
        )
    print(f"  sitecert / ceiling       {rate['sitecert'] / rate['ceiling']:.3f}   (target >= 0.2)")
    print(f"  sitecert / import-export {rate['sitecert'] / rate['import_export']:.1f}   (target >= 20)")
    print(
        json.dumps(
            {
                "engine": kind,
                "rows": args.rows,
                "peak_mib": ours_peak,
                **({"xlsx_rows": args.xlsx_rows, "xlsx_peak_mib": xlsx_peak} if args.xlsx_rows else {}),
                **{k: round(v) for k, v in rate.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
