"""The forms' writes: a clinician records for their own clients only, every value is checked
first, each form is one transaction, and each write leaves a `record` audit event without
health details.

Practice: Sam supervises Ben; Ben treats C-0001 (intake 5 Jan 2026) and C-0002 (discharged
2 Mar 2026); Cara treats C-0003.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from data_access.errors import NotInScope
from data_access.recording import (
    FormError,
    own_client_codes,
    record_scores,
    record_session,
    review_assignment,
    reviewable_assignments,
    set_assignment,
)
from data_access.schema import Assignment, AuditEvent, Score, TherapySession
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
        ("ben.lindqvist@example.org", "record", "C-0001", "kind=assignment action=set")
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
            assigned_on=D(2026, 3, 20),
        )
    assert refused.value.problems == {
        "type": "unknown assignment type",
        "due_on": "the due date is before the day it is set",
        "difficulty": "difficulty runs from 1 (very easy) to 5",
    }
    with pytest.raises(FormError) as discharged:
        set_assignment(
            world.engine,
            world.ben,
            client_code="C-0002",
            type_name="Thought Record",
            due_on=D(2026, 3, 27),
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
    assert world.audit()[-1][1:] == ("record", "C-0001", "kind=assignment action=review")


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
        "status": "status must be one of completed, partial, not_done",
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
    assert world.audit()[-1][1:] == ("record", "C-0001", "kind=session measures=GAD-7,PHQ-9")


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
        "PHQ-9": "PHQ-9 scores run from 0 to 27",
        "GAD-7": "GAD-7 scores run from 0 to 21",
        "MOOD": "MOOD scores run from 0 to 10",
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
