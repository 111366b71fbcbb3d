import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from sitecert import clock
from sitecert.commandkit import SitecertCommand, day
from sitecert.registry.importing import registry_import
from sitecert.uploads import FileRefused

LOG_EVERY = 100_000


class Command(SitecertCommand):
    help = "导入原证书库文件（.xlsx 或 .csv）。Import a registry file of old certificates."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--report", type=Path, help="拒绝报告 CSV 的保存路径 / where to write the rejection report"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查，不写入 / check only, write nothing"
        )
        parser.add_argument("--as-of", type=day, help="导入日（默认今天）/ the import day")

    def handle(self, *args, file: Path, report: Path | None, dry_run: bool, as_of: date | None, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}", returncode=2)
        _opened(file, "rb").close()  # the command runs as the service user (docs/deployment.md, "Configure")
        out = _opened(report, "w") if report else None
        progress, close = self._progress(merging="正在检查" if dry_run else "正在写入")
        try:
            result = registry_import(
                path=file,
                today=as_of or clock.today(),
                now=clock.now(),
                dry_run=dry_run,
                report=out,
                progress=progress,
            )
        except FileRefused as exc:
            raise CommandError(exc.message, returncode=2) from exc  # the message names the file
        finally:
            close()
            if out:
                out.close()
        for note in result.notes:
            self.stdout.write(note)
        prefix = "试运行（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{prefix}：{result.describe()}")
        self.stdout.write(json.dumps(result.counts))

    def _progress(self, merging: str):
        """A bar on a terminal; plain lines in logs (every LOG_EVERY rows and at each phase). A dry run checks
        what it would write, and says so."""
        if sys.stderr.isatty():
            bar = tqdm(unit="行", file=sys.stderr, dynamic_ncols=True)

            def update(phase: str, rows: int) -> None:
                bar.set_description(merging if phase == "merge" else "读取")
                bar.update(rows - bar.n)

            return update, bar.close

        logged = {"rows": 0}

        def log(phase: str, rows: int) -> None:
            if phase == "merge" or rows == 0 or rows - logged["rows"] >= LOG_EVERY or logged["rows"] == 0:
                logged["rows"] = rows
                word = merging if phase == "merge" else "已读取"
                print(f"{word} {rows} 行", file=sys.stderr, flush=True)

        return log, lambda: None


def _opened(path: Path, mode: str):
    """The file opened, or a refusal naming it and why (as the service user, a root-only folder is out of reach)."""
    try:
        return path.open(mode, **({} if "b" in mode else {"encoding": "utf-8-sig", "newline": ""}))
    except OSError as exc:
        raise CommandError(f"无法打开文件 / cannot open {path}: {exc.strerror}", returncode=2) from exc
