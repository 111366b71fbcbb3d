"""Streaming reads of the spreadsheets people exchange: .xlsx, and delimited text (.csv, .tsv, .txt).

Files come as offices really make them (issue 14): title rows above the header, a hidden or an instructions
sheet first, a stale `<dimension>`, merged cells, export prefixes, line breaks inside cells, totals rows,
semicolons or tabs, Excel's UTF-16 "Unicode text". The reader finds the header row, reads every row that is
there and keeps each cell's type (a number stays a number: an ID number Excel turned into one has lost
digits, and only its type tells). Limits are checked before parsing and counted while streaming.

Delimited text may be UTF-8 (with or without BOM), GB18030/GBK, or UTF-16 with a BOM; the encoding is
decided from the whole file, so that a file whose first megabyte happens to be ASCII is still read right.
"""

import codecs
import csv
import hashlib
import re
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from sitecert.lib.textnorm import FOOTER_START, fix_text, header_key, is_footer, needs_fix
from sitecert.lib.xlsxparts import archive_problem, fill_merged, merged_down

_CHUNK = 1 << 20
HEADER_ROWS = 20  # how far down a sheet the header row is looked for
DELIMITERS = (",", "\t", ";")
DELIMITED = (".csv", ".tsv", ".txt")


class UnreadableFile(Exception):
    """The whole file is refused. `code` is one of: type, encoding, binary, corrupt, malformed, empty,
    too_large, bomb, too_many_rows."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


class MissingColumns(ValueError):
    """No header row with every required column. `where` says where it was looked for: the sheet and row of
    the best candidate (`row`), or the sheets searched when no row came close (`row` is None)."""

    def __init__(self, missing: list[str], *, where: str = "", row: int | None = None):
        super().__init__(missing)
        self.missing = missing
        self.where = where
        self.row = row


@dataclass(frozen=True)
class Limits:
    """What a file may be before it is parsed, and how many rows it may have while it is read."""

    rows: int | None = None  # data rows; blank rows count too, against twice this
    unpacked: int = 4 << 30  # an .xlsx's declared uncompressed size, all members together
    ratio: int = 100  # uncompressed / compressed of any member over 1 MiB (real sheets: 5 to 30)


@dataclass
class Layout:
    """Where each field stands in a file's rows, and what the file calls it.

    `columns` maps a field to the header names accepted for it, the first being the one reports use.
    """

    columns: dict[str, tuple[str, ...]]
    index: dict[str, int]
    label: dict[str, str]

    @classmethod
    def from_header(
        cls, header: Sequence[object], columns: dict[str, tuple[str, ...]], optional=()
    ) -> "Layout":
        layout = cls.match(header, columns)
        missing = [columns[k][0] for k in columns if k not in layout.index and k not in optional]
        if missing:
            raise MissingColumns(missing)
        return layout

    @classmethod
    def match(cls, header: Sequence[object], columns: dict[str, tuple[str, ...]]) -> "Layout":
        """The columns a row names, complete or not."""
        names = [header_key(h) for h in header]
        index, label = {}, {}
        for key, accepted in columns.items():
            for position, name in enumerate(names):
                if name in accepted:
                    index[key], label[key] = position, name
                    break
        return cls(columns, index, label)

    def column(self, key: str) -> str:
        return self.label.get(key, self.columns[key][0])

    def record(self, row: Sequence) -> dict[str, object]:
        """A row's cells by field (None where the row is short or the optional column is absent)."""
        return {key: row[i] if i < len(row) else None for key, i in self.index.items()}


@dataclass
class Table:
    header: list[object]
    rows: Iterator[tuple[int, Sequence]]  # (row number in the sheet or file, cell values)
    sha256: str
    total_rows: int | None  # an estimate for progress bars, when the format tells
    layout: Layout | None = None  # when the caller named its columns
    sheet: str | None = None  # the worksheet read, for an .xlsx
    header_row: int = 1
    notes: list[str] = field(default_factory=list)  # what was read where, rows skipped as footers


# -- cells ---------------------------------------------------------------------------------------------

_SUSPECT = re.compile(r"[\r\n'`=_]")  # one character class: a fast scan of a whole row


def _fix_cells(row: Sequence) -> Sequence:
    return [fix_text(c) if type(c) is str and needs_fix(c) else c for c in row]


# -- finding the header --------------------------------------------------------------------------------


@dataclass
class _Candidate:
    matched: int
    row: int
    place: str
    layout: Layout


def _find_header(head: Sequence[Sequence], columns, optional) -> tuple[int, Layout] | _Candidate | None:
    """The first of `head`'s rows that names every required column, as (its index, layout); else the row
    that named the most (two at least), or None."""
    required = [k for k in columns if k not in optional]
    best = None
    for i, row in enumerate(head):
        if not any(row):
            continue
        layout = Layout.match(row, columns)
        matched = sum(k in layout.index for k in required)
        if matched == len(required):
            return i, layout
        if matched >= 2 and (best is None or matched > best.matched):
            best = _Candidate(matched, i, "", layout)
    return best


def _missing(candidate: _Candidate, columns, optional) -> MissingColumns:
    missing = [columns[k][0] for k in columns if k not in candidate.layout.index and k not in optional]
    return MissingColumns(missing, where=candidate.place, row=candidate.row)


def _searched(columns, optional, places: list[str]) -> MissingColumns:
    names = [columns[k][0] for k in columns if k not in optional]
    return MissingColumns(names, where="、".join(places))


# -- rows ----------------------------------------------------------------------------------------------


def _numbered(
    rows: Iterable[Sequence], start: int, limits: Limits, notes: list[str], *, text: bool
) -> Iterator[tuple[int, Sequence]]:
    """Non-blank rows with their numbers; footers skipped with a note; the row limit counted as they come.

    Rows of delimited `text` that may need fix_text are fixed here, after a single search of the joined
    row; a file with no byte that calls for it (most) is not searched at all."""
    most = limits.rows if limits.rows is not None else sys.maxsize
    last = start + 2 * most + HEADER_ROWS if limits.rows is not None else sys.maxsize
    data, suspect, starts = 0, _SUSPECT.search, FOOTER_START
    for number, row in enumerate(rows, start):
        if number >= last:  # blank rows count too: a million of them is no file to read
            raise UnreadableFile("too_many_rows", str(most))
        if not any(row):  # a row of empty cells is a blank line, not data
            continue
        if text and suspect("\0".join(row)):
            row = _fix_cells(row)
        first = row[0] or next(filter(None, row), None)
        if type(first) is str and first[:1] in starts and is_footer(first):
            notes.append(f"第{number}行是合计或表尾说明，已跳过")
            continue
        data += 1
        if data > most:
            raise UnreadableFile("too_many_rows", str(most))
        yield number, row


# -- delimited text ------------------------------------------------------------------------------------


@dataclass
class _Scan:
    sha256: str
    encoding: str | None  # None when the text decodes as none of those read; "binary" for NUL bytes
    suspect: bool = True  # whether any cell may need fix_text (a quote, prefix or escape is in the file)


# Bytes without which no cell needs fix_text: a line break inside a cell needs a quoted field, and so does
# ="…"; ' and ` are the other prefixes; _x begins an OOXML escape.
_SUSPECT_BYTES = (b'"', b"'", b"`", b"_x")


def _scan(path: Path) -> _Scan:
    """SHA-256 of the file and the encoding of its text: UTF-8, GB18030, or UTF-16 with a BOM."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        start = f.read(4)
    if start.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _Scan(_digest(path), None)
    utf16 = start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))  # Excel's "Unicode text"
    names = ("utf-16",) if utf16 else ("utf-8", "gb18030")
    decoders = {name: codecs.getincrementaldecoder(name)() for name in names}
    nul, suspect = False, utf16
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            nul = nul or (not utf16 and b"\0" in chunk)
            suspect = suspect or any(b in chunk for b in _SUSPECT_BYTES)
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
        return _Scan(digest.hexdigest(), "binary")
    encoding = next(iter(decoders), None)
    return _Scan(digest.hexdigest(), "utf-8-sig" if encoding == "utf-8" else encoding, suspect)


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _open_delimited(path: Path, columns, optional, limits: Limits) -> Table:
    scan = _scan(path)
    sha, encoding = scan.sha256, scan.encoding
    if encoding == "binary":
        raise UnreadableFile("binary")
    if encoding is None:
        raise UnreadableFile("encoding")
    best: _Candidate | None = None
    for delimiter in DELIMITERS:
        f = path.open(encoding=encoding, newline="")
        reader = csv.reader(f, delimiter=delimiter)
        try:
            head = list(islice(reader, HEADER_ROWS))
        except csv.Error as exc:
            f.close()
            raise UnreadableFile("malformed", str(reader.line_num)) from exc
        if not head:
            f.close()
            raise UnreadableFile("empty")
        found = _header_in(head, columns, optional, delimiter)
        if isinstance(found, tuple):
            break
        f.close()
        if found is not None and (best is None or found.matched > best.matched):
            best = found
    else:
        if best is not None:
            raise _missing(best, columns, optional)
        raise _searched(columns, optional, [f"文件的前{HEADER_ROWS}行"])
    at, layout = found
    notes = [] if at == 0 and delimiter == "," else [_delimited_note(at + 1, delimiter)]
    rows = chain(head[at + 1 :], reader)

    def numbered() -> Iterator[tuple[int, Sequence]]:
        with f:
            try:
                yield from _numbered(rows, at + 2, limits, notes, text=scan.suspect)
            except csv.Error as exc:  # e.g. an unclosed quote swallowing the rest of the file
                raise UnreadableFile("malformed", str(reader.line_num)) from exc

    header = _fix_cells(head[at])
    return Table(list(header), numbered(), sha, None, layout, None, at + 1, notes)


def _header_in(head: list[list[str]], columns, optional, delimiter: str):
    if columns is not None:
        return _find_header(head, columns, optional)
    # No columns named: the first non-blank row is the header, split by the delimiter it has most of.
    at = next((i for i, r in enumerate(head) if any(r)), 0)
    line = delimiter.join(head[at])
    guess = max(DELIMITERS, key=line.count) if any(d in line for d in DELIMITERS) else ","
    return (at, None) if delimiter == guess else None


def _delimited_note(header_row: int, delimiter: str) -> str:
    name = {",": "逗号", "\t": "制表符", ";": "分号"}[delimiter]
    return f"表头在第{header_row}行，分隔符为{name}"


# -- xlsx ----------------------------------------------------------------------------------------------


def _open_xlsx(path: Path, columns, optional, limits: Limits) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        problem = archive_problem(path, unpacked=limits.unpacked, ratio=limits.ratio)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile("corrupt", str(exc)) from exc
    if problem:
        raise UnreadableFile(*problem)
    sha = _digest(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("corrupt", str(exc)) from exc
    try:
        return _read_book(book, sha, columns, optional, limits)
    except BaseException:
        book.close()
        raise


def _read_book(book, sha: str, columns, optional, limits: Limits) -> Table:
    visible = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
    sheets = visible or [book.active or book.worksheets[0]]
    best: _Candidate | None = None
    anything = False
    for sheet in sheets:
        estimate = sheet.max_row if (sheet.max_row or 0) > 1 else None
        sheet.reset_dimensions()  # WPS and streaming writers leave <dimension> at A1 or stale: read what is there
        cells = sheet.iter_rows(values_only=True)
        try:
            head = [_fix_cells(r) for r in islice(cells, HEADER_ROWS)]
        except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
            raise UnreadableFile("corrupt", str(exc)) from exc
        anything = anything or any(any(r) for r in head)
        found = _header_in_sheet(head, columns, optional)
        if isinstance(found, tuple):
            break
        if found is not None and (best is None or found.matched > best.matched):
            found.place = f"工作表“{sheet.title}”"
            best = found
    else:
        book.close()
        if best is not None:
            raise _missing(best, columns, optional)
        if not anything or columns is None:
            raise UnreadableFile("empty")
        places = [f"工作表“{s.title}”的前{HEADER_ROWS}行" for s in sheets]
        raise _searched(columns, optional, places)
    at, layout = found
    notes = [f"读取工作表“{sheet.title}”，表头在第{at + 1}行"]
    skipped = [s.title for s in book.worksheets if s is not sheet]
    if skipped:
        notes.append("未读取的工作表：" + "、".join(f"“{t}”" for t in skipped))
    merged = merged_down(book._archive, sheet._worksheet_path)
    body = fill_merged(chain(head[at + 1 :], map(_fix_cells, cells)), at + 2, merged, at + 1)

    def numbered() -> Iterator[tuple[int, Sequence]]:
        try:
            yield from _numbered(body, at + 2, limits, notes, text=False)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UnreadableFile("corrupt", str(exc)) from exc
        finally:
            book.close()

    total = estimate - at - 1 if estimate and estimate > at + 1 else None  # what <dimension> claims
    return Table(list(head[at]), numbered(), sha, total, layout, sheet.title, at + 1, notes)


def _header_in_sheet(head: list[Sequence], columns, optional):
    if columns is None:
        at = next((i for i, r in enumerate(head) if any(r)), None)
        return None if at is None else (at, None)
    return _find_header(head, columns, optional)


def open_table(
    path: Path | str,
    name: str | None = None,
    *,
    columns: dict[str, tuple[str, ...]] | None = None,
    optional: Iterable[str] = (),
    limits: Limits = Limits(),
) -> Table:
    """Open a table by its file name's extension (`name` when the path is a temporary upload).

    With `columns`, the header row is the first of the first HEADER_ROWS rows that names every required
    one (of the first visible sheet that has such a row), and `layout` says where each column stands;
    MissingColumns says what was looked for where when no row does. Without, the first non-blank row is
    the header.
    """
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    optional = tuple(optional)
    if suffix in DELIMITED:
        return _open_delimited(path, columns, optional, limits)
    if suffix == ".xlsx":
        return _open_xlsx(path, columns, optional, limits)
    raise UnreadableFile("type", suffix)
