"""Cached page data sees every write at once: an import run by the command line in another
process, and an admin's change of who supervises whom, show on the very next page view.

Practice: supervisor Sam (no clients) supervises Ben; Ben treats C-0001, Cara treats C-0002
(not Sam's supervisee). Each client has homework set 10 days ago.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sqlalchemy import Engine

from dashboard.cache import figure, frame_digest
from dashboard.client_charts import homework_and_scores_figure
from data_access.access.accounts import set_supervisor
from data_access.reads.client_queries import homework_and_scores
from tests.builders import Practice
from tests.pagetest import metric_values, open_page

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date.today()
SET_ON = TODAY - dt.timedelta(days=10)


@pytest.fixture
def practice(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict:
    p = Practice(sqlite_engine)
    sam = p.clinician("Sam Boss", role="supervisor")
    ben = p.clinician("Ben Lindqvist", supervisor=sam, password="correct horse")
    cara = p.clinician("Cara Mendes", password="correct horse")
    admin = p.clinician("Ada Admin", role="admin")
    intake = TODAY - dt.timedelta(days=60)
    for clinician, code in ((ben, "C-0001"), (cara, "C-0002")):
        p.assignment(p.client(clinician, intake=intake, code=code), SET_ON)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    return {"url": url, "engine": sqlite_engine, "sam": p.viewer(sam), "admin": p.viewer(admin)}


def test_an_import_from_the_command_line_shows_on_the_next_page_view(practice: dict, tmp_path):
    """The admin's Homework page counts 2 assignments and caches them. The command line, in a
    process of its own, imports 3 more for C-0001; the next view counts 5."""
    at = open_page("homework", practice["admin"])
    assert metric_values(at)["Assignments set"] == "2"
    rows = [
        f"CLI-{i},C-0001,Thought Record,{SET_ON},{SET_ON + dt.timedelta(days=7)},pending,2,,,"
        f"Write down thought {i}"
        for i in range(3)
    ]
    header = (
        "assignment_id,client_code,type,assigned_on,due_on,status,difficulty,engagement,"
        "reviewed_on,instructions"
    )
    csv = tmp_path / "assignments.csv"
    csv.write_text("\n".join([header, *rows]) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "data_access", "import", "--kind", "assignments", str(csv),
         "--database-url", practice["url"], "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    at.run()
    assert metric_values(at)["Assignments set"] == "5"


def test_a_new_supervisee_shows_at_once_on_the_supervisors_pages(practice: dict):
    """Sam sees Ben's 1 assignment; the admin makes Sam Cara's supervisor too; Sam's next view
    counts 2, without waiting for any cache to expire."""
    at = open_page("homework", practice["sam"])
    assert metric_values(at)["Assignments set"] == "1"
    set_supervisor(
        practice["engine"], practice["admin"], "cara.mendes@example.org", "sam.boss@example.org"
    )
    at.run()
    assert metric_values(at)["Assignments set"] == "2"


DRAWN: list[int] = []  # the reviewed counts `_chart` drew, one entry per real drawing


def _chart(frame: pd.DataFrame) -> go.Figure:
    DRAWN.append(int(frame["reviewed"].sum()))
    return go.Figure(go.Bar(x=frame["week"], y=frame["reviewed"]))


def test_a_cached_figure_is_drawn_once_per_data_version(practice: dict):
    """A page's chart is drawn once for the same data and kept, like the data it draws; a write
    (here the CLI's kind: a change of supervisor) makes the next view draw it again."""
    DRAWN.clear()
    frame = pd.DataFrame({"week": ["1 Jun", "8 Jun"], "reviewed": [3, 4]})
    first = figure(_chart, frame)
    again = figure(_chart, frame)
    assert DRAWN == [7]
    # the copy out of the cache is rebuilt unchecked: the same figure, down to every property
    assert json.loads(again.to_json()) == json.loads(first.to_json())
    assert json.loads(first.to_json()) == json.loads(_chart(frame).to_json())
    DRAWN.clear()
    set_supervisor(
        practice["engine"], practice["admin"], "cara.mendes@example.org", "sam.boss@example.org"
    )
    figure(_chart, frame)
    figure(_chart, frame.assign(reviewed=[5, 5]))
    assert DRAWN == [7, 10]


def test_a_chart_of_two_panels_comes_out_of_the_cache_as_drawn(practice: dict):
    """The cache keeps a figure as plotly's checked dict and rebuilds it unchecked: a chart with
    two panels sharing a time axis (the client page's homework and score changes) comes back
    with every trace, axis and annotation as the chart function drew it."""
    weeks = [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    joined = homework_and_scores(
        pd.DataFrame(
            {"week": weeks, "set": [1, 2], "reviewed": [1, 2], "credit": [0.5, 2.0],
             "completion_rate": [0.5, 1.0]}
        ),
        pd.DataFrame({"week": weeks, "measure": ["MOOD", "MOOD"], "change": [np.nan, 2.0]}),
    )  # fmt: skip
    drawn = homework_and_scores_figure(joined)
    cached = figure(homework_and_scores_figure, joined)
    again = figure(homework_and_scores_figure, joined)
    assert isinstance(again, go.Figure)
    assert json.loads(again.to_json()) == json.loads(cached.to_json())
    assert json.loads(cached.to_json()) == json.loads(drawn.to_json())
    assert again.data[2].yaxis == "y2"
    assert again.layout.yaxis2.title.text == "Weekly change<br>(points, + = better)"


def test_a_frames_cache_key_changes_with_any_one_value():
    """Figures are keyed on their frames' contents: equal frames share a key, and changing any
    one value (here the last of 60,000 rows, past the 50,000 where Streamlit's own hash would
    look at a sample) or a column's name gives another."""
    frame = pd.DataFrame({"week": np.arange(60_000), "code": [f"C-{i:05d}" for i in range(60_000)]})
    same = frame.copy()
    changed = frame.copy()
    changed.loc[59_999, "code"] = "C-XXXXX"
    assert frame_digest(frame) == frame_digest(same)
    assert frame_digest(changed) != frame_digest(frame)
    assert frame_digest(frame.rename(columns={"code": "client"})) != frame_digest(frame)
    assert frame_digest(frame["code"]) != frame_digest(changed["code"])
