"""Formula injection: every cell a spreadsheet would run is defused, and import undoes it."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_access.records.csv_safe import FORMULA_STARTS, neutralise, restore, to_safe_csv


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=cmd|' /C calc'!A0", "'\t=cmd|' /C calc'!A0"),
        ("\r=1", "'\r=1"),
        ("Thought record", "Thought record"),
        ("'quoted already", "'quoted already"),
        ("", ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_gets_a_leading_apostrophe(cell: str, written: str):
    assert neutralise(cell) == written
    assert restore(written) == cell


def test_numbers_and_empty_cells_are_left_alone():
    assert neutralise(-3) == -3
    assert neutralise(None) is None


def test_the_csv_file_holds_no_cell_a_spreadsheet_would_evaluate():
    frame = pd.DataFrame(
        {
            "=header": ["ok"] * 6,
            "instructions": ['=HYPERLINK("http://evil")', "+1", "-1", "@x", "\tx", "\rx"],
            "score": [1, 2, 3, 4, 5, 6],
        }
    )
    rows = list(csv.reader(io.StringIO(to_safe_csv(frame).decode("utf-8"), newline="")))
    assert rows[0] == ["'=header", "instructions", "score"]
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert [row[1] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil")',
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
    ]


@given(st.text())
def test_restore_undoes_neutralise_for_any_text(value: str):
    assert restore(neutralise(value)) == value
