"""`make load`'s light client against a real server on a tiny practice: two signed-in people
browse without errors, the numbers are sane, and a person whose cookie names no session is
counted as an error (so a run that silently measured sign-in pages would say so)."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.load import Person, people, run_level
from bench.st_client import Visit
from data_access.store.engine import new_engine

PAGE_SECONDS = 150  # a few seconds on a quiet machine; generous for a shared, saturated one


def test_two_people_browse_a_tiny_practice_without_errors(demo_db_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "practice.db"  # the run adds accounts and sessions: not to the shared demo
    shutil.copy(demo_db_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    engine = new_engine(url)
    clinician, supervisor = people(engine, 2)
    engine.dispose()
    # Fewer pages than a load run, to stay quick.
    clinician = Person(clinician.who, clinician.cookie, clinician.visits[:2])
    supervisor = Person(supervisor.who, supervisor.cookie, supervisor.visits[:1])
    stranger = Person("nobody", "bs_session=not-a-session", [Visit("overview")])

    crowd = [clinician, supervisor, stranger]
    level = run_level(url, crowd, slots=2, settle=0, timeout=PAGE_SECONDS, log_dir=tmp_path)

    assert level.errors == ["overview: signed out"]  # only the stranger
    # a clinician opens My clients and one of their clients; a supervisor the Overview
    assert [r.visit.page for r in level.results] == ["clients", "client", "overview", "overview"]
    for result in level.results[:-1]:
        assert 0 < result.seconds < PAGE_SECONDS
        assert result.received > 5_000  # a drawn page, not an empty answer
    assert 50 < level.rss_before <= level.rss_peak
    assert level.rss_after > 0
    assert level.cpu > 0
