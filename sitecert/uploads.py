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
from sitecert.lib.sheetcells import csv_row
from sitecert.lib.tabular import HEADER_ROWS, Layout, Limits, MissingColumns, UnreadableFile, open_table

# What a web upload may be. A roster or an hour report of 50,000 rows is a few megabytes; the registry's admin
# upload passes its own, larger limits.
UPLOAD_MAX_BYTES = 20 << 20
SMALL_TABLE_LIMITS = Limits(rows=50_000, unpacked=256 << 20)

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
    writer.writerows(map(csv_row, rejections))  # messages quote the file's cells: never formulas


class FileRefused(DomainError):
    """The whole file is refused and nothing is written."""

    def __init__(self, code: str, message: str):
        super().__init__(message, code=code, field="file")


def refusal(exc: UnreadableFile | MissingColumns, file_name: str = "") -> FileRefused:
    """The whole file refused, in words that name the file, the sheet and row or column, and what to do."""
    prefix = _("文件“%(name)s”：") % {"name": file_name} if file_name else ""
    if isinstance(exc, MissingColumns):
        return FileRefused("columns", prefix + _columns_message(exc))
    messages = {
        "type": _("不支持的文件类型“%(detail)s”，请使用 .xlsx 或 .csv"),
        "encoding": _(
            "无法识别文件编码，请使用 UTF-8、GB18030（GBK）或 UTF-16（Excel 的“Unicode 文本”）保存"
        ),
        "binary": _("文件含有二进制内容，不是文本 CSV；Excel 文件请保存为 .xlsx"),
        "corrupt": _("无法读取 Excel 文件，文件可能已损坏；请用 Excel 或 WPS 打开后另存为 .xlsx"),
        "malformed": _("CSV 格式错误：第 %(detail)s 行附近有未闭合的引号或超长字段"),
        "empty": _("文件为空，没有表头行"),
        "too_large": _(
            "Excel 文件解压后过大（%(detail)s），请删除多余的工作表、格式或空行后重新保存，或分批上传"
        ),
        "bomb": _(
            "Excel 文件的压缩比异常（%(detail)s），不是正常保存的表格，已拒绝；请用 Excel 或 WPS 重新另存为 .xlsx"
        ),
        "too_many_rows": _("一次最多导入%(detail)s行（空行也计入），请分批上传或删除多余的空行"),
    }
    return FileRefused(exc.code, prefix + messages[exc.code] % {"detail": exc.detail})


def _columns_message(exc: MissingColumns) -> str:
    columns = "、".join(exc.missing)
    if exc.row is not None:
        return _("%(where)s第%(row)d行像是表头，但缺少必需的列：%(columns)s；请检查列名") % {
            "where": exc.where,
            "row": exc.row + 1,
            "columns": columns,
        }
    if exc.where:
        return _("在%(where)s中没有找到表头行：表头应包含 %(columns)s；请把表头放在前%(n)d行内") % {
            "where": exc.where,
            "columns": columns,
            "n": HEADER_ROWS,
        }
    return _("缺少必需的列：%(columns)s") % {"columns": columns}


def id_excel_message() -> str:
    """Why a row's ID number cannot be read: a spreadsheet stored it as a number (issue 14)."""
    return _("身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出")


def read_small_table(
    path: Path, file_name: str, columns: dict, optional=(), max_rows: int = 50_000
) -> tuple[Layout, list]:
    """A whole file of modest size (a roster, a training report) as (layout, [(row number, cells)]).

    The row limit is counted while the file streams: a file past it stops being read there."""
    limits = Limits(rows=max_rows, unpacked=SMALL_TABLE_LIMITS.unpacked, ratio=SMALL_TABLE_LIMITS.ratio)
    try:
        table = open_table(path, file_name, columns=columns, optional=optional, limits=limits)
        rows = list(table.rows)
    except (UnreadableFile, MissingColumns) as exc:
        raise refusal(exc, file_name) from exc
    assert table.layout is not None
    return table.layout, rows


def read_records(
    path: Path, file_name: str, columns: dict, optional=(), max_rows: int = 50_000
) -> tuple[Layout, list[tuple[int, dict]]]:
    """A file of modest size as (layout, [(row number, {field: cell})]), for the pipelines that check rows
    one by one (rosters, hour reports)."""
    layout, numbered = read_small_table(path, file_name, columns, optional, max_rows)
    return layout, [(n, layout.record(row)) for n, row in numbered]


@contextmanager
def upload_on_disk(upload: UploadedFile, max_bytes: int = UPLOAD_MAX_BYTES) -> Iterator[Path]:
    """The upload in a temporary file that keeps its extension (the readers choose by it); removed after.

    Refused before a byte is parsed when it is larger than `max_bytes`."""
    name = upload.name or ""
    too_large = FileRefused(
        "too_large",
        _("文件“%(name)s”超过 %(mb)d MB，请分批上传") % {"name": name, "mb": max_bytes >> 20},
    )
    if upload.size is not None and upload.size > max_bytes:
        raise too_large
    with tempfile.TemporaryDirectory(prefix="sitecert-upload-") as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        written = 0
        with path.open("wb") as out:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > max_bytes:
                    raise too_large
                out.write(chunk)
        yield path
