"""Files people send, and the one shape every upload pipeline (registry, roster, hour reports) reports in:
put on disk where the streaming readers (sitecert.lib.tabular) open them, read into numbered rows, or refused
as a whole with a reason its sender understands; then counted, with every rejected row's reasons."""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sitecert.errors import DomainError
from sitecert.lib.tabular import Layout, MissingColumns, UnreadableFile, open_table

COUNTS = {
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "unchanged": gettext_lazy("未变"),
    "duplicate": gettext_lazy("重复"),
    "rejected": gettext_lazy("拒绝"),
}
REPORT_HEADER = ("行号", "列", "原因代码", "说明")


class Rejection(NamedTuple):
    """Why a row was not taken: its number in the file (the header is row 1), the column, a code, a message."""

    row: int
    column: str
    code: str
    message: str


@dataclass
class UploadResult:
    """What an upload did: rows created, updated, unchanged (already there) and duplicate (repeated in the
    file), and the rejected rows with their reasons. A pipeline that keeps its rejections elsewhere (the
    registry's, in the database) gives their number of rows in `rejected_rows`."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    rejected_rows: int | None = None

    @property
    def rejected(self) -> int:
        if self.rejected_rows is not None:
            return self.rejected_rows
        return len({r.row for r in self.rejections})

    def reject(self, row: int, column: str, code: str, message: str) -> None:
        self.rejections.append(Rejection(row, column, code, message))

    @property
    def counts(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in COUNTS}

    def describe(self) -> str:
        """新增 3，更新 1，…: the counts in words."""
        return "，".join(f"{COUNTS[key]} {value}" for key, value in self.counts.items())


def report_write(rejections: Iterable[tuple], out: IO[str]) -> None:
    """The rejection report as CSV for Excel (the caller writes to a file opened with utf-8-sig, or puts a
    BOM first)."""
    writer = csv.writer(out)
    writer.writerow(REPORT_HEADER)
    writer.writerows(rejections)


class FileRefused(DomainError):
    """The whole file is refused and nothing is written."""

    def __init__(self, code: str, message: str):
        super().__init__(message, code=code, field="file")


def refusal(exc: UnreadableFile | MissingColumns) -> FileRefused:
    if isinstance(exc, MissingColumns):
        return FileRefused("columns", _("缺少必需的列：%(columns)s") % {"columns": "、".join(exc.missing)})
    messages = {
        "type": _("不支持的文件类型“%(detail)s”，请使用 .xlsx 或 .csv"),
        "encoding": _("无法识别文件编码，请使用 UTF-8 或 GB18030（GBK）保存"),
        "binary": _("文件含有二进制内容，不是文本 CSV"),
        "corrupt": _("无法读取 Excel 文件，文件可能已损坏"),
        "malformed": _("CSV 格式错误：第 %(detail)s 行附近有未闭合的引号或超长字段"),
        "empty": _("文件为空，没有表头行"),
    }
    return FileRefused(exc.code, messages[exc.code] % {"detail": exc.detail})


def read_small_table(
    path: Path, file_name: str, columns: dict, optional=(), max_rows: int = 50_000
) -> tuple[Layout, list]:
    """A whole file of modest size (a roster, a training report) as (layout, [(row number, cells)])."""
    try:
        table = open_table(path, file_name)
        layout = Layout.from_header(table.header, columns, optional)
        rows = list(table.rows)
    except (UnreadableFile, MissingColumns) as exc:
        raise refusal(exc) from exc
    if len(rows) > max_rows:
        raise FileRefused("too_many_rows", _("一次最多导入%(n)d行，请分批上传") % {"n": max_rows})
    return layout, rows


def read_records(
    path: Path, file_name: str, columns: dict, optional=(), max_rows: int = 50_000
) -> tuple[Layout, list[tuple[int, dict]]]:
    """A file of modest size as (layout, [(row number, {field: cell})]), for the pipelines that check rows
    one by one (rosters, hour reports)."""
    layout, numbered = read_small_table(path, file_name, columns, optional, max_rows)
    return layout, [(n, layout.record(row)) for n, row in numbered]


@contextmanager
def upload_on_disk(upload: UploadedFile) -> Iterator[Path]:
    """The upload in a temporary file that keeps its extension (the readers choose by it); removed after."""
    with tempfile.TemporaryDirectory(prefix="sitecert-upload-") as tmp:
        path = Path(tmp) / f"upload{Path(upload.name or '').suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path
