"""Benchmark of e-certificates (run on demand), one database, one run, the same data for every figure:

1. issuance: N holders whose old certificates have their hours and pass, exchanged by `exchange_run`
   (decide in SQL, sign a credential and a QR token each, store, audit): certificates per second;
2. PDF: sitecert's render (reportlab, CJK subset, QR) plus its PAdES seal (pyHanko), against WeasyPrint
   rendering an equivalent HTML certificate with the same font and QR image: documents per second;
3. verification through the HTTP stack (gunicorn, keep-alive asyncio client) against the same server's
   trivial endpoint /api/v1/health, requests per second: as a site gate's phone scans a QR code (the page
   its link opens, GET /verify/?t={token}) and as a program asks (GET /api/v1/verify/{number});
4. offline verification: signature checks of QR tokens with the JWKS only, per second.
Prints a table, then one JSON line.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import PYTHON, Engine, alternate, health_requests, migrate, run, serve

DOCUMENTS = 40


def setup_worker(holders: int, out: Path, keys: Path) -> None:
    os.environ["SIGNING_KEY_DIR"] = str(keys)
    os.environ["CERTIFICATE_PDF_DIR"] = str(keys.parent / "pdf")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django

    django.setup()
    results = {"issued_per_s": _issuance(holders)}
    results.update(_documents())
    results["offline_per_s"] = _offline()

    from sitecert.certificates.models import CertificateVersion, ECertificate

    numbers = list(ECertificate.objects.order_by("?").values_list("number", flat=True)[:500])
    tokens = list(
        CertificateVersion.objects.filter(certificate__number__in=numbers).values_list("qr_token", flat=True)
    )
    out.write_text(json.dumps({**results, "numbers": numbers, "tokens": tokens}))


def _issuance(holders: int) -> float:
    from datetime import date

    from django.utils import timezone

    from sitecert.certificates.exchange import exchange_run
    from sitecert.certificates.keys import key_generate
    from sitecert.learning.models import Course, HourEntry
    from sitecert.learning.records import records_begin, records_of_legacies
    from sitecert.lib.uscc import build as build_uscc
    from sitecert.people.models import Organisation
    from sitecert.registry import demo
    from sitecert.registry.models import LegacyCertificate, Person, Post

    now, rng = timezone.now(), random.Random(5)
    key_generate(now=now, actor="bench")
    org = Organisation.objects.create(
        kind="institution", name="基准测试培训中心", uscc=build_uscc("52120000MJ0500001"), status="active"
    )
    courses = [
        Course.objects.create(
            institution=org, code=code, title=code, class_hours=hours, category=category, status="approved"
        )
        for code, hours, category in (("P", 22, "professional"), ("G", 10, "general"))
    ]
    post = Post.objects.get(code="safety")
    ids = {demo.id_number(rng) for _ in range(holders * 2)}
    people = Person.objects.bulk_create(
        [Person(id_number=i, name=demo.person_name(rng)) for i in list(ids)[:holders]], batch_size=5000
    )
    certs = LegacyCertificate.objects.bulk_create(
        [
            LegacyCertificate(
                certificate_no=f"TJ{n:010d}",
                holder=p,
                post=post,
                issued_on=date(2015, 5, 1),
                issuer="天津市住房和城乡建设委员会",
                status="valid",
                created_at=now,
                updated_at=now,
            )
            for n, p in enumerate(people)
        ],
        batch_size=5000,
    )
    records = {}
    for start in range(0, len(certs), 5000):  # PostgreSQL binds at most 65,535 parameters to a statement
        part = records_of_legacies(certs[start : start + 5000])
        records_begin(part.values(), now=now)
        records |= part
    HourEntry.objects.bulk_create(
        [
            HourEntry(
                record=records[c.pk],
                course=course,
                category=course.category,
                hours=course.class_hours,
                completed_on=date(2020, 10, 1),
                source="report",
                institution=org,
                assessment_score=80 if course.category == "professional" else None,
            )
            for c in certs
            for course in courses
        ],
        batch_size=5000,
    )
    started = time.perf_counter()
    result = exchange_run(as_of=date(2020, 12, 31), now=now)
    elapsed = time.perf_counter() - started
    assert result.issued == holders, result
    return holders / elapsed


def _documents() -> dict:
    import base64
    import io
    import shutil

    import weasyprint
    from django.conf import settings
    from django.utils import timezone
    from reportlab.graphics import renderSVG
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    from sitecert.certificates.credentials import qr_content
    from sitecert.certificates.models import ECertificate
    from sitecert.certificates.pdf import TITLE, certificate_pdf
    from sitecert.lib.idnumber import mask

    sample = list(ECertificate.objects.select_related("holder", "post", "legacy")[:DOCUMENTS])
    shutil.rmtree(settings.CERTIFICATE_PDF_DIR, ignore_errors=True)
    now = timezone.now()
    started = time.perf_counter()
    sizes = [len(certificate_pdf(ecert=e, now=now)) for e in sample]
    ours = len(sample) / (time.perf_counter() - started)
    font = settings.CJK_FONT_PATH
    started = time.perf_counter()
    for e in sample:
        version = e.versions.get()
        widget = QrCodeWidget(qr_content(version.qr_token), barLevel="M")
        drawing = Drawing(240, 240)
        drawing.add(widget)
        svg = base64.b64encode(renderSVG.drawToString(drawing).encode()).decode()
        rows = "".join(
            f"<tr><th>{k}</th><td>{v}</td></tr>"
            for k, v in (
                ("姓名", version.name),
                ("身份证号", mask(e.holder.id_number)),
                ("岗位", e.post),
                ("证书编号", e.number),
                ("发证日期", e.issued_on),
                ("发证机关", e.issuer),
            )
        )
        html = (
            f"<html><head><style>@font-face{{font-family:cjk;src:url(file://{font})}}"
            "@page{size:A4;margin:12mm}body{font-family:cjk;border:2px solid #000;padding:20mm}"
            f"</style></head><body><h1>{TITLE}</h1><table>{rows}</table>"
            f'<img src="data:image/svg+xml;base64,{svg}" width="220"></body></html>'
        )
        weasyprint.HTML(string=html).write_pdf(io.BytesIO())
    theirs = len(sample) / (time.perf_counter() - started)
    return {"pdf_per_s": ours, "weasyprint_per_s": theirs, "pdf_kib": sum(sizes) / len(sizes) / 1024}


def _offline() -> float:
    from sitecert.certificates.credentials import token_check
    from sitecert.certificates.keys import jwks, key_set
    from sitecert.certificates.models import CertificateVersion

    tokens = list(CertificateVersion.objects.values_list("qr_token", flat=True)[:5000])
    keys = key_set(jwks())  # what an offline scanner holds
    started = time.perf_counter()
    assert all(token_check(t, keys=keys.get).genuine for t in tokens)
    return len(tokens) / (time.perf_counter() - started)


def _verifications(numbers):
    while True:
        for number in numbers:
            yield f"GET /api/v1/verify/{number} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


# What a phone's browser sends when its camera opens a QR code's link.
PHONE = (
    "User-Agent: Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.0.0 Mobile Safari/537.36\r\nAccept: text/html,application/xhtml+xml\r\n"
    "Accept-Language: zh-CN,zh;q=0.9\r\nAccept-Encoding: gzip, deflate\r\n"
)


def _scans(tokens):
    while True:
        for token in tokens:
            yield f"GET /verify/?t={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n{PHONE}\r\n".encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--setup-worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_worker:
        holders, out, keys = args.setup_worker
        return setup_worker(int(holders), Path(out), Path(keys))
    with tempfile.TemporaryDirectory(prefix="sitecert-bench-") as tmp:
        engine = Engine(Path(tmp))
        url = engine.fresh("bench_certificates")
        migrate(url)
        out, keys = Path(tmp) / "out.json", Path(tmp) / "keys"
        _, peak, _ = run([PYTHON, __file__, "--setup-worker", str(args.holders), str(out), str(keys)], url)
        figures = json.loads(out.read_text())
        env = {"SIGNING_KEY_DIR": str(keys), "VERIFY_RATE": "1000000/s"}
        with serve(url, extra_env=env) as port:
            numbers, tokens = figures.pop("numbers"), figures.pop("tokens")
            kinds = {
                "health": health_requests,
                "scan": lambda i: _scans(tokens[i::4] or tokens),
                "verify": lambda i: _verifications(numbers[i::4] or numbers),
            }
            alternate(port, kinds, connections=args.connections, seconds=2, rounds=1)  # warm-up
            loads = alternate(
                port, kinds, connections=args.connections, seconds=args.seconds, database=engine
            )
    health, scan, verify = loads["health"], loads["scan"], loads["verify"]
    kind = "PostgreSQL" if engine.postgres else "SQLite"
    print(f"e-certificates, {kind}, {args.holders:,} holders (peak {peak} MiB in the setup process)")
    print(f"  issuance (decide, sign, store, audit) {figures['issued_per_s']:>9.0f} certificates/s")
    print(
        f"  PDF render + PAdES seal               {figures['pdf_per_s']:>9.1f} /s   "
        f"WeasyPrint HTML, unsealed {figures['weasyprint_per_s']:.1f} /s "
        f"(ratio {figures['pdf_per_s'] / figures['weasyprint_per_s']:.1f}x), {figures['pdf_kib']:.0f} KiB each"
    )
    print(
        f"  trivial endpoint                      {health.rate:>9.0f} /s   server CPU {health.cpu_ms:.2f} ms"
    )
    for load, label in ((scan, "a QR code scanned (the page)"), (verify, "verification by the API")):
        print(
            f"  {label:<37} {load.rate:>9.0f} /s   ({load.rate / health.rate:.2f} of it)  server CPU "
            f"{load.cpu_ms:.2f} ms ({health.cpu_ms / load.cpu_ms:.2f} of it)"
            f"{f'  PostgreSQL CPU {load.db_cpu_ms:.2f} ms' if engine.postgres else ''}  {load.counts}"
        )
    print(f"  offline signature checks              {figures['offline_per_s']:>9.0f} /s")
    print(
        json.dumps(
            {
                "engine": kind,
                "holders": args.holders,
                "health": round(health.rate),
                "verify": round(verify.rate),
                "scan": round(scan.rate),
                "health_cpu_ms": round(health.cpu_ms, 2),
                "verify_cpu_ms": round(verify.cpu_ms, 2),
                "scan_cpu_ms": round(scan.cpu_ms, 2),
                "verify_db_cpu_ms": round(verify.db_cpu_ms, 3),
                "scan_db_cpu_ms": round(scan.db_cpu_ms, 3),
                **{k: round(v, 1) for k, v in figures.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
