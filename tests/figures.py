"""Reading a plotly figure's words as a person sees them: lines that plotly breaks with <br>
(titles wrapped to fit a phone, dashboard/theme.py) read as one line of words."""

from __future__ import annotations


def words(text: str | None) -> str:
    """`text` with its line breaks read as spaces."""
    return (text or "").replace("<br>", " ")


def title(fig) -> str:  # noqa: ANN001 - a plotly Figure
    """The figure's title as one line."""
    return words(fig.layout.title.text)
