"""Reading an import file: CSV or .xlsx records, bounded, decoded and checked line by line,
the header matched to a format, and the preview of the first rows."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from data_access.records import formats
from data_access.records.csv_safe import restore
from data_access.records.file_limits import (
    MAX_COLUMNS,
    MAX_LINE_BYTES,
    TooCostly,
    check_xlsx,
    trimmed_width,
)
from data_access.records.import_result import FileProblem, Problem


def _lines(handle: BinaryIO) -> Iterator[str]:
    """Decoded lines, one at a time, so a wrong encoding is reported with its line number; a
    line longer than MAX_LINE_BYTES stops the file before it is held in memory."""
    number = 0
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise FileProblem(
                Problem(
                    number,
                    "",
                    "",
                    f"this line is longer than {MAX_LINE_BYTES // 1024} KB; no line of these "
                    "formats needs that many, so the file is refused",
                )
            )
        if number == 1:
            if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise FileProblem(
                    Problem(1, "", "", "the file is UTF-16 text; save it as CSV UTF-8 instead")
                )
            if raw.startswith(b"PK\x03\x04"):
                raise FileProblem(
                    Problem(1, "", "", "this is an Excel workbook, not CSV; name it .xlsx")
                )
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if b"\x00" in raw:
            raise FileProblem(
                Problem(number, "", "", "this line holds a NUL byte; the file is not CSV text")
            )
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = raw[exc.start]
            raise FileProblem(
                Problem(
                    number,
                    "",
                    "",
                    f"the file is not UTF-8 text (byte 0x{byte:02x} on this line, e.g. from "
                    "Windows-1252 or Latin-1); save it as CSV UTF-8 and import it again",
                )
            ) from None


def csv_records(handle: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) of each CSV record; quoted cells may span lines."""
    reader = csv.reader(_lines(handle))
    start = 1
    try:
        for cells in reader:
            yield start, _bounded(start, cells)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise FileProblem(Problem(start, "", "", f"the file is not readable CSV: {exc}")) from None


def _bounded(line: int, cells: list[str]) -> list[str]:
    """The row as read, when it has at most MAX_COLUMNS cells before its trailing empty ones;
    a wider row stops the file."""
    width = trimmed_width(cells)
    if width > MAX_COLUMNS:
        raise FileProblem(
            Problem(
                line,
                "",
                "",
                f"this line has {width:,} values; no format has more than {MAX_COLUMNS} columns, "
                "so the file is refused",
            )
        )
    return cells


def _cell_text(value: object) -> str:
    """An Excel cell as the text the CSV format would hold (dates ISO, whole numbers plain)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_records(handle: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the first worksheet, read in openpyxl's streaming mode once the
    workbook is known to stay within the bounds of `file_limits`."""
    from openpyxl import load_workbook

    not_xlsx = "the file is not an Excel .xlsx workbook; save it as .xlsx or CSV"
    try:
        check_xlsx(handle)
        book = load_workbook(handle, read_only=True, data_only=True)
    except TooCostly as exc:
        raise FileProblem(Problem(1, "", "", f"{exc}; the file is refused")) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise FileProblem(Problem(1, "", "", not_xlsx)) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a declared size is not trusted: rows are as long as they are
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, _bounded(number, [_cell_text(v) for v in values])
    except zipfile.BadZipFile:
        raise FileProblem(Problem(1, "", "", not_xlsx)) from None
    finally:
        book.close()


@contextmanager
def opened(source: bytes | str | Path) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as handle:
            yield handle


def count_lines(source: bytes | str | Path) -> int:
    """Lines in the file, for the progress bar's total (a fast binary scan)."""
    if isinstance(source, bytes | bytearray):
        return source.count(b"\n")
    count = 0
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def header_positions(kind: str, cells: list[str]) -> dict[str, int]:
    """Map each expected column to its position; misspelt, missing or extra columns fail."""
    expected = formats.KINDS[kind]
    names = [restore(c.strip()).lower() for c in cells]
    while names and names[-1] == "":
        names.pop()
    if len(names) == 1 and (";" in names[0] or "\t" in names[0]):
        separator = "semicolons (;)" if ";" in names[0] else "tabs"
        raise FileProblem(
            Problem(
                1,
                "",
                cells[0][:80],
                f"the columns are separated by {separator}; this import needs commas "
                "(in Excel: Save As › CSV UTF-8 (Comma delimited))",
            )
        )
    for other, columns in formats.KINDS.items():
        if other != kind and sorted(names) == sorted(columns):
            raise FileProblem(
                Problem(1, "", "", f"these are the columns of a {other} file, not of {kind}")
            )
    problems: list[Problem] = []
    unknown = [n for n in names if n not in expected]
    optional = formats.OPTIONAL_COLUMNS.get(kind, ())
    for column in expected:
        if column in names or column in optional:
            continue
        near = formats.nearest(column, unknown)
        if near is not None:
            unknown.remove(near)
            problems.append(Problem(1, near, near, f"unknown column; did you mean '{column}'?"))
        else:
            problems.append(Problem(1, column, "", "this column is missing"))
    for name in unknown:
        shown = name or "(empty)"
        problems.append(
            Problem(1, shown, name, f"unknown column; the columns are {', '.join(expected)}")
        )
    seen: set[str] = set()
    for name in names:
        if name in seen and name in expected:
            problems.append(Problem(1, name, name, "this column appears twice"))
        seen.add(name)
    if problems:
        raise FileProblem(*problems)
    return {column: names.index(column) for column in expected if column in names}


PREVIEW_ROWS = 10


def preview(source: bytes | str | Path, kind: str, fmt: str = "csv") -> pd.DataFrame | None:
    """The first PREVIEW_ROWS rows of the columns `kind` knows, as the file holds them, or None
    when the file is unreadable or names none of them; other columns are never shown."""
    try:
        with opened(source) as handle:
            records = xlsx_records(handle) if fmt == "xlsx" else csv_records(handle)
            first = next(records, None)
            if first is None:
                return None
            rows = [cells for _, cells in islice(records, PREVIEW_ROWS)]
    except FileProblem:
        return None
    names = [restore(c.strip()).lower() for c in first[1]]
    known = [c for c in formats.KINDS[kind] if c in names]
    if not known:
        return None
    positions = [names.index(c) for c in known]
    shaped = [[r[i] if i < len(r) else "" for i in positions] for r in rows]
    return pd.DataFrame(shaped, columns=known, dtype=object)
