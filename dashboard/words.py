"""The words the pages build from the data layer's numbers, dates and codes.

Pure functions, unit-tested without Streamlit; the rules behind the numbers are in
docs/metrics.md.
"""

from __future__ import annotations

from data_access.records.undo import LastEntry

ENTRY_WORDS = {
    ("assignment", "set"): "homework set",
    ("assignment", "review"): "homework review",
    ("session", None): "session",
    ("scores", None): "scores",
}


def entry_words(entry: LastEntry) -> str:
    """What an entry was, for its undo button and confirmation: 'homework set of C-0001'."""
    what = ENTRY_WORDS.get((entry.kind, entry.action), entry.kind)
    return f"{what} of {entry.client_code}"
