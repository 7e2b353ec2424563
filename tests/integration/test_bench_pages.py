"""`make bench`'s page cases time the page itself, signed in, not the sign-in form.

They had stopped signing in when pages began to require a server-side session, and timed the
"Please sign in" warning (two elements) for every page; a case now signs in through a real
session of the viewer's demo account and fails if the page asks to sign in.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from bench.cases import Context
from bench.pages import PAGE_CASES
from data_access.access.viewer import Viewer
from data_access.store.engine import new_engine
from data_access.store.schema import Clinician


def test_each_page_case_renders_the_page_for_the_signed_in_viewer(demo_db_url, tmp_path: Path):
    copy = tmp_path / "demo.db"  # the cases write web sessions: not into the shared practice
    shutil.copy(make_url(demo_db_url).database, copy)
    engine = new_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as conn:
            admin = Viewer(
                *conn.execute(
                    select(Clinician.id, Clinician.email, Clinician.name, Clinician.role).where(
                        Clinician.role == "admin"
                    )
                ).first()
            )
            ctx = Context(admin, dt.date.today(), 0, "", admin)
            for case in PAGE_CASES:
                elements = case.ours(conn, ctx)
                assert elements > 5, case.name  # the sign-in page shows two
    finally:
        engine.dispose()
