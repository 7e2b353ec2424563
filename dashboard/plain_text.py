"""Codes, names and file names are data, never markup: escaping them for Streamlit and plotly.

Streamlit's markdown (titles, captions, messages, labels) would turn `[x](http://…)` into a link
and `![x](…)` into an outside image; plotly's labels understand `<a href>` and `<b>`. Every
user-supplied string shown in such a place goes through `md` or `plot` first.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

# Every mark that can begin markdown, HTML, a Streamlit directive (`:red[…]`, `:icon:`) or a
# GitHub autolink (`www.…`, `http://…`, `name@host.org`); `-` only matters at the start.
_MARKUP = "\\`*_{}[]()#+!<>|~:$.@"
_ESCAPES = str.maketrans({ch: "\\" + ch for ch in _MARKUP})


def md(text: object) -> str:
    """`text` with every markup mark backslash-escaped, so markdown shows it exactly as typed
    (no link, image, emphasis, directive or autolink), on one line."""
    escaped = " ".join(str(text).splitlines()).translate(_ESCAPES)
    return "\\" + escaped if escaped.startswith("-") else escaped


# Tags plotly draws that carry no link or outside request: a chart's own labels use them
# (`<br>` between a group and its counts), and a name holding them only changes its look.
_HARMLESS_TAGS = ("<br>", "<b>", "</b>", "<i>", "</i>")


def plot(text: str) -> str:
    """`text` for a plotly label or hover text: `<`, `>` and `&` as entities, so no link or
    other tag works; only the harmless line-break and emphasis tags stay as they are."""
    escaped = html.escape(text, quote=False)
    for tag in _HARMLESS_TAGS:
        escaped = escaped.replace(html.escape(tag, quote=False), tag)
    return escaped


def plot_values(values: Iterable[object] | None) -> list[object] | None:
    """Category values (axis ticks) with their strings escaped by `plot`, or None when they
    hold no string (numbers and dates stay as they are)."""
    items = list(values) if values is not None else []
    if not any(isinstance(v, str) for v in items):
        return None
    return [plot(v) if isinstance(v, str) else v for v in items]


def md_html(text: object) -> str:
    """`text` for markdown that allows HTML (`unsafe_allow_html`): `<`, `>` and `&` as entities,
    then every markdown mark escaped, so neither a tag nor a link works."""
    return md(html.escape("" if text is None else str(text), quote=False))
