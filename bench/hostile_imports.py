"""The three hostile import files of the security review, and what checking them costs.

`python -m bench.hostile_imports` builds each file, then checks and previews it in a fresh
process (as the Data page does) and prints the seconds taken and how far the process's resident
memory rose above where it stood before the file was read.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

SHARED_STRING_BYTES = 300 * 1024 * 1024
WIDE_CSV_COLUMNS = 1_000_000
EMPTY_ROW_BYTES = 1024 * 1024

_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def shared_string_xlsx(expanded: int = SHARED_STRING_BYTES) -> bytes:
    """A small .xlsx whose one shared string unpacks to `expanded` bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/worksheets/sheet1.xml", _SHEET)
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
            )
            chunk = b"A" * (1 << 20)
            for _ in range(expanded // len(chunk)):
                strings.write(chunk)
            strings.write(b"</t></si></sst>")
    return buffer.getvalue()


def wide_csv(columns: int = WIDE_CSV_COLUMNS) -> bytes:
    """A CSV whose header has `columns` columns (about 10 MB for a million)."""
    return ",".join(f"c{i}" for i in range(columns)).encode() + b"\n1\n"


def empty_cells_csv(row_bytes: int = EMPTY_ROW_BYTES) -> bytes:
    """A scores CSV whose one data row ends in `row_bytes` commas (empty cells)."""
    return (
        b"client_code,measure,score,recorded_on\nC-1,PHQ-9,5,2026-01-05" + b"," * row_bytes + b"\n"
    )


HOSTILE = {
    "shared-string xlsx": ("xlsx", shared_string_xlsx),
    "1,000,000-column CSV": ("csv", wide_csv),
    "1 MB row of empty cells": ("csv", empty_cells_csv),
}


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def measure(path: Path, fmt: str, database_url: str) -> dict[str, object]:
    """Check and preview the file as the Data page does: seconds, RSS rise, first problem."""
    from data_access.records.import_reading import preview
    from data_access.records.importer import import_file
    from data_access.store.engine import new_engine

    engine = new_engine(database_url)
    warm_up = b"client_code,measure,score,recorded_on\n"
    import_file(engine, "scores", warm_up, viewer=None, dry_run=True)  # first-use imports
    preview(shared_string_xlsx(1 << 20), "scores", "xlsx")
    data = path.read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) restarts from here
    before = _rss_kib("VmRSS")
    start = time.perf_counter()
    result = import_file(engine, "scores", data, viewer=None, fmt=fmt, dry_run=True)
    shown = preview(data, "scores", fmt)
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 3),
        "rss_rise_mb": round((_rss_kib("VmHWM") - before) / 1024, 1),
        "file_kb": round(len(data) / 1024),
        "refused": not result.ok,
        "problem": str(result.problems[0]) if result.problems else "",
        "preview_rows": 0 if shown is None else len(shown),
    }


def measure_in_fresh_process(name: str, database_url: str) -> dict[str, object]:
    """Build the named hostile file and measure it in a new Python process."""
    fmt, build = HOSTILE[name]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"hostile.{fmt}"
        path.write_bytes(build())
        code = (
            "import json, sys; from pathlib import Path; from bench.hostile_imports import measure;"
            f"print(json.dumps(measure(Path({str(path)!r}), {fmt!r}, {database_url!r})))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    from data_access.store.engine import new_engine
    from data_access.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/hostile.db"
        upgrade(new_engine(url))
        for name in HOSTILE:
            print(name, json.dumps(measure_in_fresh_process(name, url)))


if __name__ == "__main__":
    main()
