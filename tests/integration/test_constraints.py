"""Bad input: the database refuses it, `write` raises one DataError naming the record and the
rule, and nothing of the failed transaction is left behind (on SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from sqlalchemy import insert, select

from data_access.store.engine import write
from data_access.store.errors import DataError
from data_access.store.schema import CONSTRAINT_REASONS, Assignment, Base, Client, Score, monday_of
from tests.builders import D, Practice


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table, to show a refused write changed nothing."""
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.c))]
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def practice(engine):
    p = Practice(engine)
    p.doc = p.clinician("Dana Doc")
    p.known = p.client(p.doc, code="C-0001")
    p.assignment(p.known, D(2026, 3, 2), "completed", engagement=3)
    p.score(p.known, "PHQ-9", 14, D(2026, 3, 2))
    return p


def assignment(p: Practice, **changes) -> dict:
    """A valid assignment row for the practice's client, with `changes` applied."""
    values = dict(
        client_id=p.known,
        clinician_id=p.doc,
        type_id=p.type_ids["Thought Record"],
        assigned_on=D(2026, 3, 9),
        due_on=D(2026, 3, 16),
        status="pending",
        difficulty=2,
        instructions="",
    )
    values.update(changes)
    values["due_week"] = monday_of(values["due_on"])
    return values


REFUSED = {
    "PHQ-9 of 28": (
        Score,
        lambda p: dict(client_id=p.known, measure="PHQ-9", value=28, recorded_on=D(2026, 3, 9)),
        "ck_scores_value_in_range",
    ),
    "GAD-7 of -1": (
        Score,
        lambda p: dict(client_id=p.known, measure="GAD-7", value=-1, recorded_on=D(2026, 3, 9)),
        "ck_scores_value_in_range",
    ),
    "MOOD of 11": (
        Score,
        lambda p: dict(client_id=p.known, measure="MOOD", value=11, recorded_on=D(2026, 3, 9)),
        "ck_scores_value_in_range",
    ),
    "status 'done'": (Assignment, lambda p: assignment(p, status="done"), "ck_assignments_status"),
    "difficulty 6": (
        Assignment,
        lambda p: assignment(p, difficulty=6),
        "ck_assignments_difficulty",
    ),
    "difficulty 0": (
        Assignment,
        lambda p: assignment(p, difficulty=0),
        "ck_assignments_difficulty",
    ),
    "engagement 5": (
        Assignment,
        lambda p: assignment(p, engagement=5),
        "ck_assignments_engagement",
    ),
    "due before assigned": (
        Assignment,
        lambda p: assignment(p, due_on=D(2026, 3, 8)),
        "ck_assignments_due_after_assigned",
    ),
    "duplicate client code": (
        Client,
        lambda p: dict(code="C-0001", clinician_id=p.doc, intake_on=D(2026, 3, 1)),
        "uq_clients_code",
    ),
    "discharged before intake": (
        Client,
        lambda p: dict(
            code="C-0002", clinician_id=p.doc, intake_on=D(2026, 3, 1), discharged_on=D(2026, 2, 1)
        ),
        "ck_clients_discharge_after_intake",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_record_raises_its_rule_and_changes_nothing(engine, practice, case):
    model, values, rule = REFUSED[case]
    before = snapshot(engine)
    with pytest.raises(DataError) as refused, write(engine, f"record {case}") as conn:
        conn.execute(insert(model).values(**values(practice)))
    assert refused.value.record == f"record {case}"
    assert refused.value.reason == CONSTRAINT_REASONS[rule]
    assert str(refused.value) == f"record {case}: {CONSTRAINT_REASONS[rule]}"
    assert snapshot(engine) == before


def test_an_assignment_for_an_unknown_client_is_refused(engine, practice):
    before = snapshot(engine)
    with pytest.raises(DataError) as refused, write(engine, "assignment A-9") as conn:
        conn.execute(insert(Assignment).values(**assignment(practice, client_id=9_999)))
    assert refused.value.record == "assignment A-9"
    assert refused.value.reason == "it refers to a record that does not exist"
    assert snapshot(engine) == before


def test_a_score_for_an_unknown_measure_is_refused(engine, practice):
    before = snapshot(engine)
    with pytest.raises(DataError), write(engine, "score BDI") as conn:
        conn.execute(
            insert(Score).values(
                client_id=practice.known, measure="BDI-II", value=3, recorded_on=D(2026, 3, 9)
            )
        )
    assert snapshot(engine) == before


def test_a_failed_write_takes_its_earlier_rows_with_it(engine, practice):
    """One transaction: the good rows before the bad one are not kept either."""
    before = snapshot(engine)
    with pytest.raises(DataError) as refused, write(engine, "import of 3 assignments") as conn:
        conn.execute(insert(Assignment).values(**assignment(practice)))
        conn.execute(insert(Assignment).values(**assignment(practice, assigned_on=D(2026, 3, 10))))
        conn.execute(insert(Assignment).values(**assignment(practice, engagement=7)))
    assert refused.value.reason == CONSTRAINT_REASONS["ck_assignments_engagement"]
    assert snapshot(engine) == before


def test_the_edges_of_every_range_are_accepted(engine, practice):
    """The rules refuse only what is outside: 1–5, 0–4, a measure's own bounds, same-day due."""
    with write(engine, "edge values") as conn:
        for difficulty, engagement in ((1, 0), (5, 4)):
            conn.execute(
                insert(Assignment).values(
                    **assignment(
                        practice, difficulty=difficulty, engagement=engagement, due_on=D(2026, 3, 9)
                    )
                )
            )
        for day, (measure, value) in enumerate(
            (("PHQ-9", 0), ("PHQ-9", 27), ("GAD-7", 21), ("MOOD", 10)), start=9
        ):
            conn.execute(
                insert(Score).values(
                    client_id=practice.known,
                    measure=measure,
                    value=value,
                    recorded_on=dt.date(2026, 3, day),  # one score per measure and day
                )
            )
    counts = {name: len(rows) for name, rows in snapshot(engine).items()}
    assert counts["assignments"] == 3
    assert counts["scores"] == 5
