"""The importer: every kind of bad input is reported exactly and leaves the database as it was;
good files import once, update what changed, and survive a crash or a kill without a trace.

The practice is the example files in examples/ (imported in order), so they are tested too:
Ana Okafor supervises Ben Lindqvist (clients C-0101, C-0102) and Cara Mendes (C-0201).
"""

from __future__ import annotations

import codecs
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, select, text

from data_access.access.viewer import Viewer
from data_access.records import importer
from data_access.records.exporter import write_csv
from data_access.records.formats import KIND_ORDER
from data_access.records.import_client_rows import Scores
from data_access.records.import_result import ImportResult, Problem
from data_access.records.importer import import_file
from data_access.store.schema import Assignment, AuditEvent, Base, Client, Score, TherapySession
from tests.builders import D, Practice
from tests.large_csv import write_assignments_csv

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
HEADERS = {
    "clinicians": "email,name,role,supervisor_email",
    "clients": "client_code,clinician_email,intake_on,discharged_on",
    "sessions": "client_code,held_on,attendance",
    "assignments": "assignment_id,client_code,type,assigned_on,due_on,status,difficulty,"
    "engagement,reviewed_on,instructions",
    "scores": "client_code,measure,score,recorded_on",
}


def dump(engine: Engine, *, with_audit: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table, ordered, so two dumps compare the whole database."""
    tables = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_events" and not with_audit:
                continue
            order = list(table.primary_key.columns)
            tables[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return tables


def csv_bytes(kind: str, *lines: str) -> bytes:
    return ("\n".join([HEADERS[kind], *lines]) + "\n").encode("utf-8")


def problems(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.reason) for p in result.problems]


@pytest.fixture
def practice(engine: Engine) -> Engine:
    """The example practice, imported from examples/*.csv by the command line's path."""
    for kind in KIND_ORDER:
        result = import_file(engine, kind, EXAMPLES / f"{kind}.csv", viewer=None)
        assert result.ok, result.problems
        assert result.written
    return engine


def test_the_example_files_import_in_order_with_the_counts_a_reader_expects(practice: Engine):
    with practice.connect() as conn:
        assert conn.execute(select(Client.code).order_by(Client.code)).scalars().all() == [
            "C-0101",
            "C-0102",
            "C-0201",
        ]
        homework = conn.execute(
            select(Assignment.external_id, Assignment.status, Assignment.instructions).where(
                Assignment.external_id == "HW-1003"
            )
        ).one()
    # The exported (neutralised) cell '- Plan … comes back without the guarding apostrophe.
    assert homework == ("HW-1003", "not_done", "- Plan two pleasant activities for the weekend")


# ---------------------------------------------------------------- bad rows: exact problem, no write

BAD_ROWS = [
    pytest.param(
        "sessions",
        ["C-0101,2026-02-30,attended"],
        [(2, "held_on", "'2026-02-30' is not a date on the calendar")],
        id="impossible date",
    ),
    pytest.param(
        "sessions",
        ["C-0101,02/03/2026,attended"],
        [(2, "held_on", "'02/03/2026' is not a date; write dates as YYYY-MM-DD")],
        id="non-ISO date",
    ),
    pytest.param(
        "sessions",
        ["C-0101,1899-12-31,attended"],
        [(2, "held_on", "'1899-12-31' is outside the years 1900–2100")],
        id="implausible year",
    ),
    pytest.param(
        "sessions",
        ["C-9999,2026-03-02,attended"],
        [(2, "client_code", "unknown client code")],
        id="unknown client code",
    ),
    pytest.param(
        "sessions",
        ["C-0101,2026-03-02,no-show"],
        [
            (
                2,
                "attendance",
                "attendance must be one of attended, cancelled, no_show, scheduled; "
                "did you mean 'no_show'?",
            )
        ],
        id="attendance misspelt",
    ),
    pytest.param(
        "sessions",
        ["C-0101,2026-03-02,"],
        [(2, "attendance", "a value is required")],
        id="required value empty",
    ),
    pytest.param(
        "sessions",
        ["C-0101,2026-03-02,attended", "C-0102,2026-03-02", "c-0101,2026-03-02,cancelled"],
        [
            (3, "", "this line has 2 values; the header has 3 columns"),
            (4, "client_code, held_on", "duplicate of line 2"),
        ],
        id="short line and duplicate (case-insensitive code)",
    ),
    pytest.param(
        "assignments",
        ["HW-2001,C-0101,Thougt Record,2026-03-02,2026-03-09,pending,2,,,"],
        [(2, "type", "unknown assignment type; did you mean 'Thought Record'?")],
        id="unknown type",
    ),
    pytest.param(
        "assignments",
        ["HW-2001,C-0101,Thought Record,2026-03-09,2026-03-02,pending,2,,,"],
        [(2, "due_on", "due date is before the assigned date")],
        id="due before assigned",
    ),
    pytest.param(
        "assignments",
        ["HW-2001,C-0101,Thought Record,2026-03-09,2026-03-16,completed,2,3,2026-03-01,"],
        [(2, "reviewed_on", "reviewed date is before the assigned date")],
        id="reviewed before assigned",
    ),
    pytest.param(
        "assignments",
        ["HW-2001,C-0101,Thought Record,2026-03-02,2026-03-09,done,2,,2026-03-09,"],
        [(2, "status", "status must be one of pending, completed, partial, not_done")],
        id="status not allowed",
    ),
    pytest.param(
        "assignments",
        ["HW-2001,C-0101,Thought Record,2026-03-02,2026-03-09,pending,2,3,2026-03-09,"],
        [
            (
                2,
                "reviewed_on",
                "a pending assignment has no review date; set the status or clear it",
            ),
            (
                2,
                "engagement",
                "a pending assignment has no engagement rating; set the status or clear it",
            ),
        ],
        id="pending but reviewed",
    ),
    pytest.param(
        "assignments",
        ["HW-2001,C-0101,Thought Record,2026-03-02,2026-03-09,completed,6,5,2026-03-09,"],
        [
            (2, "difficulty", "difficulty must be a whole number from 1 to 5"),
            (2, "engagement", "engagement must be a whole number from 0 to 4"),
        ],
        id="difficulty and engagement out of range",
    ),
    pytest.param(
        "assignments",
        ["HW-1004,C-0101,Thought Record,2026-03-02,2026-03-09,pending,2,,,"],
        [(2, "assignment_id", "this assignment_id already belongs to another client")],
        id="assignment id of another client",
    ),
    pytest.param(
        "assignments",
        [
            "HW-2001,C-0101,Thought Record,2026-03-02,2026-03-09,pending,2,,,One record",
            "HW-2001,C-0101,Thought Record,2026-03-09,2026-03-16,pending,2,,,Two records",
        ],
        [(3, "assignment_id", "duplicate of line 2")],
        id="duplicate assignment id",
    ),
    pytest.param(
        "scores",
        ["C-0101,BDI-II,12,2026-03-02"],
        [(2, "measure", "unknown measure; use one of PHQ-9, GAD-7, MOOD")],
        id="unknown measure",
    ),
    pytest.param(
        "scores",
        ["C-0101,PHQ-9,28,2026-03-02", "C-0101,mood,-1,2026-03-02", "C-0101,GAD7,7.5,2026-03-02"],
        [
            (2, "score", "a PHQ-9 score must be a whole number from 0 to 27"),
            (3, "score", "a MOOD score must be a whole number from 0 to 10"),
            (4, "score", "a GAD-7 score must be a whole number from 0 to 21"),
        ],
        id="scores outside range",
    ),
    pytest.param(
        "scores",
        ["C-0101,PHQ-9,10,2026-03-02", "C-0101,phq 9,11,2026-03-02"],
        [(3, "client_code, measure, recorded_on", "duplicate of line 2")],
        id="duplicate score (measure spelt differently)",
    ),
    pytest.param(
        "scores",
        ["C-0101,PHQ-9,10,2026-03-02", "C-7777,PHQ-9,30,yesterday", "C-0102,MOOD,5,2026-03-02"],
        [
            (3, "recorded_on", "'yesterday' is not a date; write dates as YYYY-MM-DD"),
            (3, "score", "a PHQ-9 score must be a whole number from 0 to 27"),
            (3, "client_code", "unknown client code"),
        ],
        id="every problem of a row, good rows around it",
    ),
    pytest.param(
        "clients",
        ["C-0301,nobody@example.org,2026-03-02,"],
        [(2, "clinician_email", "unknown clinician email")],
        id="unknown clinician email",
    ),
    pytest.param(
        "clients",
        ["C-0301,ben.clinician@example.org,2026-03-02,2026-03-01"],
        [(2, "discharged_on", "discharge date is before the intake date")],
        id="discharge before intake",
    ),
    pytest.param(
        "clients",
        ["C-" + "9" * 40 + ",ben.clinician@example.org,2026-03-02,"],
        [(2, "client_code", "a client code is 1 to 40 letters, digits, '-' or '_'")],
        id="client code too long",
    ),
    pytest.param(
        "clients",
        ["[C-1](http://outside.example),ben.clinician@example.org,2026-03-02,"],
        [(2, "client_code", "a client code is 1 to 40 letters, digits, '-' or '_'")],
        id="client code with markup",
    ),
    pytest.param(
        "clinicians",
        ['dan@example.org,"Dan\u202eMoss",clinician,'],
        [
            (
                2,
                "name",
                "a name must not hold control characters (line breaks, tabs, direction marks)",
            )
        ],
        id="name with a direction override",
    ),
    pytest.param(
        "clinicians",
        ["dan@example.org,Dan Moss,therapist,"],
        [(2, "role", "role must be one of clinician, supervisor, admin")],
        id="bad role",
    ),
    pytest.param(
        "clinicians",
        ["dan@example,Dan Moss,clinician,", "eve@example.org,Eve Ng,clinician,eve@example.org"],
        [
            (2, "email", "not a valid email address"),
            (3, "supervisor_email", "a clinician cannot supervise themselves"),
        ],
        id="bad email and own supervisor",
    ),
    pytest.param(
        "clinicians",
        ["dan@example.org,Dan Moss,clinician,ghost@example.org"],
        [(2, "supervisor_email", "unknown supervisor email")],
        id="unknown supervisor email",
    ),
    pytest.param(
        "clinicians",
        ["dan@example.org,,clinician,"],
        [(2, "name", "a value is required")],
        id="empty name",
    ),
]


@pytest.mark.parametrize(("kind", "lines", "expected"), BAD_ROWS)
def test_a_bad_row_is_reported_exactly_and_nothing_is_written(
    practice: Engine, kind: str, lines: list[str], expected: list[tuple[int, str, str]]
):
    before = dump(practice)
    result = import_file(practice, kind, csv_bytes(kind, *lines), viewer=None)
    assert problems(result) == expected
    assert result.error_count == len(expected)
    assert not result.written
    assert dump(practice) == before


BAD_FILES = [
    pytest.param(
        "sessions",
        b"client_code;held_on;attendance\nC-0101;2026-03-02;attended\n",
        [
            (
                1,
                "",
                "the columns are separated by semicolons (;); this import needs commas "
                "(in Excel: Save As \u203a CSV UTF-8 (Comma delimited))",
            )
        ],
        id="semicolon-separated",
    ),
    pytest.param(
        "sessions",
        b"client_code\theld_on\tattendance\n",
        [
            (
                1,
                "",
                "the columns are separated by tabs; this import needs commas "
                "(in Excel: Save As \u203a CSV UTF-8 (Comma delimited))",
            )
        ],
        id="tab-separated",
    ),
    pytest.param(
        "sessions",
        "client_code,held_on,attendance\nC-0101,2026-03-02,attended\nC-0101,2026-03-09,"
        "annulé\n".encode("cp1252"),
        [
            (
                3,
                "",
                "the file is not UTF-8 text (byte 0xe9 on this line, e.g. from Windows-1252 "
                "or Latin-1); save it as CSV UTF-8 and import it again",
            )
        ],
        id="Windows-1252 encoding",
    ),
    pytest.param(
        "sessions",
        "client_code,held_on,attendance\n".encode("utf-16"),
        [(1, "", "the file is UTF-16 text; save it as CSV UTF-8 instead")],
        id="UTF-16 encoding",
    ),
    pytest.param(
        "sessions",
        b"client_code,held_on\nC-0101,2026-03-02\n",
        [(1, "attendance", "this column is missing")],
        id="missing column",
    ),
    pytest.param(
        "scores",
        b"client code,measure,scor,recorded_on\n",
        [
            (1, "client code", "unknown column; did you mean 'client_code'?"),
            (1, "scor", "unknown column; did you mean 'score'?"),
        ],
        id="misspelt columns",
    ),
    pytest.param(
        "sessions",
        b"client_code,held_on,attendance,room\n",
        [(1, "room", "unknown column; the columns are client_code, held_on, attendance")],
        id="extra column",
    ),
    pytest.param(
        "scores",
        csv_bytes("sessions", "C-0101,2026-03-02,attended"),
        [(1, "", "these are the columns of a sessions file, not of scores")],
        id="file of another kind",
    ),
    pytest.param(
        "sessions",
        b"",
        [
            (
                1,
                "",
                "the file is empty; the first line must be the "
                "header: client_code,held_on,attendance",
            )
        ],
        id="empty",
    ),
    pytest.param(
        "sessions",
        b"PK\x03\x04\x14\x00\x00\x00binary",
        [(1, "", "this is an Excel workbook, not CSV; name it .xlsx")],
        id="workbook sent as CSV",
    ),
    pytest.param(
        "sessions",
        b"client_code,held_on,attendance\nC-0101,2026-03-02,att\x00ended\n",
        [(2, "", "this line holds a NUL byte; the file is not CSV text")],
        id="NUL byte",
    ),
]


@pytest.mark.parametrize(("kind", "data", "expected"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_written(
    practice: Engine, kind: str, data: bytes, expected: list[tuple[int, str, str]]
):
    before = dump(practice)
    result = import_file(practice, kind, data, viewer=None)
    assert problems(result) == expected
    assert not result.written
    assert dump(practice) == before


def test_a_refused_import_is_audited_with_its_counts_and_changes_nothing_else(practice: Engine):
    before = dump(practice)
    result = import_file(
        practice, "sessions", csv_bytes("sessions", "C-9999,2026-03-02,attended"), viewer=None
    )
    assert not result.ok
    assert dump(practice) == before
    with practice.connect() as conn:
        last = conn.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.actor_email, last.action, last.detail) == (
        "cli",
        "import",
        "kind=sessions refused rows=1 errors=1",
    )


# ---------------------------------------------------------------- good files


def test_bom_any_case_spacing_and_neutralised_cells_are_understood(practice: Engine):
    data = codecs.BOM_UTF8 + csv_bytes(
        "assignments",
        "HW-2001, c-0101 ,thought record,2026-03-02,2026-03-09,COMPLETED,2,4,2026-03-09,"
        "'=Write it down",
    )
    scores = codecs.BOM_UTF8 + csv_bytes(
        "scores",
        "c-0101,phq9,9,2026-03-09",
        "C-0101,Gad 7,5,2026-03-09",
        "C-0101,mood,7,2026-03-09",
    )
    assert import_file(practice, "assignments", data, viewer=None).summary() == (
        "assignments: 1 new, 0 updated, 0 unchanged, 0 errors"
    )
    assert import_file(practice, "scores", scores, viewer=None).new == 3
    with practice.connect() as conn:
        row = conn.execute(
            select(
                Assignment.status,
                Assignment.engagement,
                Assignment.instructions,
                Assignment.due_week,
            ).where(Assignment.external_id == "HW-2001")
        ).one()
        measures = (
            conn.execute(
                select(Score.measure)
                .where(Score.recorded_on == D(2026, 3, 9))
                .order_by(Score.measure)
            )
            .scalars()
            .all()
        )
    assert row == ("completed", 4, "=Write it down", D(2026, 3, 9))
    assert measures == ["GAD-7", "MOOD", "PHQ-9"]


def test_importing_the_same_files_again_changes_nothing(practice: Engine):
    before = dump(practice)
    for kind in KIND_ORDER:
        result = import_file(practice, kind, EXAMPLES / f"{kind}.csv", viewer=None)
        assert (result.new, result.updated, result.error_count) == (0, 0, 0), kind
        assert result.unchanged == result.rows
    assert dump(practice) == before


def test_a_changed_row_updates_its_record_and_only_that_one(practice: Engine):
    changed = (
        (EXAMPLES / "sessions.csv")
        .read_text()
        .replace("C-0101,2026-01-19,no_show", "C-0101,2026-01-19,Cancelled")
    )
    result = import_file(practice, "sessions", changed.encode(), viewer=None)
    assert result.summary() == "sessions: 0 new, 1 updated, 5 unchanged, 0 errors"
    review = (
        (EXAMPLES / "assignments.csv")
        .read_text()
        .replace("pending,4,,,", "completed,4,2,2026-02-09,")
    )
    result = import_file(practice, "assignments", review.encode(), viewer=None)
    assert (result.new, result.updated, result.unchanged) == (0, 1, 3)
    with practice.connect() as conn:
        assert (
            conn.execute(
                select(TherapySession.attendance).where(TherapySession.held_on == D(2026, 1, 19))
            ).scalar()
            == "cancelled"
        )
        assert conn.execute(
            select(Assignment.status, Assignment.engagement, Assignment.reviewed_on).where(
                Assignment.external_id == "HW-1004"
            )
        ).one() == ("completed", 2, D(2026, 2, 9))


def test_a_dry_run_counts_but_writes_nothing_not_even_an_audit_event(practice: Engine):
    before = dump(practice, with_audit=True)
    result = import_file(
        practice,
        "sessions",
        csv_bytes("sessions", "C-0101,2026-03-02,attended", "C-0101,2026-01-05,attended"),
        viewer=None,
        dry_run=True,
    )
    assert result.summary() == "sessions: 1 new, 0 updated, 1 unchanged, 0 errors"
    assert not result.written
    assert dump(practice, with_audit=True) == before


def test_a_written_import_is_audited_with_who_which_kind_and_the_counts(practice: Engine):
    with practice.connect() as conn:
        details = conn.execute(
            select(AuditEvent.actor_email, AuditEvent.action, AuditEvent.detail).order_by(
                AuditEvent.id
            )
        ).all()
    assert details[2] == (
        "cli",
        "import",
        "kind=sessions new=6 updated=0 unchanged=0 errors=0",
    )


def test_clinicians_may_name_a_supervisor_further_down_the_same_file(engine: Engine):
    data = csv_bytes(
        "clinicians",
        "dan@example.org,Dan Moss,clinician,ZOE@example.org",
        "zoe@example.org,Zoe Park,supervisor,",
    )
    assert import_file(engine, "clinicians", data, viewer=None).new == 2
    with engine.connect() as conn:
        pairs = dict(
            conn.execute(
                text(
                    "SELECT c.email, s.email FROM clinicians c "
                    "LEFT JOIN clinicians s ON s.id = c.supervisor_id"
                )
            ).all()
        )
    assert pairs == {"dan@example.org": "zoe@example.org", "zoe@example.org": None}
    assert import_file(engine, "clinicians", data, viewer=None).unchanged == 2


def test_an_excel_workbook_imports_like_its_csv(practice: Engine):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS["scores"].split(","))
    sheet.append(["C-0102", "PHQ-9", 7, dt.datetime(2026, 3, 2)])
    sheet.append(["C-0102", "GAD-7", 5.0, "2026-03-02"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_file(practice, "scores", buffer.getvalue(), viewer=None, fmt="xlsx")
    assert result.summary() == "scores: 2 new, 0 updated, 0 unchanged, 0 errors"
    bad = import_file(practice, "scores", b"not a workbook", viewer=None, fmt="xlsx")
    assert problems(bad) == [
        (1, "", "the file is not an Excel .xlsx workbook; save it as .xlsx or CSV")
    ]


# ---------------------------------------------------------------- scope


def test_a_clinician_imports_only_for_their_own_clients(practice: Engine):
    with practice.connect() as conn:
        ben = conn.execute(
            text("SELECT id, email, name, role FROM clinicians WHERE email LIKE 'ben%'")
        ).one()
    viewer = Viewer(*ben)
    before = dump(practice)
    result = import_file(
        practice,
        "sessions",
        csv_bytes("sessions", "C-0101,2026-03-02,attended", "C-0201,2026-03-02,attended"),
        viewer=viewer,
    )
    assert problems(result) == [
        (3, "client_code", "unknown client code, or not one of your clients")
    ]
    assert dump(practice) == before
    staff = import_file(
        practice, "clinicians", csv_bytes("clinicians", "x@example.org,X,admin,"), viewer=viewer
    )
    assert problems(staff) == [(2, "email", "only an admin can import clinicians")]
    other = import_file(
        practice,
        "clients",
        csv_bytes("clients", "C-0301,cara.clinician@example.org,2026-03-02,"),
        viewer=viewer,
    )
    assert problems(other) == [(2, "clinician_email", "you can import only your own clients")]
    own = import_file(
        practice, "sessions", csv_bytes("sessions", "C-0101,2026-03-02,attended"), viewer=viewer
    )
    assert own.written and own.new == 1


# ---------------------------------------------------------------- round trip


def _export_all(engine: Engine) -> dict[str, bytes]:
    out = {}
    for kind in KIND_ORDER:
        buffer = io.BytesIO()
        write_csv(engine, None, kind, buffer)
        out[kind] = buffer.getvalue()
    return out


def test_an_export_imports_into_an_empty_database_as_the_same_data(engine: Engine):
    p = Practice(engine)
    boss = p.clinician("Ana Okafor", role="supervisor")
    ben = p.clinician("Ben Lindqvist", supervisor=boss)
    one = p.client(ben, intake=D(2026, 1, 5), code="C-0001")
    two = p.client(ben, intake=D(2026, 1, 5), discharged=D(2026, 3, 2), code="C-0002")
    p.session(one, D(2026, 1, 5))
    p.session(two, D(2026, 1, 12), attendance="no_show")
    p.assignment(
        one,
        D(2026, 1, 5),
        status="completed",
        engagement=3,
        reviewed=D(2026, 1, 12),
        instructions='=HYPERLINK("http://x")',
    )  # no external id: exported as bs-<id>
    p.assignment(
        two,
        D(2026, 1, 12),
        instructions="-list three thoughts\nthen rate them",
        external_id="EXT-7",
        difficulty=None,
    )
    p.assignment(one, D(2026, 1, 12), instructions="\tindented\rafter a lone carriage return")
    p.score(one, "PHQ-9", 14, D(2026, 1, 5))
    p.score(one, "GAD-7", 7, D(2026, 1, 5), items=[1] * 7)
    p.score(one, "MOOD", 0, D(2026, 1, 6))
    exported = _export_all(engine)
    assert b"C-0001,GAD-7,7,2026-01-05,1,1,1,1,1,1,1,," in exported["scores"]
    assert b"'=HYPERLINK" in exported["assignments"]  # neutralised in the file

    with engine.begin() as conn:
        for table in ("audit_events", "scores", "assignments", "therapy_sessions", "clients"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE clinicians SET supervisor_id = NULL"))
        conn.execute(text("DELETE FROM clinicians"))
    for kind in KIND_ORDER:
        result = import_file(engine, kind, exported[kind], viewer=None)
        assert result.ok and result.updated == 0, (kind, result.problems)
    assert _export_all(engine) == exported
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(Assignment.instructions).where(Assignment.external_id == "EXT-7")
            ).scalar()
            == "-list three thoughts\nthen rate them"
        )
    again = [import_file(engine, k, exported[k], viewer=None) for k in KIND_ORDER]
    assert [(r.new, r.updated) for r in again] == [(0, 0)] * 5


def test_an_assignment_exported_without_an_id_reimports_onto_itself(engine: Engine):
    p = Practice(engine)
    client = p.client(p.clinician("Ben Lindqvist"), code="C-0001")
    p.assignment(client, D(2026, 1, 5))
    exported = _export_all(engine)["assignments"]
    result = import_file(engine, "assignments", exported, viewer=None)
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)


# ---------------------------------------------------------------- crash and kill


def test_a_crash_midway_through_writing_leaves_the_database_unchanged(
    practice: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    lines = [f"C-0101,2026-03-{day:02d},attended" for day in range(2, 9)]
    before = dump(practice, with_audit=True)

    def explode(phase: str, done: int, total: int) -> None:
        if phase == "writing" and done >= 4:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        import_file(
            practice, "sessions", csv_bytes("sessions", *lines), viewer=None, progress=explode
        )
    assert dump(practice, with_audit=True) == before


def test_a_database_refusal_in_the_middle_of_a_batch_rolls_everything_back(
    practice: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(importer, "BATCH_ROWS", 3)
    original = Scores.write
    calls = []

    def failing_write(self, ctx, conn, new, changed):  # noqa: ANN001
        calls.append(len(new))
        if len(calls) == 2:
            conn.execute(
                text(
                    "INSERT INTO scores (client_id, measure, value, recorded_on) "
                    "VALUES (1, 'PHQ-9', 99, '2026-03-02')"
                )
            )
        original(self, ctx, conn, new, changed)

    monkeypatch.setattr(Scores, "write", failing_write)
    lines = [f"C-0101,MOOD,5,2026-03-{day:02d}" for day in range(2, 10)]
    before = dump(practice, with_audit=True)
    with pytest.raises(importer.DataError, match="score is outside its measure's range"):
        import_file(practice, "scores", csv_bytes("scores", *lines), viewer=None)
    assert calls[:2] == [3, 3]
    assert dump(practice, with_audit=True) == before


def test_killing_a_large_sqlite_import_with_sigkill_leaves_the_database_unchanged(
    sqlite_engine: Engine, tmp_path: Path
):
    p = Practice(sqlite_engine)
    ben = p.clinician("Ben Lindqvist")
    codes = [f"C-{i:04d}" for i in range(1, 41)]
    for code in codes:
        p.client(ben, intake=D(2024, 1, 1), code=code)
    big = tmp_path / "big.csv"
    write_assignments_csv(big, codes, 120_000)
    before = dump(sqlite_engine, with_audit=True)
    sqlite_engine.dispose()

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "data_access",
            "import",
            "--database-url",
            str(sqlite_engine.url),
            "--kind",
            "assignments",
            str(big),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    writing = threading.Event()

    def watch() -> None:
        seen = b""
        while chunk := process.stderr.read1(4096):
            seen = (seen + chunk)[-200:]
            if b"writing" in seen:
                writing.set()

    threading.Thread(target=watch, daemon=True).start()
    assert writing.wait(timeout=300), "the import never reached its writing pass"
    time.sleep(0.5)
    assert process.poll() is None, "the import finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert dump(sqlite_engine, with_audit=True) == before


def test_problem_reads_as_a_sentence():
    assert str(Problem(4, "due_on", "x", "due date is before the assigned date")) == (
        "line 4, column due_on: due date is before the assigned date"
    )


def test_the_importer_applies_the_forms_rules_to_dates_and_new_homework(practice: Engine):
    """The same rules as the forms (entry_rules): nothing recorded in the future or before
    intake (C-0101's is 5 Jan 2026), a session may be booked ahead as scheduled, and new
    homework needs instructions and may not repeat one already stored (HW-1001)."""
    today = D(2026, 3, 20)
    before = dump(practice)
    sessions = csv_bytes(
        "sessions",
        "C-0101,2026-03-27,attended",
        "C-0101,2026-01-02,attended",
        "C-0101,2026-03-27,scheduled",
    )
    result = import_file(practice, "sessions", sessions, viewer=None, today=today)
    assert problems(result) == [
        (
            2,
            "held_on",
            "this date is in the future: book it as scheduled, and record it on the day",
        ),
        (3, "held_on", "this date is before the client's intake (05 Jan 2026)"),
        (4, "client_code, held_on", "duplicate of line 2"),
    ]
    scores = csv_bytes("scores", "C-0101,PHQ-9,9,2026-03-21")
    result = import_file(practice, "scores", scores, viewer=None, today=today)
    assert problems(result) == [(2, "recorded_on", "this date is in the future")]
    homework = csv_bytes(
        "assignments",
        "HW-3001,C-0101,Thought Record,2026-03-02,2026-03-09,pending,2,,,  ",
        "HW-3002,C-0101,Daily Mood Log,2026-01-05,2026-01-12,pending,2,,,"
        "Rate your mood each evening (0–10) and note one event.",
        "HW-3003,C-0101,Thought Record,2026-03-09,2026-03-16,pending,2,,,One record",
        "HW-3004,C-0101,Thought Record,2026-03-09,2026-03-23,pending,2,,,One record ",
        "HW-3005,C-0101,Thought Record,2026-03-21,2026-03-28,pending,2,,,Later",
    )
    result = import_file(practice, "assignments", homework, viewer=None, today=today)
    assert problems(result) == [
        (2, "instructions", "write what the client will do (instructions cannot be blank)"),
        (
            3,
            "instructions",
            "identical homework is already stored: Daily Mood Log set 05 Jan 2026, "
            "due 12 Jan 2026 (HW-1001)",
        ),
        (5, "instructions", "identical to the homework on line 4"),
        (6, "assigned_on", "this date is in the future"),
    ]
    assert dump(practice) == before
    booked = import_file(
        practice, "sessions", csv_bytes("sessions", "C-0101,2026-03-27,scheduled"),
        viewer=None, today=today,
    )  # fmt: skip
    assert booked.ok and booked.new == 1


# ---------------------------------------------------------------- item answers

ITEMS_HEADER = HEADERS["scores"] + "," + ",".join(f"item_{n}" for n in range(1, 10))


def items_csv(*lines: str) -> bytes:
    return ("\n".join([ITEMS_HEADER, *lines]) + "\n").encode("utf-8")


def item_answers(engine: Engine) -> list[tuple]:
    columns = [getattr(Score, f"item_{n}") for n in range(1, 10)]
    with engine.connect() as conn:
        query = select(Score.measure, Score.value, *columns).order_by(Score.id)
        return [tuple(r) for r in conn.execute(query.where(Score.recorded_on == D(2026, 3, 16)))]


BAD_ITEMS = [
    pytest.param(
        "C-0101,PHQ-9,12,2026-03-16,2,2,1,1,1,1,1,0,2",
        [(2, "score", "the items add up to 11, not to the score 12")],
        id="sum is not the total",
    ),
    pytest.param(
        "C-0101,PHQ-9,9,2026-03-16,1,1,1,1,1,1,1,2,",
        [(2, "item_9", "give all 9 PHQ-9 items or none; item_9 is blank")],
        id="item 9 left blank",
    ),
    pytest.param(
        "C-0101,PHQ-9,12,2026-03-16,1,1,4,1,1,1,1,1,1",
        [(2, "item_3", "item_3 must be a whole number from 0 to 3")],
        id="item out of range",
    ),
    pytest.param(
        "C-0101,GAD-7,8,2026-03-16,1,1,1,1,1,1,1,1,",
        [(2, "item_8", "GAD-7 has only items 1-7; item_8 must be blank")],
        id="GAD-7 given an eighth item",
    ),
    pytest.param(
        "C-0101,MOOD,3,2026-03-16,3,,,,,,,,",
        [(2, "item_1", "MOOD has no items; item_1 must be blank")],
        id="MOOD given an item",
    ),
]


@pytest.mark.parametrize(("line", "expected"), BAD_ITEMS)
def test_item_answers_that_do_not_make_the_total_are_refused_and_nothing_is_written(
    practice: Engine, line: str, expected: list[tuple[int, str, str]]
):
    before = dump(practice, with_audit=False)
    good = "C-0102,PHQ-9,2,2026-03-16,1,0,0,0,0,0,0,0,1"
    result = import_file(practice, "scores", items_csv(good, line), viewer=None)
    assert [(p.line - 1, p.column, p.reason) for p in result.problems] == expected
    assert not result.written
    assert dump(practice) == before


def test_item_answers_import_beside_totals_only_rows_and_a_changed_item_updates(
    practice: Engine,
):
    """PHQ-9 12 = 2+2+1+1+1+1+1+1+2, GAD-7 7 = seven 1s, and a MOOD row with blank items."""
    lines = [
        "C-0101,PHQ-9,12,2026-03-16,2,2,1,1,1,1,1,1,2",
        "C-0101,GAD-7,7,2026-03-16,1,1,1,1,1,1,1,,",
        "C-0101,MOOD,6,2026-03-16,,,,,,,,,",
        "C-0102,PHQ-9,10,2026-03-16,,,,,,,,,",
    ]
    result = import_file(practice, "scores", items_csv(*lines), viewer=None)
    assert result.ok and result.new == 4
    none = (None,) * 9
    assert sorted(item_answers(practice), key=repr) == sorted(  # rows are written in
        [  # client-and-day order, not file order
            ("PHQ-9", 12, 2, 2, 1, 1, 1, 1, 1, 1, 2),
            ("GAD-7", 7, *[1] * 7, None, None),
            ("MOOD", 6, *none),
            ("PHQ-9", 10, *none),
        ],
        key=repr,
    )
    again = import_file(practice, "scores", items_csv(*lines), viewer=None)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    lines[0] = "C-0101,PHQ-9,12,2026-03-16,2,2,1,1,1,1,1,2,1"  # item 9 now 1, item 8 now 2
    changed = import_file(practice, "scores", items_csv(*lines), viewer=None)
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 3)
    assert ("PHQ-9", 12, 2, 2, 1, 1, 1, 1, 1, 2, 1) in item_answers(practice)


def test_a_scores_file_may_carry_only_the_item_columns_it_needs(practice: Engine):
    """A GAD-7 file with item_1 … item_7 and no item_8 or item_9 column imports."""
    header = HEADERS["scores"] + "," + ",".join(f"item_{n}" for n in range(1, 8))
    data = f"{header}\nC-0101,GAD-7,14,2026-03-16,2,2,2,2,2,2,2\n".encode()
    result = import_file(practice, "scores", data, viewer=None)
    assert result.ok and result.new == 1
    assert item_answers(practice) == [("GAD-7", 14, *[2] * 7, None, None)]
