import json
import sys
from datetime import date

from django.core.management.base import CommandError
from tqdm import tqdm

from sitecert import clock
from sitecert.certificates.exchange import exchange_run
from sitecert.commandkit import SitecertCommand, day
from sitecert.errors import DomainError


class Command(SitecertCommand):
    help = (
        "为所有符合条件的原证书换发电子证书。Issue every e-certificate due (catch-up after imports)."
        " Exit 0 when done or when every round has closed (nothing to do, the reason printed); 2 when refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=day, help="按该日判断（默认今天）/ decide as of this day")

    def handle(self, *args, as_of: date | None, **options):
        as_of = as_of or clock.today()
        bar = tqdm(unit="证", file=sys.stderr, disable=not sys.stderr.isatty())
        try:
            result = exchange_run(as_of=as_of, now=clock.now(), progress=bar.update)
        except DomainError as exc:
            if exc.code != "deadline_passed":
                raise CommandError(exc.message, returncode=2) from exc
            # A closed round is the normal state of every night after it: nothing to do, and a chained
            # nightly job goes on to the duty run.
            self.stdout.write(
                f"{as_of}：{exc.message}，无需换发 / the exchange round has closed: nothing to do"
            )
            self.stdout.write(
                json.dumps({"as_of": as_of.isoformat(), "candidates": 0, "issued": 0, "closed": True})
            )
            return
        finally:
            bar.close()
        self.stdout.write(f"{as_of}：符合条件 {result.candidates}，已换发 {result.issued}")
        self.stdout.write(
            json.dumps(
                {
                    "as_of": as_of.isoformat(),
                    "candidates": result.candidates,
                    "issued": result.issued,
                    "closed": False,
                }
            )
        )
