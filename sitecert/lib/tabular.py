"""Streaming reads of the spreadsheets people exchange: .xlsx (first sheet) and .csv.

CSV files may be UTF-8 (with or without BOM) or GB18030/GBK; the encoding is decided from the whole
file, so that a file whose first megabyte happens to be ASCII is still read right.
"""

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitecert.lib.textnorm import clean

_CHUNK = 1 << 20


class UnreadableFile(Exception):
    """The whole file is refused. `code` is one of: type, encoding, binary, corrupt, malformed, empty."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class MissingColumns(ValueError):
    def __init__(self, missing: list[str]):
        super().__init__(missing)
        self.missing = missing


@dataclass
class Layout:
    """Where each field stands in a file's rows, and what the file calls it.

    `columns` maps a field to the header names accepted for it, the first being the one reports use.
    """

    columns: dict[str, tuple[str, ...]]
    index: dict[str, int]
    label: dict[str, str]

    @classmethod
    def from_header(cls, header: list[object], columns: dict[str, tuple[str, ...]], optional=()) -> "Layout":
        names = [clean(h).lower() for h in header]
        index, label = {}, {}
        for key, accepted in columns.items():
            for position, name in enumerate(names):
                if name in accepted:
                    index[key], label[key] = position, clean(header[position])
                    break
        missing = [columns[k][0] for k in columns if k not in index and k not in optional]
        if missing:
            raise MissingColumns(missing)
        return cls(columns, index, label)

    def column(self, key: str) -> str:
        return self.label.get(key, self.columns[key][0])

    def record(self, row: Sequence) -> dict[str, object]:
        """A row's cells by field (None where the row is short or the optional column is absent)."""
        return {key: row[i] if i < len(row) else None for key, i in self.index.items()}


@dataclass
class Table:
    header: list[object]
    rows: Iterator[tuple[int, Sequence]]  # (row number in the file, header being 1; cell values)
    sha256: str
    total_rows: int | None  # an estimate for progress bars, when the format tells


def _scan(path: Path) -> tuple[str, str | None]:
    """SHA-256 of the file and the encoding of its text, if it decodes as UTF-8 or GB18030."""
    digest = hashlib.sha256()
    decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "gb18030")}
    nul = False
    with path.open("rb") as f:
        if f.read(4).startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _digest(path), None  # UTF-16/32 ("Unicode text" exports): not an encoding we read
        f.seek(0)
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            nul = nul or b"\0" in chunk
            for name, decoder in list(decoders.items()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    del decoders[name]
    for name, decoder in list(decoders.items()):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    if nul:
        return digest.hexdigest(), "binary"
    encoding = next(iter(decoders), None)
    return digest.hexdigest(), ("utf-8-sig" if encoding == "utf-8" else encoding)


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _numbered(rows: Iterable[Sequence], start: int) -> Iterator[tuple[int, Sequence]]:
    for number, row in enumerate(rows, start):
        if any(row):  # a row of empty cells is a blank line, not data
            yield number, row


def _open_csv(path: Path) -> Table:
    sha, encoding = _scan(path)
    if encoding == "binary":
        raise UnreadableFile("binary")
    if encoding is None:
        raise UnreadableFile("encoding")
    f = path.open(encoding=encoding, newline="")
    reader = csv.reader(f)
    header = next(reader, None)
    if header is None:
        f.close()
        raise UnreadableFile("empty")

    def rows() -> Iterator[tuple[int, Sequence]]:
        with f:
            try:
                yield from _numbered(reader, 2)
            except csv.Error as exc:  # e.g. an unclosed quote swallowing the rest of the file
                raise UnreadableFile("malformed", str(reader.line_num)) from exc

    return Table(header=list(header), rows=rows(), sha256=sha, total_rows=None)


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    sha = _digest(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("corrupt", str(exc)) from exc
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    header = next(cells, None)
    if header is None:
        book.close()
        raise UnreadableFile("empty")

    def rows() -> Iterator[tuple[int, Sequence]]:
        try:
            yield from _numbered(cells, 2)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UnreadableFile("corrupt", str(exc)) from exc
        finally:
            book.close()

    total = sheet.max_row - 1 if sheet.max_row else None
    return Table(header=list(header), rows=rows(), sha256=sha, total_rows=total)


def open_table(path: Path | str, name: str | None = None) -> Table:
    """Open a table by its file name's extension (`name` when the path is a temporary upload)."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    if suffix == ".csv":
        return _open_csv(path)
    if suffix == ".xlsx":
        return _open_xlsx(path)
    raise UnreadableFile("type", suffix)
