import json
from datetime import date

from sitecert import clock
from sitecert.commandkit import SitecertCommand, day
from sitecert.duty.nightly import evaluate
from sitecert.duty.reminders import send_reminders


class Command(SitecertCommand):
    help = (
        "评估后向学时不足的持证人员及其单位管理员发送提醒（每个提醒点只发一次，可重复运行）。"
        "Evaluate, then remind holders short of hours and their employers' administrators (each point once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=day, help="按该日（默认今天）/ as of this day (default today)")

    def handle(self, *args, as_of: date | None, **options):
        as_of = as_of or clock.today()
        evaluate(as_of=as_of, now=clock.now())  # reminders read the figures as of today
        result = send_reminders(as_of=as_of, now=clock.now())
        self.stdout.write(
            f"{as_of}：新提醒 {result.recorded}，持证人 {result.holders}，单位管理员 {result.employers}，未送达 {result.undelivered}"
        )
        self.stdout.write(
            json.dumps(
                {
                    "as_of": as_of.isoformat(),
                    "recorded": result.recorded,
                    "holders": result.holders,
                    "employers": result.employers,
                    "undelivered": result.undelivered,
                    "by_point": {str(k): v for k, v in sorted(result.by_point.items())},
                }
            )
        )
