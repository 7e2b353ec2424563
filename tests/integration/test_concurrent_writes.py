"""No lost or doubled writes: a review saves only over what its form showed, scores are one per
(client, measure, day) however many writers race, and a page view never fails behind a writer.

Practice: Ben treats C-0001 (intake 5 Jan 2026), who has one pending Thought Record set on
2 Mar 2026.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from data_access.access.web_sessions import exchange_code, issue_code, session_viewer, utc_now
from data_access.records.importer import import_file
from data_access.records.recording import (
    ChangedElsewhere,
    FormError,
    Review,
    record_scores,
    record_session,
    review_assignment,
)
from data_access.store.engine import SQLITE_BUSY_TIMEOUT_MS, new_engine
from data_access.store.schema import Assignment, Score, UserAccount
from tests.builders import D, Practice
from tests.large_csv import write_assignments_csv

TODAY = D(2026, 3, 20)
PENDING = Review("pending", None, None)

# Far under SQLite's busy timeout: a check that waited for the writer would take all of it;
# a loaded machine may still slow a check that did not wait, so this is no speed target.
NO_WAIT_SECONDS = SQLITE_BUSY_TIMEOUT_MS / 1000 / 2


def _practice(engine: Engine) -> tuple[Practice, object, int, int]:
    p = Practice(engine)
    ben = p.clinician("Ben Lindqvist", password="correct horse")
    client = p.client(ben, code="C-0001")
    homework = p.assignment(client, D(2026, 3, 2))
    return p, p.viewer(ben), client, homework


def _together(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released at the same instant; each result or its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each writer got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _review_row(engine: Engine, homework: int) -> tuple:
    with engine.connect() as conn:
        return conn.execute(
            select(Assignment.status, Assignment.engagement, Assignment.reviewed_on).where(
                Assignment.id == homework
            )
        ).one()


def test_the_second_review_of_what_a_form_showed_is_refused_with_the_new_values(engine: Engine):
    """Two tabs show the homework as pending. The first saves 'completed, engagement 3'; the
    second's 'not done' is refused, names the change and carries the saved values."""
    _, ben, _, homework = _practice(engine)
    review_assignment(
        engine, ben, assignment_id=homework, status="completed", engagement=3,
        reviewed_on=D(2026, 3, 16), today=TODAY, seen=PENDING,
    )  # fmt: skip
    with pytest.raises(ChangedElsewhere) as refused:
        review_assignment(
            engine, ben, assignment_id=homework, status="not_done",
            reviewed_on=D(2026, 3, 17), today=TODAY, seen=PENDING,
        )  # fmt: skip
    assert refused.value.reason == "this item was changed by someone else"
    assert refused.value.current == Review("completed", 3, D(2026, 3, 16))
    assert _review_row(engine, homework) == ("completed", 3, D(2026, 3, 16))


def test_a_review_over_the_values_it_saw_saves(engine: Engine):
    """Correcting a review: the form showed 'completed, 3' and that is still there."""
    _, ben, _, homework = _practice(engine)
    review_assignment(
        engine, ben, assignment_id=homework, status="completed", engagement=3,
        reviewed_on=D(2026, 3, 16), today=TODAY, seen=PENDING,
    )  # fmt: skip
    review_assignment(
        engine, ben, assignment_id=homework, status="partial", engagement=2,
        reviewed_on=D(2026, 3, 16), today=TODAY, seen=Review("completed", 3, D(2026, 3, 16)),
    )  # fmt: skip
    assert _review_row(engine, homework) == ("partial", 2, D(2026, 3, 16))


def test_two_reviews_at_the_same_instant_save_one_and_tell_the_other(engine: Engine):
    _, ben, _, homework = _practice(engine)
    results = _together(
        *(
            lambda status=status: review_assignment(
                engine,
                ben,
                assignment_id=homework,
                status=status,
                reviewed_on=D(2026, 3, 16),
                today=TODAY,
                seen=PENDING,
            )  # fmt: skip
            for status in ("completed", "not_done")
        )
    )
    saved = [r for r in results if r is None]
    told = [r for r in results if isinstance(r, ChangedElsewhere)]
    assert (len(saved), len(told)) == (1, 1), results
    assert _review_row(engine, homework) == (told[0].current.status, None, D(2026, 3, 16))


def test_the_score_forms_say_a_score_for_that_day_exists(engine: Engine):
    """PHQ-9 14 is recorded for 16 Mar; a second PHQ-9 that day is refused in words, in both
    forms, and a GAD-7 that day is still welcome."""
    _, ben, _, _ = _practice(engine)
    record_scores(
        engine, ben, client_code="C-0001", recorded_on=D(2026, 3, 16), scores={"PHQ-9": 14},
        today=TODAY,
    )  # fmt: skip
    with pytest.raises(FormError) as refused:
        record_scores(
            engine, ben, client_code="C-0001", recorded_on=D(2026, 3, 16),
            scores={"PHQ-9": 9, "GAD-7": 5}, today=TODAY,
        )  # fmt: skip
    assert refused.value.problems == {
        "PHQ-9": "a PHQ-9 score of 14 is already recorded for 16 Mar 2026; "
        "there is one score per measure and day"
    }
    with pytest.raises(FormError) as at_session:
        record_session(
            engine, ben, client_code="C-0001", held_on=D(2026, 3, 16), attendance="attended",
            scores={"PHQ-9": 9}, today=TODAY,
        )  # fmt: skip
    assert "already recorded for 16 Mar 2026" in at_session.value.problems["PHQ-9"]
    assert record_scores(
        engine, ben, client_code="C-0001", recorded_on=D(2026, 3, 16), scores={"GAD-7": 5},
        today=TODAY,
    ) == 1  # fmt: skip


def test_the_database_itself_refuses_a_second_score_for_a_day(engine: Engine):
    p, _, client, _ = _practice(engine)
    p.score(client, "MOOD", 6, D(2026, 3, 16))
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        p.score(client, "MOOD", 7, D(2026, 3, 16))


def _scores_csv(path: Path, days: range, value: int) -> Path:
    lines = ["client_code,measure,score,recorded_on"]
    for day in days:
        for code in ("PHQ-9", "GAD-7", "MOOD"):
            lines.append(f"C-0001,{code},{value},2025-{1 + day // 28:02d}-{1 + day % 28:02d}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_two_overlapping_score_imports_at_once_leave_no_duplicates(engine: Engine, tmp_path):
    """File A holds days 0–199 and file B days 100–299, three measures each (600 rows each,
    300 shared). Imported at the same instant: 900 scores, none doubled, each day's value from
    whichever import wrote it last, and both imports report success."""
    p, _, client, _ = _practice(engine)
    with engine.begin() as conn:  # intake before the files' first day
        conn.execute(text("UPDATE clients SET intake_on = '2024-12-01'"))
    first = _scores_csv(tmp_path / "a.csv", range(0, 200), 5)
    second = _scores_csv(tmp_path / "b.csv", range(100, 300), 6)
    results = _together(
        lambda: import_file(engine, "scores", first, viewer=None),
        lambda: import_file(engine, "scores", second, viewer=None),
    )
    assert all(r.written for r in results), results
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Score)).scalar()
        doubled = conn.execute(
            select(func.count()).select_from(
                select(Score.client_id, Score.measure, Score.recorded_on)
                .group_by(Score.client_id, Score.measure, Score.recorded_on)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar()
    assert (total, doubled) == (900, 0)
    assert sorted(r.new for r in results) in ([300, 600], [600, 600])


def test_a_page_view_is_not_held_up_by_a_writer_holding_the_sqlite_lock(sqlite_engine: Engine):
    """An import holds SQLite's write lock for seconds; meanwhile a signed-in page view checks
    its session (and would refresh its last-seen time): it answers at once, with the viewer."""
    p = Practice(sqlite_engine)
    ben = p.clinician("Ben Lindqvist", password="correct horse")
    with sqlite_engine.connect() as conn:
        account = conn.execute(
            select(UserAccount.id).where(UserAccount.clinician_id == ben)
        ).scalar_one()
    earlier = utc_now() - dt.timedelta(minutes=5)  # so the view would refresh last-seen
    code = issue_code(sqlite_engine, account, "nonce", now=earlier)
    token = exchange_code(sqlite_engine, code, "nonce", now=earlier)
    holder = new_engine(str(sqlite_engine.url))
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        with holder.begin() as conn:
            conn.execute(text("UPDATE data_version SET version = version + 1"))
            locked.set()
            release.wait(10)

    thread = threading.Thread(target=hold_the_lock)
    thread.start()
    locked.wait(5)
    try:
        started = time.perf_counter()
        viewer = session_viewer(sqlite_engine, token)
        waited = time.perf_counter() - started
    finally:
        release.set()
        thread.join()
        holder.dispose()
    assert viewer is not None and viewer.name == "Ben Lindqvist"
    assert waited < NO_WAIT_SECONDS


def test_page_views_succeed_while_a_large_import_writes(sqlite_engine: Engine, tmp_path: Path):
    """20,000 assignments import while a signed-in browser checks its session every 50 ms (as
    each page view does, refreshing last-seen): every check answers; none waits for the lock."""
    p = Practice(sqlite_engine)
    ben = p.clinician("Ben Lindqvist", password="correct horse")
    codes = [f"C-{i:04d}" for i in range(1, 21)]
    for code in codes:
        p.client(ben, intake=D(2024, 1, 1), code=code)
    with sqlite_engine.connect() as conn:
        account = conn.execute(
            select(UserAccount.id).where(UserAccount.clinician_id == ben)
        ).scalar_one()
    csv = tmp_path / "assignments.csv"
    write_assignments_csv(csv, codes, 20_000)
    done = threading.Event()
    waits: list[float] = []
    failures: list[BaseException] = []

    now = utc_now()
    code = issue_code(sqlite_engine, account, "nonce", now=now)
    token = exchange_code(sqlite_engine, code, "nonce", now=now)

    def browse() -> None:
        clock = now
        while not done.is_set():
            clock += dt.timedelta(seconds=31)  # each view is due to refresh last-seen
            started = time.perf_counter()
            try:
                assert session_viewer(sqlite_engine, token, now=clock) is not None
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                failures.append(exc)
            waits.append(time.perf_counter() - started)
            done.wait(0.05)

    importer_engine = new_engine(str(sqlite_engine.url))
    browser = threading.Thread(target=browse)
    browser.start()
    try:
        result = import_file(importer_engine, "assignments", csv, viewer=None)
    finally:
        done.set()
        browser.join()
        importer_engine.dispose()
    assert result.written and result.new == 20_000
    assert not failures and len(waits) > 10
    assert max(waits) < NO_WAIT_SECONDS
