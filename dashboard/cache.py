"""Cached page data that every write makes stale at once, in every app process.

Each page's figures are cached per database, data version, viewer and arguments (filters).
Every write of data raises the data version in its own transaction (data_access.store.data_version),
so the next page view after a form, an import on the command line, another process's write or
a restore reads afresh. The version is one primary-key read per call. Time-to-live and entry
limits only bound memory; they play no part in freshness.
"""

from __future__ import annotations

import hashlib
import importlib
import pickle
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Connection

from dashboard.workers import GATE, is_light
from data_access.store.config import database_url
from data_access.store.data_version import current_version
from data_access.store.engine import get_engine

P = ParamSpec("P")
T = TypeVar("T")
TTL_SECONDS = 600
MAX_ENTRIES = 100  # per loader: viewers × filter combinations kept in memory


def frame_digest(frame: pd.DataFrame | pd.Series) -> bytes:
    """A frame's cache key: the digest of its pickle, which holds every value. Streamlit's own
    hash of a frame costs 1.5–3.5 ms even for a few dozen rows (a client's trend hashed three
    frames for each of three charts), and past 50,000 rows it hashes a sample; this costs
    0.1–0.5 ms. Equal frames that pickle differently only miss the cache."""
    return hashlib.blake2b(pickle.dumps(frame, pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


HASH_FUNCS = {pd.DataFrame: frame_digest, pd.Series: frame_digest}


def data_version(url: str) -> int:
    """The database's data version now (see data_access.store.data_version)."""
    with get_engine(url).connect() as conn:
        return current_version(conn)


def _cached(function: Callable, inner: Callable, spinner: str | bool) -> Callable:
    """`inner` under st.cache_data with `function`'s name, so each loader has its own cache."""
    inner.__module__ = function.__module__
    inner.__qualname__ = f"{function.__qualname__}.cached"
    inner.__doc__ = function.__doc__
    return st.cache_data(
        ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=spinner, hash_funcs=HASH_FUNCS
    )(inner)


def page_data(
    spinner: str | bool = False, *, light: bool = False
) -> Callable[[Callable[Concatenate[Connection, P], T]], Callable[P, T]]:
    """Decorate `query(conn, *args)`: pages call `query(*args)` and get cached, current data.

    On a cache miss the computation waits for a slot (dashboard/workers.py); `light` marks
    one client's data or the viewer's own caseload, which goes before the practice-wide
    computations waiting.
    """

    def decorate(query: Callable[Concatenate[Connection, P], T]) -> Callable[P, T]:
        def run(url: str, version: int, *args: P.args, **kwargs: P.kwargs) -> T:
            with GATE.slot(is_light(args, light)), get_engine(url).connect() as conn:
                return query(conn, *args, **kwargs)

        cached = _cached(query, run, spinner)

        def load(*args: P.args, **kwargs: P.kwargs) -> T:
            url = database_url()
            return cached(url, data_version(url), *args, **kwargs)

        return load

    return decorate


def derived_data(spinner: str | bool = False) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a function computed from page data (no database access of its own): cached
    with the same keys, so it never outlives the data it came from."""

    def decorate(compute: Callable[P, T]) -> Callable[P, T]:
        def run(url: str, version: int, *args: P.args, **kwargs: P.kwargs) -> T:
            return compute(*args, **kwargs)

        cached = _cached(compute, run, spinner)

        def load(*args: P.args, **kwargs: P.kwargs) -> T:
            url = database_url()
            return cached(url, data_version(url), *args, **kwargs)

        return load

    return decorate


FIGURE_ENTRIES = 300  # figures of every page, viewer and filters kept in memory


@st.cache_data(
    ttl=TTL_SECONDS, max_entries=FIGURE_ENTRIES, show_spinner=False, hash_funcs=HASH_FUNCS
)
def _figure(
    url: str, version: int, module: str, name: str, *args: object, **kwargs: object
) -> dict:
    return getattr(importlib.import_module(module), name)(*args, **kwargs).to_dict()


def figure(chart: Callable[P, go.Figure], *args: P.args, **kwargs: P.kwargs) -> go.Figure:
    """`chart(*args)`, cached with the same keys as page data: plotly checks every property a
    chart function sets, 20–70 ms a figure on every run. The cache keeps the figure as the plain
    dict plotly made of it once checked, and a view rebuilds it without checking again: a
    cached Figure was checked afresh on every copy out of the cache, 3–9 ms a figure, where
    this costs 1–2 ms (docs/performance.md). `chart` is a module-level function of `dashboard`."""
    url = database_url()
    spec = _figure(url, data_version(url), chart.__module__, chart.__qualname__, *args, **kwargs)
    return go.Figure(spec, _validate=False)  # plotly's own switch; the test pins the result
