"""The import's progress counts records, not file lines: a quoted instruction may span lines.

File: three assignments for C-0001; the second's instructions run over three lines, so the file
has 6 lines after its header but 3 records.
"""

from __future__ import annotations

from sqlalchemy import Engine

from data_access.records.importer import import_file
from tests.builders import D, Practice

FILE = (
    b"assignment_id,client_code,type,assigned_on,due_on,status,difficulty,engagement,"
    b"reviewed_on,instructions\n"
    b"A-1,C-0001,Thought Record,2026-03-02,2026-03-09,pending,2,,,One record\n"
    b'A-2,C-0001,Thought Record,2026-03-02,2026-03-09,pending,2,,,"Monday: walk\n'
    b"Wednesday: call a friend\n"
    b'Friday: notes"\n'
    b"A-3,C-0001,Thought Record,2026-03-02,2026-03-09,pending,2,,,Third\n"
)


def test_progress_counts_the_three_records_of_a_six_line_file(sqlite_engine: Engine):
    p = Practice(sqlite_engine)
    p.client(p.clinician("Ben Lindqvist"), intake=D(2026, 1, 5), code="C-0001")
    calls: list[tuple[str, int, int]] = []
    result = import_file(
        sqlite_engine,
        "assignments",
        FILE,
        viewer=None,
        progress=lambda phase, done, total: calls.append((phase, done, total)),
    )
    assert result.written and result.new == 3
    assert calls[-2:] == [("checking", 3, 3), ("writing", 3, 3)]
    assert all(done <= 3 for _, done, _ in calls)
