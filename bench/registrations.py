"""Benchmark of holder registration through the service layer (run on demand).

Registers N people (register, then confirm the SMS code: what the pages and the API call) on a fresh
database, once with the production password hasher (Argon2) and once with a trivial one (MD5), so that
the price of password hashing is a known figure. Prints a table, then one JSON line.
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
from bench.common import PYTHON, Engine, migrate, run

HASHERS = {
    "argon2": "django.contrib.auth.hashers.Argon2PasswordHasher",
    "md5": "django.contrib.auth.hashers.MD5PasswordHasher",
}


def worker(people: int, hasher: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = [HASHERS[hasher]]
    settings.SMS_BACKEND = "sitecert.people.sms.MemoryBackend"
    from django.utils import timezone

    from sitecert.people import services, sms
    from sitecert.registry import demo

    rng = random.Random(7)
    numbers: set[str] = set()
    while len(numbers) < people:  # distinct people: a repeated ID number would be refused, rightly
        numbers.add(demo.id_number(rng))
    started = time.perf_counter()
    for i, number in enumerate(sorted(numbers)):
        ticket = services.holder_register(
            name=demo.person_name(rng),
            id_number=number,
            mobile=f"137{i:08d}",
            password="Tianjin-2020-Site",
            now=timezone.now(),
        )
        code = sms.outbox.pop()[1].split("验证码 ")[1][:6]
        services.account_confirm_mobile(ticket=ticket, code=code, now=timezone.now())
    print(json.dumps({"seconds": time.perf_counter() - started}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(int(args.worker[0]), args.worker[1])
    rates = {}
    with tempfile.TemporaryDirectory(prefix="sitecert-bench-") as tmp:
        engine = Engine(Path(tmp))
        for hasher in HASHERS:
            url = engine.fresh(f"bench_register_{hasher}")
            migrate(url)
            _, _peak, out = run([PYTHON, __file__, "--worker", str(args.people), hasher], url)
            rates[hasher] = args.people / json.loads(out.strip().splitlines()[-1])["seconds"]
    kind = "PostgreSQL" if engine.postgres else "SQLite"
    cost_ms = 1000 / rates["argon2"] - 1000 / rates["md5"]
    print(f"holder registrations through the service layer, {kind}, {args.people:,} people")
    print(f"  with Argon2 (production)   {rates['argon2']:>8.1f} /s")
    print(f"  with MD5 (no real hashing) {rates['md5']:>8.1f} /s")
    print(f"  password hashing costs {cost_ms:.0f} ms of CPU per registration")
    print(json.dumps({"engine": kind, "people": args.people, **{k: round(v, 1) for k, v in rates.items()}}))


if __name__ == "__main__":
    main()
