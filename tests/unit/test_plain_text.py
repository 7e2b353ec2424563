"""User-supplied text stays text: markdown marks escaped so the reader sees exactly what was
typed, plotly labels HTML-escaped so no tag (a link) works."""

from __future__ import annotations

import re

import plotly.graph_objects as go
from hypothesis import given
from hypothesis import strategies as st

from dashboard.plain_text import md, plot
from dashboard.theme import styled

MARKUP = set("\\`*_{}[]()#+!<>|~:$.@")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_escaped_markdown_reads_as_typed_and_holds_no_bare_mark(text: str) -> None:
    escaped = md(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text
    bare = re.sub(r"\\.", "", escaped)  # what is left once every escaped pair is removed
    assert not MARKUP & set(bare)
    assert not escaped.startswith("-")  # a list marker only at the start of what is shown


def test_a_markdown_link_and_image_become_their_own_text() -> None:
    assert md("[x](http://a.example) ![i](http://a.example/i.png)") == (
        "\\[x\\]\\(http\\://a\\.example\\) \\!\\[i\\]\\(http\\://a\\.example/i\\.png\\)"
    )
    assert md("C-0001") == "C-0001"  # plain codes read as before


def test_chart_labels_and_legend_names_are_escaped_for_plotly() -> None:
    name = '<a href="http://outside.example">Mal</a> & co'
    fig = styled(go.Figure(go.Bar(x=[1, 2], y=[name, "Ada"], name=name)), "t")
    assert fig.data[0].y == (plot(name), "Ada")
    assert fig.data[0].name == '&lt;a href="http://outside.example"&gt;Mal&lt;/a&gt; &amp; co'
    assert fig.data[0].x == (1, 2)  # numbers untouched
