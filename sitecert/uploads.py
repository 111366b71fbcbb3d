"""Files people send: put on disk where the streaming readers (sitecert.lib.tabular) open them, read, or
refused as a whole with a reason its sender understands."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from sitecert.errors import DomainError
from sitecert.lib.tabular import Layout, MissingColumns, UnreadableFile, open_table


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


@contextmanager
def upload_on_disk(upload: UploadedFile) -> Iterator[Path]:
    """The upload in a temporary file that keeps its extension (the readers choose by it); removed after."""
    with tempfile.TemporaryDirectory(prefix="sitecert-upload-") as tmp:
        path = Path(tmp) / f"upload{Path(upload.name or '').suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path
