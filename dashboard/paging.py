"""Pages of a long list: which rows one page holds, and "showing 51–100 of 3,912" in words.

No Streamlit here (the pager widget is in dashboard/pager_ui.py), so the bounds are unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Window:
    """Rows start..stop (0-based, stop exclusive) of `total`, page `page` of `pages`."""

    start: int
    stop: int
    total: int
    page: int
    pages: int

    def words(self, noun: str) -> str:
        """'all 12 clinicians', 'showing 51–100 of 3,912 clients' or 'no clients'."""
        if self.total == 0:
            return f"no {noun}"
        if self.pages == 1:
            return f"all {self.total:,} {noun}"
        return f"showing {self.start + 1:,}–{self.stop:,} of {self.total:,} {noun}"


def window(total: int, per_page: int, page: int = 1) -> Window:
    """The rows of page `page` (clamped to 1..pages) when `total` rows go `per_page` a page."""
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Window(start, min(total, start + per_page), total, page, pages)


def rows_of(frame: pd.DataFrame, shown: Window) -> pd.DataFrame:
    """The rows of `frame` that one page shows."""
    return frame.iloc[shown.start : shown.stop]
