"""Parts of an .xlsx that its reader (sitecert.lib.tabular, with openpyxl) must look at itself: the zip
directory, judged before anything is unpacked, and the merged ranges of a sheet."""

import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

_CHUNK = 1 << 20


def archive_problem(path: Path, *, unpacked: int, ratio: int) -> tuple[str, str] | None:
    """Why an .xlsx is refused from its zip directory alone, before anything is decompressed, as (code,
    detail); None when it may be read. Python's zipfile stops a member at its declared size (and fails its
    CRC beyond), so declared sizes bound what parsing costs. Raises zipfile.BadZipFile for no zip at all."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    for m in members:  # real sheets compress 5 to 30 times; a bomb about a thousand
        if m.file_size > 1 << 20 and m.file_size > ratio * max(m.compress_size, 1):
            return "bomb", f"{m.filename} {m.file_size // max(m.compress_size, 1)}:1"
    total = sum(m.file_size for m in members)
    if len(members) > 10_000 or total > unpacked:
        return "too_large", f"{total / (1 << 20):,.0f} MB"
    return None


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters:
        n = n * 26 + c - 64
    return n


def merged_down(archive: zipfile.ZipFile, member: str) -> dict[int, list[tuple[int, int]]]:
    """The sheet's merged ranges that span rows, as {first row: [(column index, last row)]}.

    They are listed after the rows, so they are found by a pass over the decompressed XML (a regular
    expression over chunks, no parsing) before the rows are read."""
    found: dict[int, list[tuple[int, int]]] = {}
    tail = b""
    with archive.open(member) as f:
        while chunk := f.read(_CHUNK):
            block = tail + chunk
            if b"mergeCell" in block:
                for m in _MERGE.finditer(block):
                    top, bottom = int(m[2]), int(m[4])
                    if bottom > top:
                        found.setdefault(top, []).append((_column_number(m[1]) - 1, bottom))
            tail = block[-200:]  # a range cut by the chunk's end is found whole in the next block
    return {top: sorted(set(ranges)) for top, ranges in found.items()}


def fill_merged(rows: Iterable[Sequence], start: int, merged: dict, after: int) -> Iterator[Sequence]:
    """A merged range's value in every row of the range (in its first column): the issuer merged down a
    block of rows belongs to each of them. Ranges that begin at or above the header row are not data."""
    merged = {top: ranges for top, ranges in merged.items() if top > after}
    if not merged:
        yield from rows
        return
    active: list[tuple[int, int, object]] = []  # (column, last row, value)
    for number, row in enumerate(rows, start):
        if active:
            active = [a for a in active if a[1] >= number]
            if active:
                row = list(row)
                for column, _last, value in active:
                    if column >= len(row):
                        row.extend([None] * (column + 1 - len(row)))
                    if row[column] is None or row[column] == "":
                        row[column] = value
        if number in merged:
            active += [(c, last, row[c] if c < len(row) else None) for c, last in merged[number]]
        yield row
