"""Imports cost bounded time and memory: the hostile files of the security review are refused at
once with a plain reason, wide rows and huge workbooks stop before they are held in memory, and
the preview shows ten rows of the known columns only."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Engine

from bench.hostile_imports import HOSTILE, measure_in_fresh_process
from data_access.records import file_limits, importer
from data_access.records.file_limits import trimmed_width
from data_access.records.import_reading import preview
from data_access.records.importer import import_file

SCORES = "client_code,measure,score,recorded_on"


def _reasons(result) -> list[str]:  # noqa: ANN001 - ImportResult
    return [p.reason for p in result.problems]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_file_is_refused_within_5_s_and_100_mb(
    name: str, sqlite_engine: Engine
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    cost = measure_in_fresh_process(name, url)
    assert cost["refused"], cost
    assert cost["seconds"] < 5, cost
    assert cost["rss_rise_mb"] < 100, cost
    assert cost["preview_rows"] == 0
    assert "the file is refused" in cost["problem"]


def test_a_row_wider_than_50_values_stops_the_file(sqlite_engine: Engine) -> None:
    # 4 values, 60 more, and a trailing empty cell that does not count: 64.
    data = f"{SCORES}\nC-1,PHQ-9,5,2026-01-05,{'x,' * 60}\n".encode()
    result = import_file(sqlite_engine, "scores", data, viewer=None, dry_run=True)
    assert _reasons(result) == [
        "this line has 64 values; no format has more than 50 columns, so the file is refused"
    ]


def test_trailing_empty_cells_are_dropped_as_before(sqlite_engine: Engine) -> None:
    # 20,000 trailing commas: within the line bound, dropped in one pass, then checked as usual.
    data = f"{SCORES}\nC-1,PHQ-9,5,2026-01-05{',' * 20_000}\n".encode()
    result = import_file(sqlite_engine, "scores", data, viewer=None, dry_run=True)
    assert _reasons(result) == ["unknown client code"]


@given(st.lists(st.sampled_from(["", " ", "a", "0"]), max_size=30))
def test_trimmed_width_drops_exactly_the_trailing_blank_cells(cells: list[str]) -> None:
    naive = list(cells)
    while naive and not naive[-1].strip():
        naive.pop()
    assert trimmed_width(cells) == len(naive)


def _workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_too_many_cells_is_refused_before_reading(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_limits, "MAX_XLSX_CELLS", 100)
    data = _workbook([SCORES.split(",")] + [["C-1", "PHQ-9", i, "2026-01-05"] for i in range(30)])
    result = import_file(sqlite_engine, "scores", data, viewer=None, fmt="xlsx", dry_run=True)
    assert _reasons(result) == [
        "the workbook has more than 100 cells; save it as CSV instead; the file is refused"
    ]


def test_a_workbook_row_wider_than_excel_allows_is_refused(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_limits, "MAX_ROW_CELLS", 10)
    data = _workbook([SCORES.split(","), ["x"] * 11])
    result = import_file(sqlite_engine, "scores", data, viewer=None, fmt="xlsx", dry_run=True)
    assert _reasons(result) == ["a worksheet row has more than 10 cells; the file is refused"]


def test_the_preview_shows_ten_rows_of_the_known_columns_only() -> None:
    lines = [f"{SCORES},secret_notes"] + [f"C-{i},PHQ-9,{i},2026-01-05,private" for i in range(30)]
    shown = preview("\n".join(lines).encode(), "scores", "csv")
    assert list(shown.columns) == SCORES.split(",")
    assert len(shown) == 10
    assert "private" not in shown.to_string()
    assert preview(b"name,notes\nx,y\n", "scores", "csv") is None


def test_the_check_reaches_a_stop_point_every_batch_of_lines_even_when_none_is_good(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On the Data page each progress call draws the bar, which is where Streamlit stops the
    # work once the person has left the page.
    monkeypatch.setattr(importer, "BATCH_ROWS", 3)
    calls: list[int] = []
    data = (SCORES + "\n" + "x,y\n" * 10).encode()  # ten lines of the wrong width
    import_file(
        sqlite_engine,
        "scores",
        data,
        viewer=None,
        dry_run=True,
        progress=lambda _phase, done, _total: calls.append(done),
    )
    assert len(calls) >= 3
