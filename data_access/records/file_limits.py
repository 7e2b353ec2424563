"""Bounds on what an uploaded file may cost to read, checked before the cost is paid.

A CSV is read line by line, so only the longest line and the widest row matter. An .xlsx is a
zip of XML: its sizes after unpacking are read from the zip's directory (Python's zipfile never
unpacks more than the directory says, and a lying entry fails its CRC), and its worksheets are
scanned with expat, counting cells without keeping them, before openpyxl reads anything.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO
from xml.parsers import expat

MAX_LINE_BYTES = 64 * 1024  # a CSV line; instructions are at most a few thousand characters
MAX_COLUMNS = 50  # cells in a row once trailing empty cells are dropped (formats have <= 10)
MAX_ROW_CELLS = 16_384  # cell elements in one worksheet row: Excel's own widest row
MAX_XLSX_CELLS = 1_000_000  # cell elements in all worksheets
MAX_XLSX_EXPANDED = 100 * 1024 * 1024  # bytes of all zip entries once unpacked
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024  # openpyxl keeps the shared strings in memory
MAX_ZIP_ENTRIES = 1_000
SCAN_CHUNK = 1 << 20


class TooCostly(Exception):
    """The file breaks one of the bounds; the message says which, in plain words."""


def trimmed_width(cells: list[str]) -> int:
    """How many cells remain once trailing empty (or blank) cells are dropped, in one pass."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


def check_xlsx(handle: BinaryIO) -> None:
    """Raise TooCostly when the workbook would unpack or parse beyond the bounds; rewinds."""
    with zipfile.ZipFile(handle) as book:
        entries = book.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise TooCostly(f"the workbook holds more than {MAX_ZIP_ENTRIES:,} parts")
        expanded = sum(e.file_size for e in entries)
        if expanded > MAX_XLSX_EXPANDED:
            raise TooCostly(
                f"the workbook unpacks to {expanded / 2**20:,.0f} MB, more than "
                f"{MAX_XLSX_EXPANDED // 2**20} MB; save it as CSV, or split it"
            )
        for entry in entries:
            if entry.filename.lower().endswith("sharedstrings.xml") and (
                entry.file_size > MAX_SHARED_STRINGS_BYTES
            ):
                raise TooCostly(
                    f"the workbook's text table unpacks to {entry.file_size / 2**20:,.0f} MB, "
                    f"more than {MAX_SHARED_STRINGS_BYTES // 2**20} MB; save it as CSV instead"
                )
        cells = 0
        for entry in entries:
            if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                with book.open(entry) as sheet:
                    cells += _count_cells(sheet, MAX_XLSX_CELLS - cells)
    handle.seek(0)


def _count_cells(sheet: BinaryIO, allowed: int) -> int:
    """Cell elements in one worksheet, stopping as soon as a row or the total is too wide."""
    parser = expat.ParserCreate()
    state = {"row": 0, "total": 0}

    def start(name: str, _attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            state["row"] = 0
        elif local == "c":
            state["row"] += 1
            state["total"] += 1
            if state["row"] > MAX_ROW_CELLS:
                raise TooCostly(f"a worksheet row has more than {MAX_ROW_CELLS:,} cells")
            if state["total"] > allowed:
                raise TooCostly(
                    f"the workbook has more than {MAX_XLSX_CELLS:,} cells; save it as CSV instead"
                )

    def no_doctype(*_args: object) -> None:
        raise TooCostly(
            "the workbook contains a document type declaration, which Excel never writes"
        )

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = no_doctype
    try:
        while chunk := sheet.read(SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise TooCostly("a worksheet of the workbook is not well-formed XML") from None
    return state["total"]
