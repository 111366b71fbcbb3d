import json
import sys
from datetime import date

from tqdm import tqdm

from sitecert import clock
from sitecert.certificates.models import ECertificate
from sitecert.commandkit import SitecertCommand, day
from sitecert.duty.nightly import evaluate


class Command(SitecertCommand):
    help = (
        "评估全部电子证书的年度继续教育义务，记录失效与状态变化（可重复运行）。"
        "Evaluate every e-certificate's yearly duty and record lapses and state changes (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=day, help="按该日评估（默认今天）/ evaluate as of this day")

    def handle(self, *args, as_of: date | None, **options):
        as_of = as_of or clock.today()
        total = ECertificate.objects.filter(status=ECertificate.Status.VALID).count()
        bar = tqdm(total=total, unit="证", file=sys.stderr, disable=not sys.stderr.isatty())
        try:
            result = evaluate(as_of=as_of, now=clock.now(), progress=bar.update)
        finally:
            bar.close()
        self.stdout.write(
            f"{as_of}：评估 {result.evaluated}，变化 {result.changed}，本次失效 {result.lapsed}"
        )
        self.stdout.write(
            json.dumps(
                {
                    "as_of": as_of.isoformat(),
                    "evaluated": result.evaluated,
                    "changed": result.changed,
                    "lapsed": result.lapsed,
                    "states": dict(result.states),
                }
            )
        )
