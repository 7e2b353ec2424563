"""Reference figures from other populations, from the editable `data/reference_figures.csv`.

They are shown beside the practice's own figures for context, never as targets. Each row has
its source and year; a row whose value is blank was not found and says so in its note.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FIGURES_FILE = Path(__file__).resolve().parents[2] / "data" / "reference_figures.csv"


def reference_figures(path: Path = FIGURES_FILE) -> pd.DataFrame:
    """Every figure in the file. Columns: key, figure, value, population, source, year, url,
    note (text; blank cells are empty strings)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


HOMEWORK_R = "Homework compliance and outcome (r)"  # the file's `figure` of those rows


def homework_correlations(figures: pd.DataFrame) -> pd.DataFrame:
    """The published homework–outcome correlations in `figures` that have a value, in file
    order (shown beside the practice's own r)."""
    rows = figures[(figures["figure"] == HOMEWORK_R) & (figures["value"] != "")]
    return rows.reset_index(drop=True)
