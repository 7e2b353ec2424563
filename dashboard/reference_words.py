"""Reference figures from other populations in words, from `data/reference_figures.csv`."""

from __future__ import annotations

import pandas as pd

from data_access.reads.reference import homework_correlations

REFERENCE_LABEL = "Reference figures from other populations (for context, not targets)"


def homework_reference_caption(figures: pd.DataFrame) -> str:
    """The published homework–outcome correlations as one caption, each with its population
    and citation; empty when the file holds none."""
    rows = homework_correlations(figures)
    if rows.empty:
        return ""
    parts = [f"r = {r.value} ({r.population}; {r.cite or r.source})" for r in rows.itertuples()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (
        "Reference figures from other populations, not targets: homework compliance and "
        f"outcome correlate at {listed}."
    )
