"""The forms' writes: a clinician records for their own clients only, every value is checked
first, each form is one transaction, and each write leaves a `record` audit event without
health details.

Practice: Sam supervises Ben; Ben treats C-0001 (intake 5 Jan 2026) and C-0002 (discharged
2 Mar 2026); Cara treats C-0003.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from data_access.records.recording import (
    FormError,
    own_client_codes,
    record_scores,
    record_session,
    review_assignment,
    reviewable_assignments,
    set_assignment,
)
from data_access.store.errors import DataError, NotInScope
from data_access.store.schema import Assignment, AuditEvent, Score, TherapySession
from tests.builders import D, Practice
from tests.integration.test_importer import dump

TODAY = D(2026, 3, 20)


class World:
    def __init__(self, engine: Engine) -> None:
        p = Practice(engine)
        sam = p.clinician("Sam Boss", role="supervisor")
        ben = p.clinician("Ben Lindqvist", supervisor=sam)
        cara = p.clinician("Cara Mendes")
        admin = p.clinician("Ada Admin", role="admin")
        self.engine = engine
        self.c1 = p.client(ben, intake=D(2026, 1, 5), code="C-0001")
        p.client(ben, intake=D(2026, 1, 5), discharged=D(2026, 3, 2), code="C-0002")
        p.client(cara, code="C-0003")
        self.homework = p.assignment(self.c1, D(2026, 3, 2))
        self.ben, self.sam, self.cara, self.admin = (
            p.viewer(ben),
            p.viewer(sam),
            p.viewer(cara),
            p.viewer(admin),
        )

    def audit(self) -> list[tuple]:
        with self.engine.connect() as conn:
            return conn.execute(
                select(
                    AuditEvent.actor_email,
                    AuditEvent.action,
                    AuditEvent.client_code,
                    AuditEvent.detail,
                ).order_by(AuditEvent.id)
            ).all()


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine)


def test_a_clinician_sets_homework_for_their_client_and_it_is_audited(world: World):
    new_id = set_assignment(
        world.engine,
        world.ben,
        client_code="C-0001",
        type_name="Thought Record",
        due_on=D(2026, 3, 27),
        instructions="  Catch one thought  ",
        difficulty=2,
        assigned_on=D(2026, 3, 20),
    )
    with world.engine.connect() as conn:
        row = conn.execute(
            select(
                Assignment.status,
                Assignment.due_week,
                Assignment.instructions,
                Assignment.difficulty,
                Assignment.external_id,
            ).where(Assignment.id == new_id)
        ).one()
    assert row[:4] == ("pending", D(2026, 3, 23), "Catch one thought", 2)
    assert row.external_id.startswith("APP-")
    assert world.audit() == [
        ("ben.lindqvist@example.org", "record", "C-0001", f"kind=assignment action=set id={new_id}")
    ]


def test_every_problem_of_a_new_assignment_is_reported_at_once_and_nothing_is_written(
    world: World,
):
    before = dump(world.engine, with_audit=True)
    with pytest.raises(FormError) as refused:
        set_assignment(
            world.engine,
            world.ben,
            client_code="C-0001",
            type_name="Yoga",
            due_on=D(2026, 3, 1),
            difficulty=7,
            instructions="   ",
            assigned_on=D(2026, 3, 20),
        )
    assert refused.value.problems == {
        "type": "unknown assignment type",
        "due_on": "the due date is before the day it is set",
        "difficulty": "difficulty runs from 1 (very easy) to 5",
        "instructions": "write what the client will do (instructions cannot be blank)",
    }
    with pytest.raises(FormError) as discharged:
        set_assignment(
            world.engine,
            world.ben,
            client_code="C-0002",
            type_name="Thought Record",
            due_on=D(2026, 3, 27),
            instructions="One thought record",
            assigned_on=D(2026, 3, 20),
        )
    assert discharged.value.problems == {"client": "the client was discharged on 2026-03-02"}
    assert dump(world.engine, with_audit=True) == before


@pytest.mark.parametrize("who", ["sam", "cara", "admin"])
def test_only_the_clients_own_clinician_may_record_and_a_refusal_is_audited(world: World, who: str):
    viewer = getattr(world, who)
    before = dump(world.engine)
    with pytest.raises(NotInScope):
        record_session(
            world.engine,
            viewer,
            client_code="C-0001",
            held_on=D(2026, 3, 16),
            attendance="attended",
            today=TODAY,
        )
    with pytest.raises(NotInScope):
        review_assignment(
            world.engine, viewer, assignment_id=world.homework, status="completed", today=TODAY
        )
    assert dump(world.engine) == before
    assert [a[1:3] for a in world.audit()] == [("denied", "C-0001"), ("denied", None)]


def test_a_review_records_status_engagement_and_date(world: World):
    review_assignment(
        world.engine,
        world.ben,
        assignment_id=world.homework,
        status="partial",
        engagement=2,
        reviewed_on=D(2026, 3, 9),
        today=TODAY,
    )
    with world.engine.connect() as conn:
        assert conn.execute(
            select(Assignment.status, Assignment.engagement, Assignment.reviewed_on).where(
                Assignment.id == world.homework
            )
        ).one() == ("partial", 2, D(2026, 3, 9))
    assert world.audit()[-1][1:] == (
        "record",
        "C-0001",
        f"kind=assignment action=review id={world.homework}",
    )


def test_a_review_is_checked_before_it_is_written(world: World):
    before = dump(world.engine, with_audit=True)
    with pytest.raises(FormError) as refused:
        review_assignment(
            world.engine,
            world.ben,
            assignment_id=world.homework,
            status="pending",
            engagement=5,
            reviewed_on=D(2026, 3, 1),
            today=TODAY,
        )
    assert refused.value.problems == {
        "status": "choose one: completed, partial, not done",
        "engagement": "engagement runs from 0 to 4",
        "reviewed_on": "the review date is before the homework was set",
    }
    with pytest.raises(FormError) as future:
        review_assignment(
            world.engine,
            world.ben,
            assignment_id=world.homework,
            status="completed",
            reviewed_on=D(2026, 3, 21),
            today=TODAY,
        )
    assert future.value.problems == {"reviewed_on": "this date is in the future"}
    assert dump(world.engine, with_audit=True) == before


def test_a_session_with_its_scores_is_one_write(world: World):
    session_id = record_session(
        world.engine,
        world.ben,
        client_code="C-0001",
        held_on=D(2026, 3, 16),
        attendance="attended",
        scores={"PHQ-9": 12, "GAD-7": 9, "MOOD": None},
        today=TODAY,
    )
    with world.engine.connect() as conn:
        scores = conn.execute(
            select(Score.measure, Score.value, Score.recorded_on, Score.session_id).order_by(
                Score.measure
            )
        ).all()
    assert scores == [
        ("GAD-7", 9, D(2026, 3, 16), session_id),
        ("PHQ-9", 12, D(2026, 3, 16), session_id),
    ]
    # The audit names the measures, never the values.
    with world.engine.connect() as conn:
        ids = dict(conn.execute(select(Score.measure, Score.id)).all())
    score_ids = f"{ids['PHQ-9']},{ids['GAD-7']}"  # in the order entered, for undo
    assert world.audit()[-1][1:] == (
        "record",
        "C-0001",
        f"kind=session id={session_id} measures=GAD-7,PHQ-9 scores={score_ids}",
    )


def test_a_session_out_of_range_or_on_a_taken_date_writes_nothing(world: World):
    record_session(
        world.engine,
        world.ben,
        client_code="C-0001",
        held_on=D(2026, 3, 9),
        attendance="no_show",
        today=TODAY,
    )
    before = dump(world.engine, with_audit=True)
    with pytest.raises(FormError) as refused:
        record_session(
            world.engine,
            world.ben,
            client_code="C-0001",
            held_on=D(2026, 3, 9),
            attendance="attended",
            scores={"PHQ-9": 28, "GAD-7": 22, "MOOD": 11},
            today=TODAY,
        )
    assert refused.value.problems == {
        "PHQ-9": "28 is not a PHQ-9 score: PHQ-9 runs from 0 to 27",
        "GAD-7": "22 is not a GAD-7 score: GAD-7 runs from 0 to 21",
        "MOOD": "11 is not a MOOD score: MOOD runs from 0 to 10",
        "held_on": "this client already has a session on that date",
    }
    with pytest.raises(FormError) as no_show:
        record_session(
            world.engine,
            world.ben,
            client_code="C-0001",
            held_on=D(2026, 3, 16),
            attendance="no_show",
            scores={"MOOD": 5},
            today=TODAY,
        )
    assert no_show.value.problems == {
        "attendance": "scores can only be taken at an attended session"
    }
    assert dump(world.engine, with_audit=True) == before


def test_scores_between_sessions(world: World):
    saved = record_scores(
        world.engine,
        world.ben,
        client_code="C-0001",
        recorded_on=D(2026, 3, 18),
        scores={"MOOD": 6},
        today=TODAY,
    )
    assert saved == 1
    with pytest.raises(FormError) as empty:
        record_scores(
            world.engine,
            world.ben,
            client_code="C-0001",
            recorded_on=D(2026, 3, 18),
            scores={"MOOD": None},
            today=TODAY,
        )
    assert empty.value.problems == {"scores": "enter at least one score"}
    with world.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Score)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(TherapySession)).scalar() == 0


def test_the_choice_lists_hold_only_the_clinicians_own_clients_and_homework(world: World):
    with world.engine.connect() as conn:
        assert own_client_codes(conn, world.ben) == ["C-0001", "C-0002"]
        assert own_client_codes(conn, world.sam) == []
        homework = reviewable_assignments(conn, world.ben, "C-0001")
        assert [(h["id"], h["type"], h["status"]) for h in homework] == [
            (world.homework, "Thought Record", "pending")
        ]
        with pytest.raises(NotInScope):
            reviewable_assignments(conn, world.cara, "C-0001")


@pytest.mark.parametrize("code", ["[C-0001](http://outside.example)", "C-0001\u202e", "x" * 41])
def test_a_code_that_breaks_the_code_rule_is_refused_before_anything_is_looked_up(
    world: World, code: str
):
    before = dump(world.engine, with_audit=True)
    with pytest.raises(DataError, match="a client code is 1 to 40 letters, digits, '-' or '_'"):
        record_scores(
            world.engine,
            world.ben,
            client_code=code,
            scores={"MOOD": 5},
            recorded_on=D(2026, 3, 16),
            today=TODAY,
        )
    assert dump(world.engine, with_audit=True) == before


# ---------------------------------------------------------------- safe entry (issue #15)


def _homework(world: World, **changes) -> int:
    values = dict(
        client_code="C-0001",
        type_name="Thought Record",
        due_on=D(2026, 3, 27),
        instructions="Catch one thought",
        difficulty=2,
        assigned_on=TODAY,
        today=TODAY,
    )
    return set_assignment(world.engine, world.ben, **{**values, **changes})


def test_identical_homework_is_refused_naming_the_one_already_stored(world: World):
    first = _homework(world)
    before = dump(world.engine, with_audit=True)
    with pytest.raises(FormError) as again:
        _homework(world, instructions="  Catch one thought ", due_on=D(2026, 3, 30))
    with world.engine.connect() as conn:
        external = conn.execute(select(Assignment.external_id).where(Assignment.id == first))
        name = external.scalar_one()
    assert again.value.problems == {
        "instructions": "identical homework is already stored: Thought Record set "
        f"20 Mar 2026, due 27 Mar 2026 ({name})"
    }
    assert dump(world.engine, with_audit=True) == before
    # Another type, day or wording is different homework.
    _homework(world, instructions="Catch two thoughts")
    _homework(world, type_name="Daily Mood Log")


def test_homework_cannot_be_set_in_the_future_or_before_intake(world: World):
    with pytest.raises(FormError) as future:
        _homework(world, assigned_on=D(2026, 3, 21), due_on=D(2026, 3, 28))
    assert future.value.problems == {"assigned_on": "this date is in the future"}
    with pytest.raises(FormError) as early:
        _homework(world, assigned_on=D(2026, 1, 2), due_on=D(2026, 1, 9))
    assert early.value.problems == {
        "assigned_on": "this date is before the client's intake (05 Jan 2026)"
    }


def test_only_pending_homework_due_by_today_can_be_reviewed(world: World):
    later = _homework(world, due_on=D(2026, 3, 27))
    with world.engine.connect() as conn:
        offered = reviewable_assignments(conn, world.ben, "C-0001", today=TODAY)
    assert [h["id"] for h in offered] == [world.homework]  # due 9 Mar; `later` is due 27 Mar
    with pytest.raises(FormError) as early:
        review_assignment(
            world.engine, world.ben, assignment_id=later, status="completed", today=TODAY
        )
    assert early.value.problems == {"homework": "this homework is not due until 27 Mar 2026"}
    review_assignment(
        world.engine, world.ben, assignment_id=world.homework, status="not_done", today=TODAY
    )
    with pytest.raises(FormError) as twice:
        review_assignment(
            world.engine, world.ben, assignment_id=world.homework, status="completed", today=TODAY
        )
    assert twice.value.problems == {"homework": "this homework was already reviewed (not done)"}


def test_a_session_is_booked_ahead_and_recorded_on_the_day(world: World):
    booked = record_session(
        world.engine,
        world.ben,
        client_code="C-0001",
        held_on=D(2026, 3, 27),
        attendance="scheduled",
        today=TODAY,
    )
    with pytest.raises(FormError) as ahead:
        record_session(
            world.engine,
            world.ben,
            client_code="C-0001",
            held_on=D(2026, 3, 27),
            attendance="attended",
            today=TODAY,
        )
    assert ahead.value.problems == {
        "held_on": "this date is in the future: book it as scheduled, and record it on the day"
    }
    on_the_day = record_session(
        world.engine,
        world.ben,
        client_code="C-0001",
        held_on=D(2026, 3, 27),
        attendance="attended",
        scores={"PHQ-9": 9},
        today=D(2026, 3, 27),
    )
    assert on_the_day == booked
    with world.engine.connect() as conn:
        assert conn.execute(select(TherapySession.attendance)).scalars().all() == ["attended"]


def test_each_person_undoes_their_own_last_entry_within_ten_minutes(world: World):
    import datetime as dt

    from dashboard.words import entry_words
    from data_access.records.undo import last_entry, undo_last
    from data_access.store.errors import DataError

    def content() -> dict:  # the data, without the version every write (an undo too) raises
        return {k: v for k, v in dump(world.engine).items() if k != "data_version"}

    before = content()
    new_id = _homework(world)
    with world.engine.connect() as conn:
        entry = last_entry(conn, world.ben)
        assert entry is not None and entry_words(entry) == "homework set of C-0001"
        assert last_entry(conn, world.cara) is None  # not Cara's entry
    assert entry_words(undo_last(world.engine, world.ben)) == "homework set of C-0001"
    assert content() == before
    assert world.audit()[-1][1:] == ("undo", "C-0001", f"kind=assignment action=set id={new_id}")
    with pytest.raises(DataError, match="no entry of yours from the last 10 minutes"):
        undo_last(world.engine, world.ben)  # an undo is not undone, nor the entry before it

    session_id = record_session(
        world.engine,
        world.ben,
        client_code="C-0001",
        held_on=D(2026, 3, 16),
        attendance="attended",
        scores={"PHQ-9": 12},
        today=TODAY,
    )
    assert session_id
    undo_last(world.engine, world.ben)
    assert content() == before  # the session and its score are gone

    review_assignment(
        world.engine, world.ben, assignment_id=world.homework, status="completed", today=TODAY
    )
    eleven_minutes_on = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=11)
    with pytest.raises(DataError):
        undo_last(world.engine, world.ben, now=eleven_minutes_on)
    undo_last(world.engine, world.ben)
    assert content() == before  # pending again, without engagement or review date


def test_item_answers_are_saved_with_their_total_or_make_it(world: World):
    """PHQ-9 items 2,2,1,1,1,1,1,1,2 make 12: given with the total 12, or alone (12 is filled
    in); GAD-7 given seven 1s at a session makes 7."""
    phq = [2, 2, 1, 1, 1, 1, 1, 1, 2]
    record_scores(
        world.engine, world.ben, client_code="C-0001", recorded_on=D(2026, 3, 10),
        scores={"PHQ-9": 12}, items={"PHQ-9": phq}, today=TODAY,
    )  # fmt: skip
    record_scores(
        world.engine, world.ben, client_code="C-0001", recorded_on=D(2026, 3, 11),
        scores={"PHQ-9": None}, items={"PHQ-9": phq, "GAD-7": [None] * 7}, today=TODAY,
    )  # fmt: skip
    record_session(
        world.engine, world.ben, client_code="C-0001", held_on=D(2026, 3, 12),
        attendance="attended", items={"GAD-7": [1] * 7}, today=TODAY,
    )  # fmt: skip
    with world.engine.connect() as conn:
        rows = conn.execute(
            select(Score.recorded_on, Score.measure, Score.value, Score.item_1, Score.item_9)
            .order_by(Score.id)
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        (D(2026, 3, 10), "PHQ-9", 12, 2, 2),
        (D(2026, 3, 11), "PHQ-9", 12, 2, 2),
        (D(2026, 3, 12), "GAD-7", 7, 1, None),
    ]


@pytest.mark.parametrize(
    ("score", "answers", "reason"),
    [
        (13, [2, 2, 1, 1, 1, 1, 1, 1, 2], "the items add up to 12, not to the score 13"),
        (None, [2, 2, 1, 1, 1, 1, 1, 1, None], "give all 9 PHQ-9 items or none; item_9 is blank"),
        (None, [2, 2, 1, 1, 4, 1, 1, 1, 0], "item_5 must be a whole number from 0 to 3"),
    ],
)
def test_item_answers_that_do_not_make_the_total_write_nothing(
    world: World, score, answers, reason
):
    before = dump(world.engine, with_audit=True)
    with pytest.raises(FormError) as refused:
        record_scores(
            world.engine, world.ben, client_code="C-0001", recorded_on=D(2026, 3, 10),
            scores={"PHQ-9": score}, items={"PHQ-9": answers}, today=TODAY,
        )  # fmt: skip
    assert refused.value.problems == {"PHQ-9 items": reason}
    assert dump(world.engine, with_audit=True) == before
